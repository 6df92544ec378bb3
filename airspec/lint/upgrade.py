"""What the catalog says about one option on the target version, shared by the upgrade rules (AS401-AS407)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from airspec.lint.model import Context, FileContext, Opt
from airspec.source import Span

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


class Dropped(NamedTuple):
    """A section an earlier line read and no line from the target's on reads (sections.json)."""

    last: str  # the newest line that read it
    read_as: str  # the section that line read it as ([kubernetes] as [kubernetes_executor] on 2.5+)
    since: str  # the line after `last`: the release that dropped it


def dropped_section(catalog: Catalog, section: str) -> Dropped | None:
    """`[mesos]` and `[ldap]` from 2.0 on, `[smart_sensor]` from 2.4, `[kubernetes]` from 3.0, `[webserver]` from
    3.1: None for a section the target reads, one a later line reads (not yet, or again), or one no line airspec
    knows reads (another provider's, a typo)."""
    if section in catalog.sections():
        return None
    from airspec.catalog import lint_lines
    from airspec.catalog.names import sections

    read_by = sections().get(section)
    if not read_by:
        return None
    order = list(lint_lines())
    here = order.index(catalog.line)
    if any(order.index(line) >= here for line in read_by):
        return None
    last = max(read_by, key=order.index)
    return Dropped(last, read_by[last], order[order.index(last) + 1])


def in_dropped_section(ctx: Context, opt: Opt) -> bool:
    """Whether the one finding AS402 gives a dropped section covers this option: the target does not read it,
    and it is none of these, which keep a finding of their own: an option `airflow config lint` itself reports
    (`[webserver] worker_class` on Airflow 3: at its line, as Airflow's lint says it), an old name the target
    still reads (AS401 warns), a move of the option itself to a place of its own (`[webserver] expose_config` ->
    `[api] expose_config`: AS401 names that place)."""
    catalog = ctx.catalog
    if catalog is None or ctx.kind == "spec" or catalog.reads(opt.section, opt.name):
        return False
    dropped = dropped_section(catalog, opt.section)
    if dropped is None:
        return False
    change = catalog.change(opt.section, opt.name)
    if change is not None and change.source == "config_lint":
        return False
    if change is None or change.kind not in ("moved", "renamed"):
        return True
    if change.still_read:
        return False
    return final_place(catalog, opt.section, opt.name) == (dropped.read_as, opt.name)


def section_span(ctx: FileContext, opt: Opt) -> Span:
    """Where a file opens the option's section: the airflow.cfg header, the Helm `config:` key; in compose (no
    sections) the option itself."""
    if ctx.ini is not None and opt.section in ctx.ini.sections:
        return ctx.ini.sections[opt.section]
    if ctx.kind == "helm-values" and ctx.has("config", opt.section):
        return ctx.key("config", opt.section)
    return opt.key
