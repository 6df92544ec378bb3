"""What the catalog says about one option on the target version, shared by the upgrade rules (AS401-AS407)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airspec.lint.model import Context, Opt

if TYPE_CHECKING:
    from airspec.catalog import Catalog, Change


def change_of(ctx: Context, opt: Opt) -> Change | None:
    return ctx.catalog.change(opt.section, opt.name) if ctx.catalog is not None else None


def known(ctx: Context, opt: Opt) -> bool:
    return ctx.catalog is not None and ctx.catalog.option(opt.section, opt.name) is not None


def final_place(catalog: Catalog, section: str, name: str) -> tuple[str, str]:
    """Follow moves and renames until a place the version knows (webserver.access_logfile -> api.log_config)."""
    place = (section, name)
    for _ in range(6):
        change = catalog.change(*place)
        if change is None or change.kind not in ("moved", "renamed") or catalog.option(*place) is not None:
            break
        place = (change.new_section or place[0], change.new_option or place[1])
    return place


def from_config(opt: Opt, ctx: Context) -> bool:
    """A spec's option that the user wrote under `config:` (modelled settings are placed by airspec itself)."""
    return ctx.kind != "spec" or opt.label.startswith("config.")


def same(value: str | None, other: str | None) -> bool:
    return value is not None and other is not None and value.strip() == other.strip()
