"""A Grafana dashboard queries an Airflow metric the target Airflow version does not emit.

Catches: every PromQL query of a dashboard JSON (panel targets, the panels of rows, collapsed or not, and
template-variable queries) that names an `airflow_` series which no name the target version sends becomes: neither
a name the StatsD mappings airspec compiles for that version produce, nor the name statsd_exporter gives a metric
the version sends when no mapping matches it (its escaping of `airflow.<name>`; a timer is a summary, with `_sum`
and `_count`). A name only the official chart's default mappings make (`airflow_dagrun_duration`) is reported
too, with airspec's name for it: airspec's Helm values replace those mappings. Names without the `airflow_` prefix are not
Airflow's and are left alone, as are queries of a data source that is not Prometheus and names a Grafana
variable completes (`airflow_pool_${field}_slots`). A name that fits a metric whose name holds a free value
(`<job_name>_heartbeat_failure`) counts as emitted. A dashboard names no Airflow version: pass --airflow-version,
or let a file beside it name one. JSON holds no comments, so suppress with --ignore or a baseline.

Why: Airflow 3 stopped sending several 2.x metrics and renamed others (`dataset.*` became `asset.*`,
`zombies_killed` became `task_instances_without_heartbeats_killed`); a panel over such a name shows "No data"
after the upgrade instead of failing, so nobody notices until the graph is needed.

Bad:

    {"title": "Airflow", "schemaVersion": 39, "panels": [
      {"type": "timeseries", "title": "Dataset updates",
       "targets": [{"expr": "rate(airflow_dataset_updates[5m])"}]}]}

Good:

    {"title": "Airflow", "schemaVersion": 39, "panels": [
      {"type": "timeseries", "title": "Asset updates",
       "targets": [{"expr": "rate(airflow_asset_updates[5m])"}]}]}
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from airspec.lint.inputs import dashboard_root
from airspec.lint.model import FileContext, Hit, Rule, dig

if TYPE_CHECKING:
    import re

    from airspec.catalog import Catalog

Path = tuple[str | int, ...]


class _Emitted(NamedTuple):
    names: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    shown: tuple[str, ...]  # every name, holes as `<value>`, for did-you-mean


@functools.cache
def _emitted(catalog: Catalog) -> _Emitted:
    # The render modules are imported only when a dashboard is linted: no other input needs them.
    from airspec.render.statsd import catalog_produced, exporter_defaults

    produced = catalog_produced(catalog)
    defaults = exporter_defaults(catalog)
    shown = sorted(set(produced) | {name for name, _ in defaults})
    return _Emitted(frozenset(produced), tuple(p for _, p in defaults), tuple(shown))


def _emits(emitted: _Emitted, name: str) -> bool:
    return name in emitted.names or any(p.fullmatch(name) for p in emitted.patterns)


_SUMMARY = ("_sum", "_count", "_bucket")


def suggestion(name: str, catalog: Catalog) -> str | None:
    """The name a query most likely means, or None: the same series under the unit or `_total` suffix airspec's
    mappings add (a dashboard built on the chart's default mappings); else, for a name an older or newer line
    emits, the nearest name this line brought in its place (a rename); else a name all but the same (a typo)."""
    import difflib

    from airspec.catalog import lines, load

    emitted = _emitted(catalog)
    stem, suffix = name, ""
    for end in _SUMMARY:
        if name.endswith(end):
            stem, suffix = name[: -len(end)], end
    for unit in ("_seconds", "_total"):
        if stem + unit + suffix in emitted.names:
            return stem + unit + suffix
    others = [_emitted(load(line)) for line in lines() if line != catalog.line]
    where = [other for other in others if _emits(other, name)]
    if where:
        older = set().union(*(other.shown for other in where))
        new = [n for n in emitted.shown if n not in older]
        close = difflib.get_close_matches(name, new, n=1, cutoff=0.8)
    else:
        close = difflib.get_close_matches(name, emitted.shown, n=1, cutoff=0.95)
    return close[0] if close else None


def _other_source(*sources: Any) -> bool:
    """Whether the nearest data source that names its type names one that is not Prometheus."""
    for source in sources:
        kind = source.get("type") if isinstance(source, dict) else None
        if isinstance(kind, str) and kind:
            return kind != "prometheus"
    return False


def _panels(items: Any, path: Path, inherited: Any = None) -> Iterator[tuple[Path, str]]:
    for i, panel in enumerate(items if isinstance(items, list) else []):
        if not isinstance(panel, dict):
            continue
        here = (*path, i)
        targets = panel.get("targets")
        for j, target in enumerate(targets if isinstance(targets, list) else []):
            expr = target.get("expr") if isinstance(target, dict) else None
            if isinstance(expr, str) and not _other_source(
                target.get("datasource"), panel.get("datasource"), inherited
            ):
                yield (*here, "targets", j, "expr"), expr
        yield from _panels(panel.get("panels"), (*here, "panels"), panel.get("datasource"))


def queries(data: Any) -> Iterator[tuple[Path, str]]:
    """(path, PromQL) of every query of a dashboard: panel targets, nested panels, old-style rows, variables. A
    file forced to be a dashboard (--kind) without the marks of one is read as one all the same."""
    if not isinstance(data, dict):
        return
    root = dashboard_root(data)
    if root is None:
        root = ("dashboard",) if isinstance(data.get("dashboard"), dict) else ()
    dashboard = dig(data, root)
    yield from _panels(dashboard.get("panels"), (*root, "panels"))
    rows = dashboard.get("rows")
    for r, row in enumerate(rows if isinstance(rows, list) else []):
        if isinstance(row, dict):
            yield from _panels(row.get("panels"), (*root, "rows", r, "panels"))
    variables = dig(dashboard, ("templating", "list"))
    for k, variable in enumerate(variables if isinstance(variables, list) else []):
        if not isinstance(variable, dict) or variable.get("type", "query") != "query":
            continue
        if _other_source(variable.get("datasource")):
            continue
        query = variable.get("query")
        at: Path = (*root, "templating", "list", k, "query")
        if isinstance(query, dict):  # newer Grafana: {"query": "...", "refId": ...}
            query, at = query.get("query"), (*at, "query")
        if isinstance(query, str):
            yield at, query


def _check_dashboard(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    from airspec.render.prometheus import metrics_in  # the one reader of metric names (alert rules, panels)

    emitted = _emitted(ctx.catalog)
    for path, query in queries(ctx.data):
        for name in sorted(metrics_in(query)):
            if _emits(emitted, name):
                continue
            close = suggestion(name, ctx.catalog)
            hint = f"; did you mean {close}?" if close else ""
            yield Hit(
                ctx.value(*path),
                f"Airflow {ctx.catalog.line} emits nothing that becomes {name} (not a name airspec's StatsD mappings "
                f"produce, nor statsd_exporter's default name for a metric it sends): this query stays empty{hint}",
            )


RULE = Rule(
    id="AS305",
    name="dashboard-unknown-metric",
    severity="warning",
    category="observability",
    files={"grafana-dashboard": _check_dashboard},
)
