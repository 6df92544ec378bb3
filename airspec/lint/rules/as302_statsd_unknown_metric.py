"""A StatsD mapping matches no metric the target Airflow version emits.

Catches: `match:` entries of a statsd_exporter mapping file (`mappings:`), and of the chart's
`statsd.extraMappings`/`statsd.overrideMappings`, that match none of the target version's metric names (new
or legacy). The chart's own default mappings still map `airflow.pool.used_slots.*`, which Airflow 3 no longer
sends.

Why: a mapping for a metric that is never sent turns into a dashboard panel or an alert that is silently empty:
the alert can never fire.

Bad:

    mappings:
      - match: airflow.pool.used_slots.*
        name: airflow_pool_used_slots

Good:

    mappings:
      - match: airflow.pool.running_slots.*
        name: airflow_pool_running_slots
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from airspec.lint.model import FileContext, Hit, Rule

if TYPE_CHECKING:
    from airspec.catalog import Catalog


_PLACEHOLDER = re.compile(r"<[^>]+>")


@cache
def _names(catalog: Catalog) -> tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]:
    names = sorted({n for m in catalog.metrics() for n in (m.name, m.legacy_name) if n})
    patterns = tuple(
        re.compile(r"[^.]+\." + ".+".join(re.escape(p) for p in _PLACEHOLDER.split(name)) + "$")
        for name in names
    )
    return tuple(names), patterns


def emitted(catalog: Catalog, match: str, match_type: str) -> bool:
    names, patterns = _names(catalog)
    samples = ["airflow." + _PLACEHOLDER.sub("x", n) for n in names]
    if match_type == "regex":
        try:
            rx = re.compile(match)
        except re.error:
            return True  # not ours to judge
        return any(rx.fullmatch(s) or rx.match(s) for s in samples)
    glob = re.compile("^" + re.escape(match).replace(r"\*", "[^.]*") + "$")
    if any(glob.match(s) for s in samples):
        return True
    concrete = match.replace("*", "x")
    return any(p.match(concrete) for p in patterns)


def _mappings(ctx: FileContext, path: tuple[str, ...]) -> Iterator[Hit]:
    assert ctx.catalog is not None
    items: Any = ctx.get(*path)
    for index, item in enumerate(items if isinstance(items, list) else []):
        match = item.get("match") if isinstance(item, dict) else None
        if not isinstance(match, str):
            continue
        kind = str(item.get("match_type", "glob"))
        if emitted(ctx.catalog, match, kind):
            continue
        import difflib

        names, _ = _names(ctx.catalog)
        bare = match.split(".", 1)[-1].replace("*", "x")
        close = difflib.get_close_matches(bare, names, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        yield Hit(
            ctx.value(*path, index, "match"),
            f"{match!r} matches no metric Airflow {ctx.catalog.line} emits, so this mapping stays empty{hint}",
        )


def check_statsd(ctx: FileContext) -> Iterator[Hit]:
    yield from _mappings(ctx, ("mappings",))


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    yield from _mappings(ctx, ("statsd", "extraMappings"))
    yield from _mappings(ctx, ("statsd", "overrideMappings"))


RULE = Rule(
    id="AS302",
    name="statsd-unknown-metric",
    severity="warning",
    category="observability",
    files={"helm-values": check_helm, "statsd-mapping": check_statsd},
)
