"""Prometheus scrape config and alert rules for the metrics the statsd_exporter mappings produce.

The scrape config has a job for the statsd-exporter the deployment runs (compose: the `statsd-exporter` service;
Helm: the chart's Service `<release>-statsd` in the namespace; scrape port 9102, the chart's `ports.statsdScrape`),
none when `metrics.statsd.host` sends StatsD elsewhere; one for `metrics.prometheus.targets`; and it loads
`alert-rules.yml` from beside it. Every duration is written in one
unit (`90m`, not `1h30m`): SchemaStore's schema allows no other form.

Alert rules read only names `airspec.render.statsd` produces for the target version, and a rule whose metrics the
version does not send is left out. Each has `for: <metrics.alerts.sustained>`, a `severity` label and a summary.

- Parse time: `dag_processing.total_parse_time` (seconds) above `dag_parse_time`.
- Starving tasks: `scheduler.tasks.starving` above `starving_tasks`.
- Failed DAG runs and task failures count events over a window of `sustained` plus four scrapes, so one event
  keeps the condition true for longer than `for:`. A series that existed a window ago counts its growth
  (`x - x offset w`: exact, where `increase()` extrapolates N events to more than N); a younger one counts whole,
  because statsd_exporter creates a counter at its first event, at 1. So the first scrape of an exporter whose
  counters already hold failures counts them once, and an exporter restart inside the window hides the events of
  that window.
- Pool open slots below `pool_open_slots_ratio` of the pool: Airflow computes open = total - running - queued
  (- deferred in pools with include_deferred), so the pool's size is open + running + queued; for a pool that
  counts deferred tasks this understates the size and the alert fires later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from airspec.render.airflow_cfg import header
from airspec.render.statsd import produced_metrics
from airspec.render.yamltext import Document, dump

if TYPE_CHECKING:  # annotations only: lint reads metric names without the spec models
    from airspec.resolve import Resolved

SCRAPE_PORT = 9102
RULES_FILE = "alert-rules.yml"
_DEFAULT_SCRAPE_TIMEOUT = 10  # Prometheus' default; it may not exceed the interval
_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
# A name that goes on into a `:` (a recording rule's), a Grafana variable (`airflow_pool_$field`, `[[field]]`) or
# from one is not a whole metric name.
_METRIC = re.compile(r"(?<![\w:$])airflow_\w+(?![\w:$]|\[\[)", re.ASCII)


def metrics_in(query: str) -> set[str]:
    """The airflow_ series a PromQL query reads (alert rules, dashboard panels, dashboards lint reads)."""
    return set(_METRIC.findall(query))


def duration(seconds: float) -> str:
    """Seconds -> one Prometheus duration unit: 5400 -> `90m`, 0.25 -> `250ms`."""
    if not float(seconds).is_integer():
        return f"{round(seconds * 1000)}ms"
    whole = int(seconds)
    if whole == 0:
        return "0s"
    unit, size = next((u, s) for u, s in _UNITS if whole % s == 0)
    return f"{whole // size}{unit}"


def exporter_target(resolved: Resolved) -> str | None:
    """host:port of the statsd-exporter the deployment runs (the host [metrics] statsd_host names, at the scrape
    port), or None when it runs none: the exporter is off, or `metrics.statsd.host` sends StatsD elsewhere (list
    that exporter in `metrics.prometheus.targets`)."""
    statsd = resolved.spec.metrics.statsd
    if not statsd.exporter.enabled or statsd.host is not None:
        return None
    return f"{resolved.option('metrics', 'statsd_host') or 'statsd-exporter'}:{SCRAPE_PORT}"


def _interval(resolved: Resolved) -> float:
    # A zero interval is no interval to scrape at; the shortest written is 1s.
    return max(resolved.spec.metrics.prometheus.scrape_interval, 1)


def config_data(resolved: Resolved) -> dict[str, Any]:
    prom = resolved.spec.metrics.prometheus
    interval = _interval(resolved)
    glob: dict[str, Any] = {"scrape_interval": duration(interval), "evaluation_interval": duration(interval)}
    if interval < _DEFAULT_SCRAPE_TIMEOUT:
        glob["scrape_timeout"] = duration(interval)
    jobs: list[dict[str, Any]] = []
    target = exporter_target(resolved)
    if target is not None:
        jobs.append({"job_name": "airflow-statsd-exporter", "static_configs": [{"targets": [target]}]})
    if prom.targets:
        jobs.append({"job_name": "airflow-extra", "static_configs": [{"targets": sorted(set(prom.targets))}]})
    return {"global": glob, "rule_files": [RULES_FILE], "scrape_configs": jobs}


def render(resolved: Resolved) -> str:
    return dump(*document(resolved))


def document(resolved: Resolved) -> Document:
    lines = [*header(resolved), f"Prometheus scrape config; loads {RULES_FILE} from the same folder."]
    return Document(config_data(resolved), "\n".join(lines))


class Rule(NamedTuple):
    alert: str
    expr: str
    severity: str
    summary: str

    def metrics(self) -> set[str]:
        return metrics_in(self.expr)


def _events(series: str, window: str, by: str) -> str:
    """Events counted by `series` over `window`, per `by`; a series younger than the window counts whole."""
    grouping = f"sum by ({by}) " if by else "sum "
    return (
        f"{grouping}(\n"
        f"  ({series} - {series} offset {window})\n"
        f"  or\n"
        f"  ({series} unless {series} offset {window})\n"
        f")"
    )


def rules(resolved: Resolved) -> list[Rule]:
    """The alert rules whose metrics the target version's mappings produce."""
    from airspec.options import cfg_number  # the spec models: only rendering needs them, not metrics_in

    alerts, name = resolved.spec.metrics.alerts, resolved.spec.name
    window = duration(alerts.sustained + 4 * _interval(resolved))
    failed_runs = 'airflow_dagrun_duration_seconds_count{state="failed"}'
    candidates = [
        Rule(
            "AirflowDagParseTimeHigh",
            f"airflow_dag_processing_total_parse_time_seconds > {cfg_number(alerts.dag_parse_time)}",
            "warning",
            f"Airflow {name}: parsing all DAG files takes {{{{ $value | humanizeDuration }}}} "
            f"(threshold {duration(alerts.dag_parse_time)})",
        ),
        Rule(
            "AirflowTasksStarving",
            f"airflow_scheduler_tasks_starving > {alerts.starving_tasks}",
            "warning",
            f"Airflow {name}: {{{{ $value }}}} tasks cannot be scheduled for lack of pool slots "
            f"(threshold {alerts.starving_tasks})",
        ),
        Rule(
            "AirflowDagRunFailed",
            f"{_events(failed_runs, window, 'dag_id')} > {alerts.failed_dag_runs}",
            "critical",
            f"Airflow {name}: DAG {{{{ $labels.dag_id }}}} had {{{{ $value }}}} failed runs in {window} "
            f"(threshold {alerts.failed_dag_runs})",
        ),
        Rule(
            "AirflowPoolOpenSlotsLow",
            "airflow_pool_open_slots\n"
            "  / (airflow_pool_open_slots + airflow_pool_running_slots + airflow_pool_queued_slots)\n"
            f"< {cfg_number(alerts.pool_open_slots_ratio)}",
            "warning",
            f"Airflow {name}: pool {{{{ $labels.pool }}}} has {{{{ $value | humanizePercentage }}}} of its slots "
            f"open (threshold {cfg_number(round(alerts.pool_open_slots_ratio * 100, 6))}%)",
        ),
        Rule(
            "AirflowTaskFailures",
            f"{_events('airflow_ti_failures_total', window, '')} > {alerts.task_failures}",
            "warning",
            f"Airflow {name}: {{{{ $value }}}} task instances failed in {window} "
            f"(threshold {alerts.task_failures})",
        ),
    ]
    produced = produced_metrics(resolved)
    return [r for r in candidates if r.metrics() <= produced.keys()]


def _rule_data(rule: Rule, sustained: str) -> Iterator[tuple[str, Any]]:
    yield "alert", rule.alert
    yield "expr", rule.expr
    yield "for", sustained
    yield "labels", {"severity": rule.severity}
    yield "annotations", {"summary": rule.summary}


def rules_data(resolved: Resolved) -> dict[str, Any]:
    sustained = duration(resolved.spec.metrics.alerts.sustained)
    group = {"name": "airflow", "rules": [dict(_rule_data(r, sustained)) for r in rules(resolved)]}
    return {"groups": [group]}


def render_rules(resolved: Resolved) -> str:
    return dump(*rules_document(resolved))


def rules_document(resolved: Resolved) -> Document:
    lines = [*header(resolved), "Prometheus alert rules over the metrics of statsd-mappings.yaml."]
    return Document(rules_data(resolved), "\n".join(lines))
