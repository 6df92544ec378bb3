"""Monitoring artifacts read by their real consumers: promtool (check config, check rules, and unit tests that show
every alert firing on synthetic series and staying silent below its threshold), SchemaStore's schemas, and
statsd_exporter's mapping semantics (tests/statsd_match.py) run over the StatsD names each Airflow line sends."""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from airspec.artifacts import build
from airspec.catalog import Metric
from airspec.render import prometheus, statsd
from airspec.render.prometheus import duration
from airspec.resolve import Resolved
from tests.conftest import EXAMPLES
from tests.statsd_match import Mapper, Result
from tests.test_airflow_cfg import resolved_example, resolved_text
from tests.validators import run_tool, shared, tool

MONITORING = {
    "statsd-mappings": "monitoring/statsd-mappings.yaml",
    "prometheus-scrape": "monitoring/prometheus.yml",
    "prometheus-rules": "monitoring/alert-rules.yml",
}

VARIANTS = {
    # compose, its own prefix, a scrape interval under Prometheus' 10s timeout, extra targets, other thresholds
    "compose-custom": """\
name: custom
airflow:
  version: "3.3"
targets: [compose]
database:
  password: {env: PG_PASSWORD}
secrets:
  api_secret_key: {env: API_SECRET_KEY}
  jwt_secret: {env: JWT_SECRET}
metrics:
  statsd:
    prefix: myco
  prometheus:
    scrape_interval: 5s
    targets: [node-exporter:9100, "10.0.0.7:9187"]
  alerts:
    dag_parse_time: 45
    starving_tasks: 3
    failed_dag_runs: 2
    pool_open_slots_ratio: 0.25
    task_failures: 4
    sustained: 90m
""",
    "helm-3.0": """\
name: three-oh
airflow:
  version: "3.0"
kubernetes:
  namespace: data
  release: af
""",
    "helm-2.10": """\
name: two-ten
airflow:
  version: "2.10"
executor: CeleryExecutor
""",
    # a prefix statsd_exporter's glob syntax refuses (a segment may not start with a digit): regex mappings
    "digit-prefix": """\
name: digits
airflow:
  version: "3.3"
targets: [compose]
database:
  password: {env: PG_PASSWORD}
secrets:
  api_secret_key: {env: API_SECRET_KEY}
  jwt_secret: {env: JWT_SECRET}
metrics:
  statsd:
    prefix: 9lives
  alerts:
    sustained: 0
""",
    # StatsD goes to the user's own exporter: no exporter job, their target instead
    "external-statsd": """\
name: external
airflow:
  version: "3.2"
metrics:
  statsd:
    host: statsd.monitoring.svc.cluster.local
  prometheus:
    targets: [statsd.monitoring.svc.cluster.local:9102]
""",
    "exporter-off": """\
name: bare
airflow:
  version: "3.1"
metrics:
  statsd:
    host: statsd.example.com
    exporter:
      enabled: false
""",
}

STATSD_OFF = """\
name: quiet
airflow:
  version: "3.3"
metrics:
  statsd:
    enabled: false
"""

# Values for the catalog's <placeholders>; several values give several names.
SAMPLES: dict[str, tuple[str, ...]] = {
    "dag_id": ("hello",),
    "task_id": ("say",),
    "state": ("success", "failed"),
    "pool_name": ("default_pool",),
    "executor_name": ("LocalExecutor",),
    "executor_class_name": ("LocalExecutor",),
    "operator_name": ("BashOperator",),
    "task_type": ("BashOperator",),
    "file_name": ("hello",),
    "dag_file": ("hello",),
    "bundle_name": ("dags-folder",),
    "hostname": ("vm",),
    "queue": ("default",),
    "job_name": ("scheduler_job",),
}
# Names Airflow 3 does not send (tests/statsd_match shows no mapping would meet them).
GONE_IN_AIRFLOW_3 = (
    "scheduler.tasks.running",
    "pool.used_slots.default_pool",
    "task_fail_count",
    "zombies_killed",
)
CHART_DEAD_ON_3 = {
    "airflow.dagrun.dependency-check.*.*",
    "airflow.dag_processing.last_runtime.*",
    "airflow.pool.used_slots.*",
}
SUMMARY_SUFFIXES = ("", "_count", "_sum")


def cases() -> dict[str, Resolved]:
    out = {name: resolved_example(name) for name in EXAMPLES}
    out.update({name: resolved_text(text) for name, text in VARIANTS.items()})
    return out


CASES = cases()


_BUILT: dict[int, tuple[Resolved, dict[str, str]]] = {}


def artifacts(resolved: Resolved) -> dict[str, str]:
    """The monitoring artifacts `build` makes (once per resolved spec, which the cache keeps alive)."""
    cached = _BUILT.get(id(resolved))
    if cached is None or cached[0] is not resolved:
        cached = _BUILT[id(resolved)] = (
            resolved,
            {a.kind: a.text for a in build(resolved) if a.kind in MONITORING},
        )
    return cached[1]


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def instantiate(name: str) -> Iterator[str]:
    holes = re.findall(r"<([a-z_]+)>", name)
    for values in itertools.product(*(SAMPLES.get(h, ("x",)) for h in holes)):
        out = name
        for hole, value in zip(holes, values, strict=True):
            out = out.replace(f"<{hole}>", value, 1)
        yield out


def sent_from(resolved: Resolved) -> dict[str, tuple[Metric, str]]:
    """Every concrete StatsD name (with the spec's prefix) the target line sends -> its catalog metric and the
    catalog name (tagged or legacy) it instantiates."""
    prefix = resolved.spec.metrics.statsd.prefix
    out: dict[str, tuple[Metric, str]] = {}
    for metric in resolved.catalog.metrics():
        for template in filter(None, (metric.name, metric.legacy_name)):
            for name in instantiate(template):
                out[f"{prefix}.{name}"] = (metric, template)
    return out


def sent(resolved: Resolved) -> dict[str, Metric]:
    return {name: metric for name, (metric, _) in sent_from(resolved).items()}


def template_regex(template: str, prefix: str) -> re.Pattern[str]:
    parts = re.split(r"(<[a-z_]+>)", f"{prefix}.{template}")
    return re.compile("".join("[^.]+" if p.startswith("<") else re.escape(p) for p in parts))


def mapper(resolved: Resolved) -> Mapper:
    return Mapper(load_yaml(artifacts(resolved)["statsd-mappings"]))


def series_names(result: Result, metric: Metric) -> list[str]:
    if metric.type == "timer":
        return [result.name + s for s in SUMMARY_SUFFIXES]
    return [result.name]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each case's monitoring folder, written once for every promtool call."""
    root = tmp_path_factory.mktemp("monitoring")
    out = {}
    for name, resolved in CASES.items():
        folder = root / name
        for kind, text in artifacts(resolved).items():
            path = folder / MONITORING[kind]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        out[name] = folder / "monitoring"
    return out


def test_every_case_has_the_three_monitoring_artifacts() -> None:
    for name, resolved in CASES.items():
        paths = {a.kind: a.path for a in build(resolved) if a.kind in MONITORING}
        assert paths == MONITORING, name


def test_statsd_off_means_no_monitoring_artifacts() -> None:
    kinds = {a.kind for a in build(resolved_text(STATSD_OFF))}
    assert not kinds & set(MONITORING)


def test_promtool_check_config_and_rules(written: dict[str, Path]) -> None:
    promtool = tool("promtool")
    configs = [str(folder / "prometheus.yml") for folder in written.values()]
    rules = [str(folder / "alert-rules.yml") for folder in written.values()]
    checked = run_tool([promtool, "check", "config", *configs])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("SUCCESS: 1 rule files found") == len(configs)
    checked = run_tool([promtool, "check", "rules", *rules])
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_schemastore_schemas_accept_config_and_rules() -> None:
    config_schema = json.loads(shared("upstream", "schemastore", "prometheus.json").read_text())
    rules_schema = json.loads(shared("upstream", "schemastore", "prometheus.rules.json").read_text())
    for name, resolved in CASES.items():
        texts = artifacts(resolved)
        for schema, kind in ((config_schema, "prometheus-scrape"), (rules_schema, "prometheus-rules")):
            errors = list(jsonschema.Draft7Validator(schema).iter_errors(load_yaml(texts[kind])))
            assert [e.message for e in errors] == [], f"{name} {kind}"


def test_durations_are_one_unit() -> None:
    assert [duration(s) for s in (5400, 3600, 90, 86400, 0, 0.25, 15, 7200 + 60)] == [
        "90m",
        "1h",
        "90s",
        "1d",
        "0s",
        "250ms",
        "15s",
        "121m",
    ]
    for resolved in CASES.values():
        config = load_yaml(artifacts(resolved)["prometheus-scrape"])
        for value in config["global"].values():
            assert re.fullmatch(r"[0-9]+(ms|[smhdwy])", value), value


def test_scrape_targets_follow_the_deployment() -> None:
    def jobs(name: str) -> dict[str, list[str]]:
        config = load_yaml(artifacts(CASES[name])["prometheus-scrape"])
        return {j["job_name"]: j["static_configs"][0]["targets"] for j in config["scrape_configs"]}

    # The chart's Service is `<release>-statsd` (chart/templates/statsd/statsd-service.yaml, the chart's own tests
    # expect `release-name-statsd`) and serves the scrape port `ports.statsdScrape`, 9102.
    assert jobs("kubernetes-helm") == {
        "airflow-statsd-exporter": ["analytics-statsd.airflow.svc.cluster.local:9102"]
    }
    assert jobs("helm-3.0") == {"airflow-statsd-exporter": ["af-statsd.data.svc.cluster.local:9102"]}
    assert jobs("celery-compose") == {"airflow-statsd-exporter": ["statsd-exporter:9102"]}
    assert jobs("compose-custom") == {
        "airflow-statsd-exporter": ["statsd-exporter:9102"],
        "airflow-extra": ["10.0.0.7:9187", "node-exporter:9100"],
    }
    assert jobs("external-statsd") == {"airflow-extra": ["statsd.monitoring.svc.cluster.local:9102"]}
    assert jobs("exporter-off") == {}
    glob = load_yaml(artifacts(CASES["compose-custom"])["prometheus-scrape"])["global"]
    assert glob == {"scrape_interval": "5s", "evaluation_interval": "5s", "scrape_timeout": "5s"}


def test_mappings_load_and_helm_data_is_the_same_list() -> None:
    for name, resolved in CASES.items():
        data = load_yaml(artifacts(resolved)["statsd-mappings"])
        assert set(data) == {"mappings"}, name
        Mapper(data)  # raises what statsd_exporter would refuse at start
        assert data["mappings"] == statsd.statsd_mappings_data(resolved), name


def test_mappings_fit_the_charts_override_mappings() -> None:
    """The Helm values carry the list as `statsd.overrideMappings` (it replaces the chart's defaults; extraMappings
    would be appended after them, and the defaults would win every name both match)."""
    schema = json.loads(shared("upstream", "helm-chart", "values.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for name, resolved in CASES.items():
        values = {"statsd": {"enabled": True, "overrideMappings": statsd.statsd_mappings_data(resolved)}}
        assert [e.message for e in validator.iter_errors(values)] == [], name
    assert list(validator.iter_errors({"statsd": {"overrideMapping": []}}))  # the schema does check the keys


def test_every_mapping_meets_a_name_the_version_sends() -> None:
    """Each mapping is the one statsd_exporter picks for at least one name the target line sends, with the spec's
    prefix (so no mapping is dead or shadowed)."""
    for name, resolved in CASES.items():
        m = mapper(resolved)
        chosen = {m.get(metric).mapping for metric in sent(resolved)}
        unused = [x.match for x in m.mappings if x not in chosen]
        assert unused == [], name


def test_digit_prefix_falls_back_to_regex() -> None:
    mappings = statsd.statsd_mappings_data(CASES["digit-prefix"])
    assert {m.get("match_type") for m in mappings} == {"regex"}
    assert mapper(CASES["digit-prefix"]).get("9lives.pool.open_slots.p1").labels == {"pool": "p1"}


def test_airflow_3_3_mappings_meet_observed_names() -> None:
    """Names a real Airflow 3.3.2 sent: every mapping whose metric was observed meets an observed name, and the
    names are labelled as the docstring of airspec.render.statsd says."""
    observed = shared("upstream", "metrics", "observed-statsd-names-3.3.2.txt").read_text().split()
    resolved = CASES["kubernetes-helm"]
    m = mapper(resolved)
    by_name = {name: m.get(name) for name in observed}
    chosen = {r.mapping.index for r in by_name.values() if r.mapping is not None}
    samples = sent_from(resolved)
    for mapping in m.mappings:
        templates = {t for name, (_, t) in samples.items() if m.get(name).mapping == mapping}
        patterns = [template_regex(t, "airflow") for t in templates]
        if any(p.fullmatch(name) for p in patterns for name in observed):
            assert mapping.index in chosen, mapping.match
    assert by_name["airflow.dag.hello.say.duration"].name == "airflow_task_duration_seconds"
    assert by_name["airflow.dag.hello.say.duration"].labels == {"dag_id": "hello", "task_id": "say"}
    assert by_name["airflow.dagrun.duration.failed.hello"].labels == {"dag_id": "hello", "state": "failed"}
    assert by_name["airflow.ti.finish.hello.say.success"].labels == {
        "dag_id": "hello",
        "task_id": "say",
        "state": "success",
    }
    assert by_name["airflow.pool.open_slots.default_pool"].labels == {"pool": "default_pool"}
    assert by_name["airflow.pool.open_slots"].dropped
    assert by_name["airflow.executor.open_slots"].labels == {"executor": ""}
    assert by_name["airflow.operator_failures_BashOperator"].labels == {"operator": "BashOperator"}
    assert by_name["airflow.scheduler_heartbeat"].name == "airflow_scheduler_heartbeat_total"
    assert len(chosen) >= 25


def test_no_mapping_for_names_airflow_3_stopped_sending() -> None:
    for name, resolved in CASES.items():
        if resolved.catalog.major < 3:
            continue
        m, prefix = mapper(resolved), resolved.spec.metrics.statsd.prefix
        met = {gone: m.get(f"{prefix}.{gone}").mapping for gone in GONE_IN_AIRFLOW_3}
        assert met == dict.fromkeys(GONE_IN_AIRFLOW_3), name


def test_families_follow_the_catalog() -> None:
    def names(case: str) -> set[str]:
        return {m["name"] for m in statsd.statsd_mappings_data(CASES[case])}

    # The 3.0 catalog has no task duration, ti.finish or operator_successes; 3.1+ and 2.x do.
    assert "airflow_task_duration_seconds" not in names("helm-3.0")
    assert "airflow_ti_finish_total" not in names("helm-3.0")
    assert {"airflow_task_duration_seconds", "airflow_ti_finish_total"} <= names("kubernetes-helm")
    assert {"airflow_task_duration_seconds", "airflow_ti_finish_total"} <= names("helm-2.10")
    # dag_processor_heartbeat starts with 3.0
    assert "airflow_dag_processor_heartbeat_total" not in names("airflow2-celery-helm")
    assert "airflow_dag_processor_heartbeat_total" in names("helm-3.0")


def test_one_type_and_one_label_set_per_prometheus_name() -> None:
    """statsd_exporter refuses a second type under a name (and a summary's _sum/_count); one label set per name
    keeps per-label queries and the alert rules free of label-less strays. Unmapped names are included: the
    exporter names them after themselves, next to the mapped ones."""
    for case, resolved in CASES.items():
        m = mapper(resolved)
        types: dict[str, set[str]] = defaultdict(set)
        label_sets: dict[str, set[frozenset[str]]] = defaultdict(set)
        for name, metric in sent(resolved).items():
            result = m.get(name)  # unmapped names count too: they are exported under their escaped selves
            if result.dropped:
                continue
            for series in series_names(result, metric):
                types[series].add(metric.type)
            label_sets[result.name].add(frozenset(result.labels))
        assert {n: t for n, t in types.items() if len(t) > 1} == {}, case
        assert {n: s for n, s in label_sets.items() if len(s) > 1} == {}, case


def produced(resolved: Resolved) -> set[str]:
    m = mapper(resolved)
    out: set[str] = set()
    for name, metric in sent(resolved).items():
        result = m.get(name)
        if result.mapping is not None and not result.dropped:
            out.update(series_names(result, metric))
    return out


def test_every_metric_an_alert_reads_is_produced() -> None:
    for case, resolved in CASES.items():
        rules = load_yaml(artifacts(resolved)["prometheus-rules"])["groups"][0]["rules"]
        assert len(rules) == 5, case
        used = {n for r in rules for n in re.findall(r"\bairflow_[a-z0-9_]+", r["expr"])}
        assert used and used <= produced(resolved), (case, used - produced(resolved))
        assert set(statsd.produced_metrics(resolved)) == produced(resolved), case


def test_chart_default_mappings_dead_on_airflow_3() -> None:
    """The negative case: over Airflow 3.3's names, the chart's default mappings that meet nothing are exactly the
    three the upstream README names."""
    chart = Mapper(load_yaml(shared("upstream", "helm-chart", "statsd-mappings.yml").read_text()))
    chosen = {chart.get(name).mapping for name in sent(CASES["kubernetes-helm"])}
    assert {x.match for x in chart.mappings if x not in chosen} == CHART_DEAD_ON_3


# ---------------------------------------------------------------- promtool unit tests of the alert rules


def _series(labels: dict[str, str], name: str) -> str:
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _values(*parts: tuple[str, int]) -> str:
    """promtool expanding notation: ("5", 3) -> `5x2` is 3 samples; ("_", n) are n missing samples."""
    return " ".join(f"{v}x{n - 1}" if v != "_" else " ".join("_" * n) for v, n in parts if n > 0)


def unit_test(resolved: Resolved, rules_file: str) -> dict[str, Any]:
    """Synthetic series for each alert: one set above its threshold long enough to fire, one at or below it (or
    above it for less than `for:`), evaluated once every rule has settled."""
    alerts = resolved.spec.metrics.alerts
    step = max(resolved.spec.metrics.prometheus.scrape_interval, 1)
    sustained = alerts.sustained
    window = sustained + 4 * step
    settle = int((window + sustained) // step) + 4  # samples before the events, so every series is "old"
    after = int(sustained // step) + 2  # samples from the events to the evaluation
    total = settle + after + 1
    at = duration((settle + after) * step)
    job = {"job": "airflow-statsd-exporter", "instance": "x:9102"}

    series: list[dict[str, str]] = []

    def add(metric: str, labels: dict[str, str], values: str) -> None:
        series.append({"series": _series({**job, **labels}, metric), "values": values})

    # parse time and starving tasks: gauges above / at the threshold; one above only for a moment
    parse, starve = alerts.dag_parse_time, alerts.starving_tasks
    add(
        "airflow_dag_processing_total_parse_time_seconds",
        {"component": "hot"},
        _values((str(parse + 1), total)),
    )
    add("airflow_dag_processing_total_parse_time_seconds", {"component": "ok"}, _values((str(parse), total)))
    add(
        "airflow_dag_processing_total_parse_time_seconds",
        {"component": "blip"},
        _values((str(parse), settle), (str(parse + 1), 1), (str(parse), after)),
    )
    add("airflow_scheduler_tasks_starving", {"component": "hot"}, _values((str(starve + 1), total)))
    add("airflow_scheduler_tasks_starving", {"component": "ok"}, _values((str(starve), total)))
    # failed runs: an old series that grows, a new series, an old one that grows by only the threshold, a quiet one
    runs, fails = alerts.failed_dag_runs, alerts.task_failures
    failed = "airflow_dagrun_duration_seconds_count"
    grow = {"state": "failed"}
    add(failed, {**grow, "dag_id": "grows"}, _values(("2", settle), (str(2 + runs + 1), after + 1)))
    add(failed, {**grow, "dag_id": "new"}, _values(("_", settle), (str(runs + 1), after + 1)))
    add(failed, {**grow, "dag_id": "at_threshold"}, _values(("2", settle), (str(2 + runs), after + 1)))
    add(failed, {**grow, "dag_id": "quiet"}, _values(("7", total)))
    add(failed, {"state": "success", "dag_id": "fine"}, _values(("1", settle), (str(9 + runs), after + 1)))
    # pools: one nearly full, one with room
    ratio = alerts.pool_open_slots_ratio
    busy_running = int(2 / ratio) + 1
    for pool, (open_, running) in {"busy": (1, busy_running), "free": (99, 1)}.items():
        add("airflow_pool_open_slots", {"pool": pool}, _values((str(open_), total)))
        add("airflow_pool_running_slots", {"pool": pool}, _values((str(running), total)))
        add("airflow_pool_queued_slots", {"pool": pool}, _values(("0", total)))
    busy_value = 1 / (1 + busy_running)

    summary = {r.alert: r.summary for r in prometheus.rules(resolved)}

    def expand(alert: str, labels: dict[str, str], value: str) -> str:
        text = summary[alert].replace("{{ $value | humanizeDuration }}", value).replace("{{ $value }}", value)
        text = text.replace("{{ $value | humanizePercentage }}", value)
        for key, v in labels.items():
            text = text.replace(f"{{{{ $labels.{key} }}}}", v)
        return text

    def expected(alert: str, severity: str, labels: dict[str, str], value: str) -> dict[str, Any]:
        return {
            "exp_labels": {"severity": severity, **labels},
            "exp_annotations": {"summary": expand(alert, labels, value)},
        }

    hot = {**job, "component": "hot"}
    alert_tests = [
        {
            "eval_time": at,
            "alertname": "AirflowDagParseTimeHigh",
            "exp_alerts": [expected("AirflowDagParseTimeHigh", "warning", hot, f"{parse + 1:.4g}s")],
        },
        {
            "eval_time": at,
            "alertname": "AirflowTasksStarving",
            "exp_alerts": [expected("AirflowTasksStarving", "warning", hot, str(starve + 1))],
        },
        {
            "eval_time": at,
            "alertname": "AirflowDagRunFailed",
            "exp_alerts": [
                expected("AirflowDagRunFailed", "critical", {"dag_id": dag}, str(runs + 1))
                for dag in ("grows", "new")
            ],
        },
        {
            "eval_time": at,
            "alertname": "AirflowPoolOpenSlotsLow",
            "exp_alerts": [
                expected(
                    "AirflowPoolOpenSlotsLow", "warning", {**job, "pool": "busy"}, f"{busy_value * 100:.4g}%"
                )
            ],
        },
    ]
    tests = [{"interval": duration(step), "input_series": series, "alert_rule_test": alert_tests}]
    # task failures are summed over everything, so each outcome needs its own series set
    for grown, firing in ((fails + 1, True), (fails, False)):
        values = _values(("3", settle), (str(3 + grown), after + 1))
        tests.append(
            {
                "interval": duration(step),
                "input_series": [{"series": _series(job, "airflow_ti_failures_total"), "values": values}],
                "alert_rule_test": [
                    {
                        "eval_time": at,
                        "alertname": "AirflowTaskFailures",
                        "exp_alerts": (
                            [expected("AirflowTaskFailures", "warning", {}, str(fails + 1))] if firing else []
                        ),
                    }
                ],
            }
        )
    return {"rule_files": [rules_file], "evaluation_interval": duration(step), "tests": tests}


def test_promtool_unit_tests_fire_above_and_stay_silent_below(written: dict[str, Path]) -> None:
    promtool = tool("promtool")
    files = []
    for name in ("kubernetes-helm", "compose-custom", "helm-2.10", "digit-prefix"):
        folder = written[name]
        path = folder / "alert-rules.test.yml"
        path.write_text(json.dumps(unit_test(CASES[name], "alert-rules.yml"), indent=1), encoding="utf-8")
        files.append(str(path))
    checked = run_tool([promtool, "test", "rules", *files])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("SUCCESS") == len(files), checked.stdout


def test_unit_tests_catch_a_wrong_threshold(written: dict[str, Path]) -> None:
    """The unit tests above are not vacuous: rules with every threshold one lower fail them."""
    promtool = tool("promtool")
    resolved = CASES["kubernetes-helm"]
    folder = written["kubernetes-helm"].parent / "wrong"
    folder.mkdir(exist_ok=True)
    rules = artifacts(resolved)["prometheus-rules"]
    looser = re.sub(r"> (\d+)$", lambda m: f"> {int(m.group(1)) - 1}", rules, flags=re.M)
    assert looser != rules
    (folder / "alert-rules.yml").write_text(looser, encoding="utf-8")
    (folder / "t.yml").write_text(json.dumps(unit_test(resolved, "alert-rules.yml")), encoding="utf-8")
    checked = run_tool([promtool, "test", "rules", str(folder / "t.yml")])
    assert checked.returncode != 0
    assert "FAILED" in checked.stdout + checked.stderr


def test_segment_glob_matches_like_the_regex_it_stands_for() -> None:
    """`<value>` in a family's segment is one or more characters: the matcher agrees with that regex on every
    short text over a small alphabet, for generated segments (adjacent holes, holes at either end, no holes)."""
    import itertools
    import random
    import re

    from airspec.render.statsd import _segment_fits

    rnd = random.Random(7)
    segments = {
        "".join(
            "<v>" if rnd.random() < 0.4 else "".join(rnd.choice("ab_") for _ in range(rnd.randint(0, 3)))
            for _ in range(rnd.randint(1, 4))
        )
        for _ in range(400)
    }
    texts = ["".join(p) for n in range(6) for p in itertools.product("ab_", repeat=n)]
    for segment in segments:
        regex = "".join(
            ".+" if p.startswith("<") else re.escape(p) for p in re.split(r"(<[a-z_]+>)", segment)
        )
        for text in texts:
            assert _segment_fits(segment, text) == (re.fullmatch(regex, text) is not None), (segment, text)


def test_each_artifact_gets_mappings_of_its_own() -> None:
    """The mappings are worked out once per Airflow line and prefix; a change one artifact makes to its copy (the
    Helm values merge passthroughs into theirs) must not reach another."""
    model = resolved_example("kubernetes-helm")
    first = statsd.statsd_mappings_data(model)
    expected = [dict(m, labels=dict(m["labels"])) if "labels" in m else dict(m) for m in first]
    first[0]["name"] = "changed"
    for mapping in first:
        mapping.get("labels", {})["extra"] = "x"
    first.append({"match": "x"})
    assert statsd.statsd_mappings_data(model) == expected
