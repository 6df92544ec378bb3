"""statsd_exporter mapping config: the StatsD names the target Airflow sends, as labelled Prometheus metrics.

Which mappings a version gets is read from its catalog, not from a list per version: a family below is mapped only
when the catalog of the target line holds a name it matches (its own name or the legacy name of a tagged metric).
So Airflow 3.0 gets no task-duration, `ti.finish`, `ti_successes` or `operator_successes` mappings (its catalog has
none of those; 3.1 brings them back), and no line gets a mapping for a name it no longer sends.

Names Airflow no longer sends, and what carries the fact now:

- `scheduler.tasks.running`: removed in Airflow 2.6.0 (its release notes: the gauge never worked). Running tasks
  are `executor.running_tasks[.<executor>]` -> `airflow_executor_running_tasks`, or per pool
  `pool.running_slots.<pool>` -> `airflow_pool_running_slots`.
- `pool.used_slots.<pool>` (the pool's occupied slots, sent by older schedulers): in no supported line's catalog.
  Occupancy is split into `pool.running_slots`, `pool.queued_slots`, `pool.deferred_slots` and
  `pool.scheduled_slots`, each mapped below; open slots are total - running - queued (- deferred in pools that
  count deferred tasks).
- `task_fail_count`: no supported line sends it. Task failures are `ti_failures` -> `airflow_ti_failures_total`,
  per task `ti.finish.<dag_id>.<task_id>.failed` -> `airflow_ti_finish_total{state="failed"}` (2.x and 3.1+), and
  per operator `operator_failures_<operator>` -> `airflow_operator_failures_total`.
- `dag_processing.last_runtime.<file>`: replaced by `dag_processing.last_duration` in Airflow 2.0 (UPDATING.md).
- `dagrun.dependency-check.<dag_id>` has one segment after the name; the chart's default glob `...*.*` expects two
  and matches nothing. `zombies_killed` and the `sla_*` counters stop with 3.0; 3.0 starts sending
  `task_instances_without_heartbeats_killed` (catalog).

Naming: every metric is `airflow_...` whatever `metrics.statsd.prefix` is, so rules and dashboards do not depend on
the prefix. Timers (Airflow sends milliseconds; statsd_exporter observes seconds) end in `_seconds`, counters in
`_total` (what Prometheus and OpenMetrics expect of a counter, and never the name statsd_exporter gives an unmapped
name), gauges carry their unit only when they have one. Values that Airflow writes into a name (DAG, task, pool,
executor, operator, state) become labels: `dag_id`, `task_id`, `state`, `pool`, `executor`, `operator`.

Airflow also sends each tagged metric under its plain name (`pool.open_slots` beside `pool.open_slots.<pool>`).
Over plain StatsD the tag is lost, so a plain pool gauge holds whichever pool reported last: it is dropped, or it
would become a label-less `airflow_pool_open_slots` that mixes into per-pool queries. The plain executor gauges
are kept, as the same metric with an empty `executor` label (which Prometheus stores as no label): the executor
code since 2.10 sends only the plain name when a single executor is configured, while the 3.3.2 run sent both, so
sum per executor with `{executor!=""}`. Plain timers and counters (`task.duration`, `ti.finish`) keep
statsd_exporter's automatic name, which cannot collide with the suffixed names above. A DAG id with a dot in it
splits into more segments than the globs expect, and its per-DAG names stay unmapped.

Globs are used where statsd_exporter accepts them (a `*` stands for one whole dot-free segment); a name with a
value inside a segment (`operator_failures_<operator>`), or a prefix statsd_exporter's glob syntax refuses, gets
an anchored `match_type: regex` mapping instead. `observer_type` is left to the exporter's default (summary): the
rules only read `_count`, which summaries and histograms both have.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from airspec.catalog import Catalog
from airspec.render.airflow_cfg import header
from airspec.render.yamltext import Document, dump

if TYPE_CHECKING:  # annotations only: lint reads metric names without the spec models
    from airspec.resolve import Resolved

Kind = Literal["counter", "gauge", "timer"]

# statsd_exporter pkg/mapper/mapper.go: what a glob `match` may look like (first segment, then the rest).
_GLOB_FIRST = r"[a-zA-Z_](-?[a-zA-Z0-9_])*"
_GLOB_NEXT = r"[a-zA-Z0-9_](-?[a-zA-Z0-9_])*"
GLOB_LINE = re.compile(rf"^(\*|{_GLOB_FIRST})(\.\*|\.{_GLOB_NEXT})*$")
_HOLE = re.compile(r"<([a-z_]+)>")
_KINDS: dict[str, Kind] = {"counter": "counter", "gauge": "gauge", "timer": "timer"}


class Family(NamedTuple):
    """One Prometheus metric and the StatsD name Airflow sends it under.

    `statsd` is written as the catalog writes names: `<label>` stands for one dot-free value and names the label it
    becomes. `plain` is the tag-less name Airflow also sends; `plain_action` says what happens to it.
    """

    base: str
    statsd: str
    static: tuple[tuple[str, str], ...] = ()
    unit: str = ""
    plain: str | None = None
    plain_action: Literal["drop", "keep"] = "drop"

    def name(self, kind: Kind) -> str:
        suffix = {"timer": "seconds", "counter": "total"}.get(kind, self.unit)
        return f"airflow_{self.base}_{suffix}" if suffix else f"airflow_{self.base}"

    @property
    def labels(self) -> list[str]:
        return _HOLE.findall(self.statsd)


def _pool(field: str) -> Family:
    return Family(f"pool_{field}", f"pool.{field}.<pool>", plain=f"pool.{field}")


def _executor(field: str) -> Family:
    return Family(
        f"executor_{field}", f"executor.{field}.<executor>", plain=f"executor.{field}", plain_action="keep"
    )


FAMILIES: tuple[Family, ...] = (
    # tasks
    Family("task_duration", "dag.<dag_id>.<task_id>.duration"),
    Family("task_queued_duration", "dag.<dag_id>.<task_id>.queued_duration"),
    Family("task_scheduled_duration", "dag.<dag_id>.<task_id>.scheduled_duration"),
    Family("ti_finish", "ti.finish.<dag_id>.<task_id>.<state>"),
    Family("ti_failures", "ti_failures"),
    Family("ti_successes", "ti_successes"),
    Family("operator_failures", "operator_failures_<operator>"),
    Family("operator_successes", "operator_successes_<operator>"),
    # DAG runs
    Family("dagrun_duration", "dagrun.duration.success.<dag_id>", static=(("state", "success"),)),
    Family("dagrun_duration", "dagrun.duration.failed.<dag_id>", static=(("state", "failed"),)),
    Family("dagrun_schedule_delay", "dagrun.schedule_delay.<dag_id>"),
    # scheduler
    Family("scheduler_tasks_starving", "scheduler.tasks.starving"),
    Family("scheduler_tasks_executable", "scheduler.tasks.executable"),
    # pools and executors
    *(_pool(f) for f in ("open_slots", "running_slots", "queued_slots", "deferred_slots", "scheduled_slots")),
    _pool("starving_tasks"),
    *(_executor(f) for f in ("open_slots", "queued_tasks", "running_tasks")),
    # DAG processing
    Family("dag_processing_total_parse_time", "dag_processing.total_parse_time", unit="seconds"),
    Family("dag_processing_import_errors", "dag_processing.import_errors"),
    Family("dagbag_size", "dagbag_size"),
    # heartbeats
    Family("scheduler_heartbeat", "scheduler_heartbeat"),
    Family("dag_processor_heartbeat", "dag_processor_heartbeat"),
    Family("triggerer_heartbeat", "triggerer_heartbeat"),
)


def _segment_fits(segment: str, text: str) -> bool:
    """Whether `text` can be `segment`, where each `<value>` in it stands for one or more characters (a glob,
    matched without compiling a regex per segment: the literals in order, leftmost first)."""
    literals = _HOLE.split(segment)[::2]
    if len(literals) == 1:
        return segment == text
    first, *middle, last = literals
    if not text.startswith(first):
        return False
    at = len(first)
    for literal in middle:
        found = text.find(literal, at + 1)  # the hole before it takes at least one character
        if found < 0:
            return False
        at = found + len(literal)
    return len(text) - len(last) >= at + 1 and text.endswith(last)


def _fits(template: str, name: str) -> bool:
    """Whether the catalog name `name` and the family template can be the same StatsD name: segment by segment,
    either side's `<value>` may stand for the other side's text."""
    ours, theirs = template.split("."), name.split(".")
    if len(ours) != len(theirs):
        return False
    return all(
        a == b
        if "<" not in a and "<" not in b
        else bool(_segment_fits(a, _HOLE.sub("x", b)) or _segment_fits(b, _HOLE.sub("x", a)))
        for a, b in zip(ours, theirs, strict=True)
    )


def _sent(catalog: Catalog) -> list[tuple[str, Kind]]:
    """Every StatsD name the target line sends (tagged names and their legacy forms), with its type."""
    out: list[tuple[str, Kind]] = []
    for m in catalog.metrics():
        kind = _KINDS[m.type]
        out.append((m.name, kind))
        if m.legacy_name:
            out.append((m.legacy_name, kind))
    return out


class Mapped(NamedTuple):
    family: Family
    kind: Kind
    plain_sent: bool


@functools.cache
def _mapped_families(catalog: Catalog) -> tuple[Mapped, ...]:
    """The families the line sends, each with the catalog's type for it. Depends on the line's metric names only:
    worked out once per catalog (many specs share one)."""
    sent = _sent(catalog)
    by_segments: dict[int, list[tuple[str, Kind]]] = {}
    for name, kind in sent:  # only names with as many segments as a family's template can fit it
        by_segments.setdefault(name.count("."), []).append((name, kind))
    out = []
    for family in FAMILIES:
        candidates = by_segments.get(family.statsd.count("."), [])
        first = family.statsd.split(".", 1)[0]
        if "<" not in first:  # two literal first segments fit only when equal: compare only those that can
            candidates = [
                (n, k) for n, k in candidates if (head := n.split(".", 1)[0]) == first or "<" in head
            ]
        kinds = [kind for name, kind in candidates if _fits(family.statsd, name)]
        if kinds:
            plain = family.plain is not None and any(name == family.plain for name, _ in sent)
            out.append(Mapped(family, kinds[0], plain))
    return tuple(out)


def produced_metrics(resolved: Resolved) -> dict[str, str]:
    """Prometheus series names the mappings produce -> `counter`, `gauge` or `summary` (timers)."""
    return dict(catalog_produced(resolved.catalog))


@functools.cache
def catalog_produced(catalog: Catalog) -> dict[str, str]:
    """produced_metrics for any spec of the catalog's line (the mappings depend on its metric names only). Callers
    copy it: the cached dict is shared."""
    out: dict[str, str] = {}
    for m in _mapped_families(catalog):
        name = m.family.name(m.kind)
        if m.kind == "timer":
            out.update({name: "summary", f"{name}_count": "summary", f"{name}_sum": "summary"})
        else:
            out[name] = m.kind
    return out


def exporter_name(statsd_name: str, start: bool = True) -> str:
    """The Prometheus name statsd_exporter gives a StatsD name no mapping matches (EscapeMetricName,
    pkg/mapper/escape.go): a leading digit gets `_` before it (`start`: the text begins the name), and each
    character other than a-z, A-Z, 0-9 and `_` becomes `_`, except that the second of two `-` in a row is dropped."""
    out = ["_"] if start and statsd_name[:1].isdigit() else []
    previous = ""
    for c in statsd_name:
        if c == "-" and previous == "-":
            continue  # dropped, and the `-` before it stays the previous character
        out.append(c if c.isascii() and (c.isalnum() or c == "_") else "_")
        previous = c
    return "".join(out)


@functools.cache
def exporter_defaults(catalog: Catalog, prefix: str = "airflow") -> tuple[tuple[str, re.Pattern[str]], ...]:
    """What statsd_exporter exports each name the line sends (tagged and legacy) as when no mapping matches it:
    (the series name with the catalog's `<value>` holes, a pattern of the names it becomes). A value escapes to
    one or more of the characters the escaping keeps. A timer becomes a summary (the exporter's default observer
    type): the name, `_sum` and `_count`."""
    out = []
    for name, kind in _sent(catalog):
        parts = _HOLE.split(f"{prefix}.{name}")  # literal, hole name, literal, ...
        literals = [exporter_name(p, start=i == 0) for i, p in enumerate(parts[::2])]
        shown = "".join(f"<{p}>" if i % 2 else literals[i // 2] for i, p in enumerate(parts))
        body = "[A-Za-z0-9_]+".join(re.escape(p) for p in literals)
        out.append((shown, re.compile(body + ("(?:_sum|_count)?" if kind == "timer" else ""))))
    return tuple(out)


def _mapping(
    prefix: str, statsd: str, name: str, labels: dict[str, str], action: str | None
) -> dict[str, Any]:
    """One mapping; `<label>` holes become glob `*` captures when statsd_exporter's glob syntax allows it."""
    holes = _HOLE.findall(statsd)
    captures = {label: f"${i}" for i, label in enumerate(holes, start=1)}
    glob = f"{prefix}.{_HOLE.sub('*', statsd)}"
    whole = all(_HOLE.fullmatch(seg) or "<" not in seg for seg in statsd.split("."))
    out: dict[str, Any] = {}
    if whole and GLOB_LINE.match(glob):
        out["match"] = glob
    else:
        pattern = "".join(
            "([^.]+)" if part.startswith("<") else re.escape(part)
            for part in re.split(r"(<[a-z_]+>)", f"{prefix}.{statsd}")
        )
        out.update({"match": f"^{pattern}$", "match_type": "regex"})
    out["name"] = name
    all_labels = {label: captures[label] for label in holes} | labels
    if all_labels and action is None:
        out["labels"] = dict(sorted(all_labels.items()))
    if action is not None:
        out["action"] = action
    return out


@functools.cache
def _mappings(catalog: Catalog, prefix: str) -> tuple[dict[str, Any], ...]:
    """Depends on the line's metric names and the prefix only: worked out once per pair (many specs share one).
    Callers get copies (statsd_mappings_data)."""
    return tuple(_build_mappings(catalog, prefix))


def _build_mappings(catalog: Catalog, prefix: str) -> Iterator[dict[str, Any]]:
    for m in _mapped_families(catalog):
        family, name = m.family, m.family.name(m.kind)
        yield _mapping(prefix, family.statsd, name, dict(family.static), None)
        if m.plain_sent and family.plain is not None:
            if family.plain_action == "drop":
                yield _mapping(prefix, family.plain, name, {}, "drop")
            else:
                yield _mapping(prefix, family.plain, name, {label: "" for label in family.labels}, None)


def statsd_mappings_data(resolved: Resolved) -> list[dict[str, Any]]:
    """The `mappings:` list; the Helm values carry it as `statsd.overrideMappings`. A new list of new mappings
    each call (a mapping holds strings and one dict of labels), so that no artifact can change another's."""
    return [
        {key: dict(value) if type(value) is dict else value for key, value in mapping.items()}
        for mapping in _mappings(resolved.catalog, resolved.spec.metrics.statsd.prefix)
    ]


def render(resolved: Resolved) -> str:
    return dump(*document(resolved))


def document(resolved: Resolved) -> Document:
    lines = [
        *header(resolved),
        f"statsd_exporter mappings for the StatsD names Airflow {resolved.airflow_version} sends",
        f"(prefix {resolved.spec.metrics.statsd.prefix!r}); pass with --statsd.mapping-config.",
    ]
    return Document({"mappings": statsd_mappings_data(resolved)}, "\n".join(lines))
