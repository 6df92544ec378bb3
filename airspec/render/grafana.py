"""monitoring/grafana-dashboard.json: a Grafana dashboard for the metrics this deployment really produces.

Every query uses the Prometheus names the compiled StatsD mappings produce for the target Airflow version
(statsd.produced_metrics): a panel whose metrics the version does not emit is left out, so no panel silently shows
nothing after an upgrade. The thresholds drawn on panels are the alert rules' numbers (metrics.alerts), one source.
The dashboard's uid is derived from the spec's name, so re-importing it replaces the same dashboard.

On Helm, kubernetes/grafana-dashboard.yaml carries the same JSON in a ConfigMap labelled `grafana_dashboard: "1"`,
which the Grafana sidecar of kube-prometheus-stack and the Grafana chart picks up.
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring  # C, in CPython
from typing import Any, NamedTuple

from airspec.render.airflow_cfg import header
from airspec.render.prometheus import metrics_in
from airspec.render.statsd import produced_metrics
from airspec.render.yamltext import dump
from airspec.resolve import Resolved

PATH = "monitoring/grafana-dashboard.json"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
WIDTH = 24  # Grafana's grid is 24 columns wide
HEIGHT = 8


class Panel(NamedTuple):
    title: str
    queries: tuple[tuple[str, str], ...]  # (PromQL, legend)
    unit: str = "short"
    threshold: str | None = None  # the alert setting whose number the panel draws as a red line


def _rate(series: str, by: str = "") -> str:
    grouping = f"sum by ({by}) " if by else "sum "
    return f"{grouping}(rate({series}[$__rate_interval]))"


def panels(resolved: Resolved) -> list[tuple[str, list[Panel]]]:
    """Rows of panels whose every metric the target version's mappings produce."""
    executor_row = (
        "Celery workers"
        if resolved.uses_celery and not resolved.uses_kubernetes
        else (
            "Kubernetes task pods" if resolved.uses_kubernetes and not resolved.uses_celery else "Executors"
        )
    )
    rows: list[tuple[str, list[Panel]]] = [
        (
            "Scheduler",
            [
                Panel(
                    "Scheduler heartbeats", ((_rate("airflow_scheduler_heartbeat_total"), "heartbeats/s"),)
                ),
                Panel(
                    "Tasks starving and executable",
                    (
                        ("airflow_scheduler_tasks_starving", "starving"),
                        ("airflow_scheduler_tasks_executable", "executable"),
                    ),
                    threshold="starving_tasks",
                ),
            ],
        ),
        (
            "DAG processing",
            [
                Panel(
                    "Total parse time",
                    (("airflow_dag_processing_total_parse_time_seconds", "parse time"),),
                    unit="s",
                    threshold="dag_parse_time",
                ),
                Panel("Import errors", (("airflow_dag_processing_import_errors", "import errors"),)),
                Panel("DAGs in the DAG bag", (("airflow_dagbag_size", "DAGs"),)),
                Panel(
                    "DAG processor heartbeats",
                    ((_rate("airflow_dag_processor_heartbeat_total"), "heartbeats/s"),),
                ),
            ],
        ),
        (
            "Task outcomes",
            [
                Panel(
                    "Task instances finished by state",
                    ((_rate('airflow_ti_finish_total{dag_id=~"$dag_id"}', "state"), "{{state}}"),),
                ),
                Panel("Task failures", ((_rate("airflow_ti_failures_total"), "failures/s"),)),
                Panel(
                    "Failures by operator",
                    ((_rate("airflow_operator_failures_total", "operator"), "{{operator}}"),),
                ),
                Panel(
                    "Task duration (median)",
                    (
                        (
                            'airflow_task_duration_seconds{dag_id=~"$dag_id",quantile="0.5"}',
                            "{{dag_id}}.{{task_id}}",
                        ),
                    ),
                    unit="s",
                ),
            ],
        ),
        (
            "DAG runs",
            [
                Panel(
                    "DAG run duration (median) by state",
                    (
                        (
                            'airflow_dagrun_duration_seconds{dag_id=~"$dag_id",quantile="0.5"}',
                            "{{dag_id}} {{state}}",
                        ),
                    ),
                    unit="s",
                ),
                Panel(
                    "Failed DAG runs",
                    (
                        (
                            _rate(
                                'airflow_dagrun_duration_seconds_count{dag_id=~"$dag_id",state="failed"}',
                                "dag_id",
                            ),
                            "{{dag_id}}",
                        ),
                    ),
                ),
                Panel(
                    "Schedule delay (median)",
                    (
                        (
                            'airflow_dagrun_schedule_delay_seconds{dag_id=~"$dag_id",quantile="0.5"}',
                            "{{dag_id}}",
                        ),
                    ),
                    unit="s",
                ),
            ],
        ),
        (
            "Pools",
            [
                Panel(
                    f"Pool slots: {field}",
                    ((f'airflow_pool_{field}_slots{{pool=~"$pool"}}', "{{pool}}"),),
                )
                for field in ("open", "running", "queued", "deferred")
            ]
            + [
                Panel(
                    "Open slots ratio",
                    (
                        (
                            'airflow_pool_open_slots{pool=~"$pool"} / (airflow_pool_open_slots{pool=~"$pool"} + '
                            'airflow_pool_running_slots{pool=~"$pool"} + airflow_pool_queued_slots{pool=~"$pool"})',
                            "{{pool}}",
                        ),
                    ),
                    unit="percentunit",
                    threshold="pool_open_slots_ratio",
                )
            ],
        ),
        (
            executor_row,
            [
                Panel(
                    f"Executor slots: {field.replace('_', ' ')}",
                    ((f"airflow_executor_{field}", "{{executor}}"),),
                )
                for field in ("open_slots", "queued_tasks", "running_tasks")
            ],
        ),
    ]
    if resolved.runs_triggerer:
        rows.append(
            (
                "Triggerer",
                [
                    Panel(
                        "Triggerer heartbeats",
                        ((_rate("airflow_triggerer_heartbeat_total"), "heartbeats/s"),),
                    )
                ],
            )
        )
    produced = produced_metrics(resolved)
    kept = []
    for title, row in rows:
        row = [p for p in row if all(m in produced for q, _ in p.queries for m in metrics_in(q))]
        if row:
            kept.append((title, row))
    return kept


def _threshold(resolved: Resolved, setting: str | None) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"color": "green", "value": None}]
    if setting is not None:
        alerts = resolved.spec.metrics.alerts
        steps.append({"color": "red", "value": float(getattr(alerts, setting))})
    return steps


def _panel(resolved: Resolved, panel: Panel, pid: int, x: int, y: int, width: int) -> dict[str, Any]:
    custom = {"thresholdsStyle": {"mode": "line" if panel.threshold else "off"}}
    return {
        "type": "timeseries",
        "id": pid,
        "title": panel.title,
        "datasource": DATASOURCE,
        "gridPos": {"h": HEIGHT, "w": width, "x": x, "y": y},
        "targets": [
            {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": chr(ord("A") + i)}
            for i, (expr, legend) in enumerate(panel.queries)
        ],
        "transparent": False,
        "repeatDirection": "h",
        "transformations": [],
        "fieldConfig": {
            "defaults": {
                "unit": panel.unit,
                "custom": custom,
                "thresholds": {"mode": "absolute", "steps": _threshold(resolved, panel.threshold)},
            },
            "overrides": [],
        },
        "options": {},
    }


# What Grafana's own model (grafana-foundation-sdk) writes for every variable: spelled out, so the dashboard reads
# back through that model as exactly this data.
_VARIABLE_DEFAULTS = {
    "id": "00000000-0000-0000-0000-000000000000",
    "hide": 0,
    "skipUrlSync": False,
    "auto": False,
    "auto_count": 30,
    "auto_min": "10s",
}


def _variable(name: str, label: str, query: str) -> dict[str, Any]:
    return {
        "type": "query",
        "name": name,
        "label": label,
        "datasource": DATASOURCE,
        "query": query,
        "refresh": 2,
        "includeAll": True,
        "multi": True,
        "allValue": ".*",
        "current": {"text": "All", "value": "$__all"},
        "options": [],
        **_VARIABLE_DEFAULTS,
    }


def uid(resolved: Resolved) -> str:
    return "airspec-" + hashlib.sha256(resolved.spec.name.encode("utf-8")).hexdigest()[:12]


def dashboard(resolved: Resolved) -> dict[str, Any]:
    out_panels: list[dict[str, Any]] = []
    pid, y = 1, 0
    for title, row in panels(resolved):
        out_panels.append(
            {
                "type": "row",
                "id": pid,
                "title": title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": WIDTH, "x": 0, "y": y},
                "panels": [],
            }
        )
        pid, y = pid + 1, y + 1
        width = WIDTH // min(len(row), 4) if row else WIDTH
        for i, panel in enumerate(row):
            x = (i % 4) * width
            if i and i % 4 == 0:
                y += HEIGHT
            out_panels.append(_panel(resolved, panel, pid, x, y, width))
            pid += 1
        y += HEIGHT
    dag_source = "airflow_dagrun_duration_seconds_count"
    pool_source = "airflow_pool_open_slots"
    variables = [
        {
            "type": "datasource",
            "name": "datasource",
            "label": "Prometheus",
            "query": "prometheus",
            "current": {"text": "", "value": ""},
            "options": [],
            "includeAll": False,
            "multi": False,
            **_VARIABLE_DEFAULTS,
        },
        _variable("dag_id", "DAG", f"label_values({dag_source}, dag_id)"),
        _variable("pool", "Pool", f"label_values({pool_source}, pool)"),
    ]
    return {
        "uid": uid(resolved),
        "title": f"Airflow {resolved.spec.name}",
        "description": f"Airflow {resolved.airflow_version}, generated by airspec",
        "tags": ["airflow", "airspec"],
        "timezone": "browser",
        "editable": True,
        "style": "dark",
        "graphTooltip": 0,
        "fiscalYearStartMonth": 0,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "1m",
        "schemaVersion": 39,
        "version": 1,
        "panels": out_panels,
        "templating": {"list": variables},
        "annotations": {"list": []},
    }


def render(resolved: Resolved) -> str:
    # Encoded once per model: the ConfigMap carries the same text.
    text = resolved.derived.get(PATH)
    if text is None:
        text = indented_json(dashboard(resolved)) + "\n"
        resolved.derived[PATH] = text
    return text


def indented_json(value: Any, indent: str = "\n") -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)` for what a dashboard holds (dict, list, str, int, float,
    bool, None), with json's C string encoder: the stdlib's indenting encoder is pure Python, and this takes half
    its time (~1 ms less a spec, ~2.5 ms of a cold compile). tests/test_grafana.py checks the two agree."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    inner = indent + "  "
    if kind is dict:
        if not value:
            return "{}"
        items = [f"{inner}{encode_basestring(k)}: {indented_json(v, inner)}" for k, v in value.items()]
        return "{" + ",".join(items) + indent + "}"
    if kind is list:
        if not value:
            return "[]"
        return "[" + ",".join([inner + indented_json(v, inner) for v in value]) + indent + "]"
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return json.dumps(value)  # as the encoder writes a float (NaN and Infinity too)
    raise TypeError(f"not JSON: {kind.__name__}")


def render_configmap(resolved: Resolved) -> str:
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{resolved.release}-grafana-dashboard",
            "namespace": resolved.namespace,
            "labels": {"grafana_dashboard": "1"},
        },
        "data": {f"airflow-{resolved.spec.name}.json": render(resolved)},
    }
    lines = [
        *header(resolved),
        "The Grafana dashboard (monitoring/grafana-dashboard.json) in a ConfigMap labelled for Grafana's dashboard",
        "sidecar (kube-prometheus-stack, the Grafana chart): kubectl apply -f grafana-dashboard.yaml.",
    ]
    return dump(configmap, "\n".join(lines))
