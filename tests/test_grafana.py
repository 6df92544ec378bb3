"""The Grafana dashboard, read by Grafana's own model and by promtool, and checked against the metrics the
compiled StatsD mappings produce (the same matcher that checks the alert rules)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from airspec.artifacts import build
from airspec.render import grafana
from airspec.resolve import Resolved
from tests.conftest import ROOT
from tests.test_monitoring import CASES, mapper, sent
from tests.test_monitoring import produced as produced_series
from tests.validators import run_tool, tool

KUBERNETES_VERSION = "1.33.0"


def _dashboard(resolved: Resolved) -> dict[str, Any]:
    (text,) = [a.text for a in build(resolved) if a.kind == "grafana-dashboard"]
    data: dict[str, Any] = json.loads(text)
    return data


def _queries(dashboard: dict[str, Any]) -> list[str]:
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    exprs += [v["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return exprs


def _as_promql(query: str) -> str:
    """Grafana's variables as Prometheus sees them once Grafana fills them in."""
    query = query.replace("$__rate_interval", "5m").replace("$dag_id", ".*").replace("$pool", ".*")
    found = re.fullmatch(r"label_values\((\w+), (\w+)\)", query)
    return f"count by ({found.group(2)}) ({found.group(1)})" if found else query


def test_dashboard_reads_back_through_grafanas_model() -> None:
    sdk = pytest.importorskip(
        "grafana_foundation_sdk", reason="grafana-foundation-sdk (test extra) is missing"
    )
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models.dashboard import Dashboard

    assert sdk
    for case, resolved in CASES.items():
        if not resolved.spec.metrics.statsd.enabled:
            continue
        data = _dashboard(resolved)
        back = json.loads(json.dumps(Dashboard.from_json(data), cls=JSONEncoder))
        assert back == data, case


def test_every_query_is_promql(tmp_path: Path) -> None:
    rules = []
    for case, resolved in CASES.items():
        if resolved.spec.metrics.statsd.enabled:
            for i, query in enumerate(_queries(_dashboard(resolved))):
                rules.append(
                    {"record": f"dashboard:{re.sub(r'[^a-z0-9]', '_', case)}:{i}", "expr": _as_promql(query)}
                )
    path = tmp_path / "queries.yml"
    path.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}), encoding="utf-8")
    checked = run_tool([tool("promtool"), "check", "rules", str(path)])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rules)} rules found" in checked.stdout


def test_every_metric_and_label_is_produced_by_the_mappings() -> None:
    for case, resolved in CASES.items():
        if not resolved.spec.metrics.statsd.enabled:
            continue
        made = produced_series(resolved)
        labels: dict[str, set[str]] = {}
        m = mapper(resolved)
        for name, metric in sent(resolved).items():
            result = m.get(name)
            if result.mapping is not None and not result.dropped:
                extra = {"quantile"} if metric.type == "timer" else set()
                labels.setdefault(result.name, set()).update(set(result.labels) | extra)
        for query in _queries(_dashboard(resolved)):
            used = set(re.findall(r"\bairflow_[a-z0-9_]+", query))
            assert used and used <= made, (case, query, used - made)
            for series, selector in re.findall(r"\b(airflow_[a-z0-9_]+?)(?:_count|_sum)?\{([^}]*)\}", query):
                names = set(re.findall(r"(\w+)=~?\"", selector))
                assert names <= labels.get(series, set()), (case, query, names - labels.get(series, set()))


def test_thresholds_are_the_alert_settings() -> None:
    text = (ROOT / "examples/kubernetes-helm/airflow-spec.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    scrape_interval: 15s\n",
        "    scrape_interval: 15s\n  alerts: {dag_parse_time: 45s, starving_tasks: 3, pool_open_slots_ratio: 0.25}\n",
    )
    from airspec import pipeline

    panels = {p["title"]: p for p in _dashboard(pipeline.from_text(text))["panels"]}
    red = {
        t: p["fieldConfig"]["defaults"]["thresholds"]["steps"][-1]["value"]
        for t, p in panels.items()
        if "fieldConfig" in p and len(p["fieldConfig"]["defaults"]["thresholds"]["steps"]) > 1
    }
    assert red == {"Total parse time": 45, "Tasks starving and executable": 3, "Open slots ratio": 0.25}


def test_panels_follow_the_deployment() -> None:
    rows = {
        case: [p["title"] for p in _dashboard(r)["panels"] if p["type"] == "row"]
        for case, r in CASES.items()
        if r.spec.metrics.statsd.enabled
    }
    assert (
        "Kubernetes task pods" in rows["kubernetes-helm"] and "Celery workers" not in rows["kubernetes-helm"]
    )
    assert (
        "Celery workers" in rows["airflow2-celery-helm"]
        and "Kubernetes task pods" not in rows["airflow2-celery-helm"]
    )
    assert "Celery workers" in rows["celery-compose"]
    for case, titles in rows.items():
        assert titles[:5] == ["Scheduler", "DAG processing", "Task outcomes", "DAG runs", "Pools"], case
    from airspec import pipeline

    quiet = pipeline.from_text("name: t\nairflow: {version: '3.3'}\ntriggerer: {enabled: false}\n")
    assert "Triggerer" not in [p["title"] for p in _dashboard(quiet)["panels"] if p["type"] == "row"]
    assert grafana.uid(quiet) == grafana.uid(pipeline.from_text("name: t\nairflow: {version: '2.11'}\n"))


def test_configmap_is_valid_kubernetes_and_carries_the_dashboard(tmp_path: Path) -> None:
    resolved = CASES["kubernetes-helm"]
    by_kind = {a.kind: a.text for a in build(resolved)}
    path = tmp_path / "grafana-dashboard.yaml"
    path.write_text(by_kind["grafana-dashboard-configmap"], encoding="utf-8")
    proc = run_tool([tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    configmap = YAML(typ="safe", pure=True).load(by_kind["grafana-dashboard-configmap"])
    assert configmap["metadata"]["labels"] == {"grafana_dashboard": "1"}
    (data,) = configmap["data"].values()
    assert data == by_kind["grafana-dashboard"]


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=40,
)


@given(_JSON_VALUES)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_indented_json_writes_what_the_stdlib_encoder_writes(value: Any) -> None:
    """The dashboard's encoder against the oracle it replaces, byte for byte (any text, any number, nesting,
    empty containers)."""
    assert grafana.indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_dashboard_text_is_the_stdlib_encoding(name: str) -> None:
    resolved = CASES[name]
    text = grafana.render(resolved)
    assert text == json.dumps(grafana.dashboard(resolved), indent=2, ensure_ascii=False) + "\n"
