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


# ------------------------------------------------------------------------------------ compose provisioning
#
# What Grafana's provisioning readers accept, from Grafana's own code (grafana/grafana, read through the stored
# source index: no Grafana binary is available here). Grafana unmarshals each file with a non-strict YAML decoder
# into the structs below, so a key it does not know is dropped without a word: every key written must be one of
# their `yaml:` tags, with a value of the field's type.
# - pkg/services/provisioning/datasources/types.go @ 01c834234982c8ae5eba61acd1313c1c4443e9dd: configVersion
#   {apiVersion int64}; configsV1 {datasources, deleteDatasources}; upsertDataSourceFromConfigV1 (DATASOURCE).
# - pkg/services/provisioning/datasources/config_reader.go (the yaml.v3 version that checks orgs through
#   org.Service): apiVersion > 0 reads configsV1, else the deprecated snake_case V0 keys; at most one isDefault per
#   org (orgId 0 is org 1); access "" means proxy, any value but proxy or direct is logged and replaced by proxy.
# - pkg/services/provisioning/dashboards/types.go @ 1411ff8797bd3fc717e206d6afa9bd1fccd9567f: configV1
#   {providers}; configs (PROVIDER); a provider name used twice is an error (mapToDashboardsAsConfig); a dashboard
#   without a title is refused (createDashboardJSON).
# - pkg/services/provisioning/dashboards/config_reader.go @ 0524cbafcfcf42e76480675784159fd31136e4d2: type ""
#   means file.
# - pkg/services/provisioning/dashboards/file_reader.go @ 005556632f326aa10e9f0f22510aad6c84fa0756: the file
#   provider needs options.path as a string and reads only files whose names end in .json.
# - pkg/services/provisioning/values/values.go @ 03d9862a11fa9db1790da9ae5bc3577700e7fe61: every string goes
#   through os.ExpandEnv (`$$` for a literal `$`); Int64Value is strconv.ParseInt, BoolValue strconv.ParseBool.
# - public/app/plugins/datasource/prometheus/types.ts: PromOptions (a Prometheus data source's jsonData) has
#   timeInterval, the scrape interval.

_INT, _STR, _BOOL, _MAP, _LIST = "int", "str", "bool", "map", "list"
DATASOURCES_FILE = {"apiVersion": _INT, "datasources": _LIST, "deleteDatasources": _LIST}
DATASOURCE = {
    "orgId": _INT,
    "orgName": _STR,
    "version": _INT,
    "name": _STR,
    "type": _STR,
    "access": _STR,
    "url": _STR,
    "user": _STR,
    "database": _STR,
    "basicAuth": _BOOL,
    "basicAuthUser": _STR,
    "withCredentials": _BOOL,
    "isDefault": _BOOL,
    "correlations": _LIST,
    "jsonData": _MAP,
    "secureJsonData": _MAP,
    "editable": _BOOL,
    "uid": _STR,
}
PROMETHEUS_JSON_DATA = {"timeInterval": _STR, "queryTimeout": _STR, "httpMethod": _STR, "directUrl": _STR}
PROVIDERS_FILE = {"apiVersion": _INT, "providers": _LIST}
PROVIDER = {
    "name": _STR,
    "type": _STR,
    "orgId": _INT,
    "folder": _STR,
    "folderUid": _STR,
    "editable": _BOOL,
    "options": _MAP,
    "disableDeletion": _BOOL,
    "updateIntervalSeconds": _INT,
    "allowUiUpdates": _BOOL,
}
_PYTHON = {_INT: int, _STR: str, _BOOL: bool, _MAP: dict, _LIST: list}


def _fields(where: str, data: Any, known: dict[str, str]) -> list[str]:
    if not isinstance(data, dict):
        return [f"{where}: not a mapping"]
    problems = [f"{where}.{k}: not a field Grafana reads" for k in data if k not in known]
    for key, value in data.items():
        kind = known.get(key)
        # bool is an int in Python; Go's ParseInt would refuse `true`
        if kind is not None and (
            not isinstance(value, _PYTHON[kind]) or (kind == _INT and isinstance(value, bool))
        ):
            problems.append(f"{where}.{key}: expected {kind}, got {value!r}")
    return problems


def _strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return [data] if isinstance(data, str) else []


def grafana_reads_datasources(data: Any) -> list[str]:
    """What Grafana's data source reader would drop, reject or rewrite in a provisioning file ([] when none)."""
    problems = _fields("", data, DATASOURCES_FILE)
    if problems:
        return problems
    if not data.get("apiVersion", 0) > 0:
        problems.append("apiVersion: missing or 0, so Grafana reads the deprecated V0 keys")
    defaults: dict[int, int] = {}
    for i, source in enumerate(data.get("datasources") or []):
        problems += _fields(f"datasources[{i}]", source, DATASOURCE)
        if not isinstance(source, dict):
            continue
        if source.get("access", "proxy") not in ("proxy", "direct"):
            problems.append(f"datasources[{i}].access: Grafana replaces {source['access']!r} by proxy")
        if not source.get("name"):
            problems.append(f"datasources[{i}].name: empty")
        if source.get("isDefault"):
            org = source.get("orgId") or 1
            defaults[org] = defaults.get(org, 0) + 1
            if defaults[org] > 1:
                problems.append(f"datasources[{i}]: a second default data source in org {org}")
        if source.get("type") == "prometheus":
            problems += _fields(
                f"datasources[{i}].jsonData", source.get("jsonData", {}), PROMETHEUS_JSON_DATA
            )
    problems += [f"{s!r}: Grafana expands `$` as an environment variable" for s in _strings(data) if "$" in s]
    return problems


def grafana_reads_providers(data: Any) -> list[str]:
    """What Grafana's dashboard provider reader would drop, reject or rewrite ([] when none)."""
    problems = _fields("", data, PROVIDERS_FILE)
    if problems:
        return problems
    if not data.get("apiVersion", 0) > 0:
        problems.append("apiVersion: missing or 0, so Grafana reads the deprecated V0 keys")
    names = [p.get("name") for p in data.get("providers") or [] if isinstance(p, dict)]
    if len(names) != len(set(names)):
        problems.append(f"providers: a name used twice: {names}")
    for i, provider in enumerate(data.get("providers") or []):
        problems += _fields(f"providers[{i}]", provider, PROVIDER)
        is_file = isinstance(provider, dict) and provider.get("type", "file") in ("", "file")
        if is_file and not isinstance((provider.get("options") or {}).get("path"), str):
            problems.append(f"providers[{i}].options.path: the file provider needs a path")
    problems += [f"{s!r}: Grafana expands `$` as an environment variable" for s in _strings(data) if "$" in s]
    return problems


def test_the_reader_checks_find_what_grafana_would_drop() -> None:
    """The checks above can fail: a misspelt key, a V0 file, two defaults, a string value where a bool goes."""
    bad = {
        "apiVersion": 1,
        "datasources": [
            {"name": "a", "type": "prometheus", "isdefault": True, "jsonData": {"timeinterval": "30s"}},
            {"name": "b", "isDefault": True},
            {"name": "c", "isDefault": True, "editable": "no", "url": "http://$HOST:9090"},
        ],
    }
    found = grafana_reads_datasources(bad)
    assert any("isdefault: not a field" in p for p in found)
    assert any("timeinterval: not a field" in p for p in found)
    assert any("second default" in p for p in found)
    assert any("editable: expected bool" in p for p in found)
    assert any("expands `$`" in p for p in found)
    assert grafana_reads_datasources({"datasources": []})
    assert grafana_reads_providers(
        {"apiVersion": 1, "providers": [{"name": "x", "options": {"folder": "/d"}}]}
    )


def test_compose_provisioning_is_what_grafana_reads() -> None:
    """Every compose case with Grafana: both provisioning files read by Grafana's rules without loss, the data
    source's scrape interval the one prometheus.yml scrapes at, and the provided dashboard has the title Grafana
    requires."""
    checked = 0
    for case, resolved in CASES.items():
        built = {a.kind: a.text for a in build(resolved)}
        if "grafana-datasources" not in built:
            continue
        checked += 1
        sources = YAML(typ="safe", pure=True).load(built["grafana-datasources"])
        providers = YAML(typ="safe", pure=True).load(built["grafana-dashboard-provider"])
        assert grafana_reads_datasources(sources) == [], case
        assert grafana_reads_providers(providers) == [], case
        scrape = YAML(typ="safe", pure=True).load(built["prometheus-scrape"])
        (source,) = sources["datasources"]
        assert source["jsonData"]["timeInterval"] == scrape["global"]["scrape_interval"], case
        assert json.loads(built["grafana-dashboard"])["title"], case
    assert checked >= 2


def test_diff_tells_each_provisioning_file_by_its_content() -> None:
    """A provisioning file handed to `airspec diff` alone is recognised as the artifact it is."""
    from airspec.diff import sources

    built = build(CASES["minimal"])
    for artifact in built:
        if artifact.kind in ("grafana-datasources", "grafana-dashboard-provider"):
            (found,) = sources.read_file("deployed.yaml", artifact.text, built)
            assert found.kind == artifact.kind


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
