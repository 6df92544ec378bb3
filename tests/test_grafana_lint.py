"""AS305 and the grafana-dashboard input kind: a team's existing dashboard linted for the version it moves to.

The names a query may read are checked against an oracle built without the code under test: the metric names of
Airflow 3's own documentation (../shared/upstream/metrics, names and legacy names) and those a real Airflow 3.3.2
sent, as statsd_exporter would export them unmapped (tests/statsd_match.py's reading of its escaping), and the names the compiled 3.3 mappings
produce as tests/statsd_match.py's mapper reads them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from airspec import pipeline
from airspec.errors import ContentError
from airspec.lint.engine import Request, run
from airspec.lint.rules.as305_dashboard_unknown_metric import queries
from airspec.render.prometheus import metrics_in
from airspec.render.statsd import exporter_name
from tests.conftest import ROOT, airspec
from tests.statsd_match import escape_metric_name
from tests.test_monitoring import produced
from tests.validators import shared

DASHBOARD = ROOT / "tests" / "lint_corpus" / "af2-grafana" / "airflow-overview.json"


def findings(*paths: Path, version: str | None = None, kind: str | None = None) -> list[Any]:
    outcome = run(
        Request(tuple(str(p) for p in paths), airflow_version=version, kind=kind, select=("AS305",))
    )
    assert outcome.errors == [], outcome.errors
    return [d for d in outcome.findings if d.code == "AS305"]


def flagged(found: list[Any]) -> set[str]:
    return {re.search(r"becomes (airflow_\w+)", d.message).group(1) for d in found}  # type: ignore[union-attr]


def _upstream_3_patterns() -> list[re.Pattern[str]]:
    """What Airflow 3 sends as statsd_exporter names it with no mapping: the names of its documentation's metric
    tables, and those a real Airflow 3.3.2 sent in one run (the tables, from a later main, lack some of them:
    `dag_processing.last_run.seconds_ago` without its file)."""
    folder = shared("upstream", "metrics")
    observed = (folder / "observed-statsd-names-3.3.2.txt").read_text(encoding="utf-8").split()
    exact = [re.compile(re.escape(escape_metric_name(n))) for n in observed if n.startswith("airflow.")]
    metrics = json.loads((folder / "airflow-metrics-3.json").read_text(encoding="utf-8"))
    legacy = json.loads((folder / "airflow-metrics-3.legacy-names.json").read_text(encoding="utf-8"))
    out = []
    for name, kind in [(m["name"], m["type"]) for m in metrics] + [
        (m["legacy_name"], m["type"]) for m in legacy
    ]:
        parts = re.split(r"<[^>]+>", f"airflow.{name}")
        escaped = [
            escape_metric_name(p) if i == 0 else escape_metric_name("x" + p)[1:] for i, p in enumerate(parts)
        ]
        suffix = "(_sum|_count)?" if kind == "timer" else ""
        out.append(re.compile("[A-Za-z0-9_]+".join(map(re.escape, escaped)) + suffix))
    return out + exact


def _gone_on_3(names: Iterable[str]) -> set[str]:
    """The oracle: of `names`, those no StatsD name Airflow 3.3 sends becomes, neither through airspec's mappings
    nor as statsd_exporter names it unmapped (upstream's lists)."""
    mapped = produced(pipeline.from_text("name: up\nairflow: {version: '3.3'}\n", "spec.yaml"))
    upstream = _upstream_3_patterns()
    return {n for n in names if n not in mapped and not any(p.fullmatch(n) for p in upstream)}


def test_a_2x_dashboard_linted_for_3_3_finds_what_airflow_3_no_longer_sends() -> None:
    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    queried = {
        name
        for panel in data["panels"]
        for sub in [panel, *panel.get("panels", [])]
        for target in sub.get("targets", [])
        if sub.get("datasource", {}).get("type") != "loki"
        for name in metrics_in(target["expr"])
    }
    expected = _gone_on_3(queried)
    # the oracle agrees with what the Airflow 3 release notes say was dropped or renamed
    assert expected == {
        "airflow_zombies_killed",
        "airflow_sla_missed",
        "airflow_dataset_updates",
        "airflow_dataset_triggered_dagruns",
        "airflow_task_cpu_usage_etl_daily_load",
    }
    found = findings(DASHBOARD)  # no --airflow-version: the Dockerfile beside it names 3.3.2
    assert flagged(found) == expected
    by_name = {re.search(r"becomes (airflow_\w+)", d.message).group(1): d.message for d in found}  # type: ignore[union-attr]
    assert by_name["airflow_dataset_updates"].endswith("did you mean airflow_asset_updates?")
    assert "did you mean" not in by_name["airflow_sla_missed"]
    assert findings(DASHBOARD, version="2.11") == [], (
        "the dashboard was right for the version it was built on"
    )


def test_each_finding_is_at_its_expression() -> None:
    lines = DASHBOARD.read_text(encoding="utf-8").splitlines()
    for d in findings(DASHBOARD):
        name = re.search(r"becomes (airflow_\w+)", d.message).group(1)  # type: ignore[union-attr]
        line = lines[d.span.line - 1]
        assert line[d.span.col - 1] == '"' and line[d.span.col :].split('"', 1)[0].count(name) == 1


def test_a_value_in_a_name_can_hide_a_removed_metric(tmp_path: Path) -> None:
    """Known blind spot: a name whose hole is free text (`<job_name>_heartbeat_failure`) fits names Airflow 3
    never sends, such as the 2.x `local_task_job_prolonged_heartbeat_failure`; they count as emitted."""
    path = tmp_path / "d.json"
    expr = "airflow_local_task_job_prolonged_heartbeat_failure"
    path.write_text(json.dumps({"schemaVersion": 39, "panels": [{"targets": [{"expr": expr}]}]}))
    assert findings(path, version="3.3") == []


def test_exporter_escaping_agrees_with_the_tests_reading_of_statsd_exporter() -> None:
    for text in (
        "airflow.dag.a-b.c--d",
        "9lives.x",
        "a---b.c",
        "ümlaut.x",
        "dagrun.dependency-check.my--dag",
        "x-",
    ):
        assert exporter_name(text) == escape_metric_name(text), text


# ------------------------------------------------------------------------------------------- input kind


def test_found_by_content_in_a_folder_and_other_json_skipped(tmp_path: Path) -> None:
    (tmp_path / "team.json").write_text(DASHBOARD.read_text(encoding="utf-8"))
    (tmp_path / "package.json").write_text('{"name": "ui", "version": "1.0.0"}')
    outcome = run(Request((str(tmp_path),), airflow_version="3.3", select=("AS305",)))
    assert outcome.errors == []
    assert {Path(d.span.file).name for d in outcome.findings} == {"team.json"}
    assert any("package.json: skipped" in n for n in outcome.notices), outcome.notices


def test_the_http_api_export_and_kind_forcing(tmp_path: Path) -> None:
    wrapped = tmp_path / "export.json"
    wrapped.write_text(json.dumps({"meta": {}, "dashboard": json.loads(DASHBOARD.read_text())}, indent=2))
    assert flagged(findings(wrapped, version="3.3")) == flagged(findings(DASHBOARD, version="3.3"))
    odd = tmp_path / "no-version.json"  # no schemaVersion: not detected, but --kind reads it
    odd.write_text('{"panels": [{"targets": [{"expr": "airflow_sla_missed"}]}]}')
    assert run(Request((str(odd),), airflow_version="3.3")).errors
    assert flagged(findings(odd, version="3.3", kind="grafana-dashboard")) == {"airflow_sla_missed"}
    result = airspec("lint", "--kind", "grafana-dashboard", "--airflow-version", "3.3", str(DASHBOARD))
    assert result.returncode == 1 and result.stdout.count("AS305") == 5


def test_a_dashboard_is_not_a_spec() -> None:
    with pytest.raises(ContentError) as caught:
        pipeline.resolved(str(DASHBOARD))
    assert "1:1: error: not a spec but a Grafana dashboard: `airspec lint" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "deep.json",
            '{"schemaVersion": 39, "panels": ' + "[" * 200 + "]" * 200 + "}",
            "nesting deeper than 64",
        ),
        ("wide.json", '{"schemaVersion": 39, "panels": [' + "0," * 250_000 + "0]}", "more than 200000 nodes"),
        (
            "huge.json",
            '{"schemaVersion": 39, "panels": [], "x": "' + "a" * (4 * 1024 * 1024) + '"}',
            "larger than",
        ),
        ("cut.json", '{"schemaVersion": 39, "panels": [', ""),
        ("nul.json", '{"schemaVersion": 39, "panels": []}\0', "binary data"),
    ],
)
def test_hostile_json_is_refused_in_one_line(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = airspec("lint", "--airflow-version", "3.3", str(path))
    assert result.returncode == 1, result.stderr
    (line,) = result.stdout.splitlines()
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: error AS000 ", line), line
    assert message in line
    assert "Traceback" not in result.stderr


def test_linting_a_dashboard_stays_clear_of_the_spec_models() -> None:
    code = (
        "import sys\n"
        "from airspec.lint.session import Invocation, execute\n"
        f"execute(Invocation(({str(DASHBOARD)!r},), airflow_version='3.3'))\n"
        "print([m for m in ('pydantic', 'jinja2', 'deepdiff', 'jsonschema', 'airspec.resolve') if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr


def test_airspecs_own_dashboards_read_only_what_their_version_emits() -> None:
    """Every compiled dashboard of the examples, linted for the version it was compiled for: nothing to report."""
    from tests.conftest import EXAMPLES

    for example in EXAMPLES:
        resolved = pipeline.resolved(str(ROOT / "examples" / example / "airflow-spec.yaml"))
        path = ROOT / "golden" / example / "monitoring" / "grafana-dashboard.json"
        assert len(list(queries(json.loads(path.read_text(encoding="utf-8"))))) > 10, (
            "the rule reads its queries"
        )
        assert findings(path, version=resolved.airflow_version) == [], example


def test_names_of_the_charts_default_mappings_on_3_3(tmp_path: Path) -> None:
    """A dashboard built on the official chart's default StatsD mappings (every name they make), read for 3.3:
    reported are the names no StatsD name Airflow 3 sends becomes, by the same upstream oracle; they are the
    per-DAG run timers the chart renames, last_runtime (gone since 2.0) and used_slots (../shared/upstream says
    Airflow 3 no longer sends it)."""
    mappings = shared("upstream", "helm-chart", "statsd-mappings.yml").read_text(encoding="utf-8")
    names = re.findall(r'name: "(airflow_\w+)"', mappings)
    path = tmp_path / "chart-defaults.json"
    path.write_text(json.dumps({"schemaVersion": 39, "panels": [{"targets": [{"expr": n} for n in names]}]}))
    expected = _gone_on_3(names)
    assert expected == {
        "airflow_dagrun_duration",
        "airflow_dagrun_failed",
        "airflow_dag_processing_last_runtime",
        "airflow_pool_used_slots",
    }
    found = findings(path, version="3.3")
    assert flagged(found) == expected
    (duration,) = [d for d in found if "becomes airflow_dagrun_duration " in d.message]
    assert duration.message.endswith("did you mean airflow_dagrun_duration_seconds?")
