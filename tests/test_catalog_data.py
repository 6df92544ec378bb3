"""Checks of the committed Airflow facts in airspec/catalog/data (made by tools/build_catalog.py).

Tests that compare with the reference data in ../shared skip when it is missing, unless
AIRSPEC_REQUIRE_VALIDATORS=1 (then they fail).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "airspec" / "catalog" / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"
UPSTREAM = SHARED / "upstream"
LINES = ["2.10", "2.11", "3.0", "3.1", "3.2", "3.3"]
# Line -> the exact version of the shared airflow-<v>.json the line is compared with.
SHARED_VERSIONS = {"2.10": "2.10.5", "2.11": "2.11.2", "3.0": "3.0.6", "3.3": "3.3.2"}
CHANGE_KINDS = {"moved", "renamed", "removed", "removed_if_equals", "default_change", "invalid_value"}
CHANGE_SOURCES = {"config_lint", "deprecated_options", "catalog_diff"}


def load(line: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / f"airflow-{line}.json").read_text(encoding="utf-8"))
    return data


def shared_file(relative: str) -> Path:
    path = UPSTREAM / relative
    if not path.exists():
        if os.environ.get("AIRSPEC_REQUIRE_VALIDATORS") == "1":
            pytest.fail(f"reference data {path} is missing and AIRSPEC_REQUIRE_VALIDATORS=1")
        pytest.skip(f"reference data {path} is not available (shared folder next to the repo)")
    return path


def metric_pattern(name: str) -> re.Pattern[str]:
    """A placeholder such as <dag_id> stands for one dot-free segment of one or more characters."""
    parts = re.split(r"(<\w+>)", name)
    return re.compile("".join("[^.]+" if re.fullmatch(r"<\w+>", p) else re.escape(p) for p in parts))


def test_index_lists_every_file() -> None:
    index = json.loads((DATA / "index.json").read_text(encoding="utf-8"))
    assert index["generated_by"] == "tools/build_catalog.py"
    assert sorted(index["lines"]) == sorted(LINES)
    on_disk = {p.name for p in DATA.glob("*.json")} - {"index.json", "sections.json"}
    assert on_disk == {f"{kind}-{line}.json" for line in index["lines"] for kind in ("airflow", "imports")}
    for line, version in index["lines"].items():
        data = load(line)
        assert data["line"] == line
        assert data["airflow_version"] == version
        assert data["sources"][0]["version"] == version
        assert all(re.fullmatch(r"[0-9a-f]{64}", s["sha256"]) for s in data["sources"])


def _keys(obj: Any) -> set[str]:
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in _keys(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in _keys(v)}
    return set()


@pytest.mark.parametrize("line", LINES)
def test_files_hold_facts_only(line: str) -> None:
    path = DATA / f"airflow-{line}.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert not {"description", "help"} & _keys(data)
    assert text == json.dumps(data, sort_keys=True, indent=1) + "\n"  # the generator's exact layout
    assert path.stat().st_size < 250_000


@pytest.mark.parametrize("line", LINES)
def test_record_shapes(line: str) -> None:
    data = load(line)
    for section, options in data["options"].items():
        for option, facts in options.items():
            assert facts["type"] in {"string", "integer", "float", "boolean"}, (section, option)
            assert facts["default"] is None or isinstance(facts["default"], str)
            assert isinstance(facts["sensitive"], bool)
            assert facts["provider"] is None or facts["provider"].startswith("apache-airflow-providers-")
    changes = data["changes"]
    assert changes == sorted(changes, key=lambda c: (c["section"], c["option"], c["kind"]))
    for c in changes:
        assert c["kind"] in CHANGE_KINDS and c["source"] in CHANGE_SOURCES
        assert (c["new_section"] is not None) == (c["kind"] in {"moved", "renamed"})
        if c["kind"] == "renamed":
            assert c["new_section"] == c["section"]
        if c["kind"] == "moved":
            assert c["new_section"] != c["section"]
    names = [m["name"] for m in data["metrics"]]
    assert names == sorted(set(names)) and len(names) > 50
    assert {m["type"] for m in data["metrics"]} <= {"counter", "gauge", "timer"}
    # the provider sections the deployment generators rely on exist on every line, 2.10 included
    assert {"celery", "kubernetes_executor", "aws", "azure_remote_logging"} <= set(data["options"])


@pytest.mark.parametrize("line", sorted(SHARED_VERSIONS))
def test_core_options_match_shared_catalog(line: str) -> None:
    # Only core options (provider null) are compared: the shared files attach other provider
    # releases (2.10.5: none at all; 2.11.2/3.x: celery 3.26.0, cncf-kubernetes 10.25.0, fab only, and
    # 3.0.6 uses fab 3.10.2 like us), so provider options and their versions legitimately differ.
    shared = json.loads(shared_file(f"airflow-config/airflow-{SHARED_VERSIONS[line]}.json").read_text())
    fields = ("type", "default", "sensitive")
    theirs = {
        (s, o, *(f[k] for k in fields))
        for s, opts in shared["sections"].items()
        for o, f in opts.items()
        if f["provider"] is None
    }
    ours = {
        (s, o, *(f[k] for k in fields))
        for s, opts in load(line)["options"].items()
        for o, f in opts.items()
        if f["provider"] is None
    }
    assert ours == theirs


@pytest.mark.parametrize("line", ["2.11", "3.0", "3.3"])
def test_lint_rules_match_shared(line: str) -> None:
    rules = json.loads(shared_file("airflow-config/config-lint-rules-by-version.json").read_text())
    ours = {
        (c["section"], c["option"], c["kind"], c["new_section"], c["new_option"])
        for c in load(line)["changes"]
        if c["source"] == "config_lint"
    }
    expected = set()
    for r in rules[SHARED_VERSIONS[line]]:
        target = r["renamed_to"] or {"section": None, "option": None}
        expected.add((r["section"], r["option"], r["kind"], target["section"], target["option"]))
    assert ours == expected


def test_log_filename_template_keeps_both_old_values() -> None:
    # CONFIGS_CHANGES has two removed_if_equals rules for this option (two historic default templates)
    rules = [
        c
        for c in load("3.3")["changes"]
        if (c["section"], c["option"]) == ("logging", "log_filename_template")
    ]
    assert [c["kind"] for c in rules] == ["removed_if_equals", "removed_if_equals"]
    assert len({c["old_value"] for c in rules}) == 2


@pytest.mark.parametrize("line", ["3.0", "3.1", "3.2", "3.3"])
def test_removed_without_rule(line: str) -> None:
    removed = {
        (c["section"], c["option"])
        for c in load(line)["changes"]
        if c["kind"] == "removed" and c["source"] == "catalog_diff"
    }
    assert {
        ("scheduler", "schedule_after_task_execution"),
        ("scheduler", "standalone_dag_processor"),
    } <= removed
    # 3.0.6 still ships [core] donot_pickle in its config.yml; it is gone from 3.1.0 on.
    assert (("core", "donot_pickle") in removed) == (line != "3.0")
    options = load(line)["options"]
    assert all(o not in options.get(s, {}) for s, o in removed)


def test_removed_without_rule_matches_shared_diff() -> None:
    diffs = json.loads(shared_file("airflow-config/catalog-diffs.json").read_text())
    diff = next(d for d in diffs if (d["from"], d["to"]) == ("2.11.2", "3.3.2"))
    ours = {(c["section"], c["option"]) for c in load("3.3")["changes"] if c["source"] == "catalog_diff"}
    assert ours == {tuple(x) for x in diff["removed_without_change_rule"]}


def test_renamed_options_still_read() -> None:
    changes = {(c["section"], c["option"]): c for c in load("3.3")["changes"]}
    moved = changes[("webserver", "web_server_port")]
    assert (moved["kind"], moved["new_section"], moved["new_option"], moved["still_read"]) == (
        "moved",
        "api",
        "port",
        True,
    )
    assert changes[("api", "access_logfile")]["new_option"] == "log_config"
    old_k8s = {(c["section"], c["option"]): c for c in load("2.10")["changes"]}[("kubernetes", "namespace")]
    assert (old_k8s["new_section"], old_k8s["still_read"]) == ("kubernetes_executor", True)


def test_enum_options() -> None:
    enums = load("3.3")["enum_options"]
    assert sorted(enums["core"]["default_task_weight_rule"]) == ["absolute", "downstream", "upstream"]
    assert "" in enums["logging"]["celery_logging_level"]


def test_observed_metrics_match_3_3_names() -> None:
    observed = shared_file("metrics/observed-statsd-names-3.3.2.txt").read_text().split()
    names = [n for m in load("3.3")["metrics"] for n in (m["name"], m["legacy_name"]) if n]
    patterns = [metric_pattern(n) for n in names]
    unmatched = [o for o in observed if not any(p.fullmatch(o.removeprefix("airflow.")) for p in patterns)]
    assert unmatched == []


def test_3_3_metrics_cover_shared_metric_list() -> None:
    # The shared list comes from an older docs build of metrics_template.yaml. Since then upstream renamed
    # dag_processing.*.<dag_file> to dag_processing.last_duration.<bundle_name>.<file_name> /
    # dag_processing.last_run.seconds_ago.<file_name> and dropped one kubernetes_executor timer. It also fixed
    # two types: asset.orphaned is a gauge (the code calls Stats.gauge), edge_worker.heartbeat_count a counter.
    known_gone = {
        "dag_processing.last_duration.<dag_file>",
        "dag_processing.last_run.seconds_ago.<dag_file>",
        "kubernetes_executor.clear_not_launched_queued_tasks.duration",
    }
    shared = {
        m["name"]: m["type"] for m in json.loads(shared_file("metrics/airflow-metrics-3.json").read_text())
    }
    ours = {n: m["type"] for m in load("3.3")["metrics"] for n in (m["name"], m["legacy_name"]) if n}
    assert set(shared) - set(ours) == known_gone
    retyped = {"asset.orphaned", "edge_worker.heartbeat_count", "edge_worker.heartbeat_count.<worker_name>"}
    assert {n for n, t in shared.items() if n in ours and ours[n] != t} == retyped


_IMPORT_PROBE = """
import importlib, json, sys
from airflow.executors.executor_loader import ExecutorLoader
facts = json.load(sys.stdin)
def exists(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False
print(json.dumps({
    "executors": ExecutorLoader.executors,
    "modules": {m: exists(m) for m in facts["modules"]},
    "attributes": {p: hasattr(importlib.import_module(p.rpartition(".")[0]), p.rpartition(".")[2])
                   for p in facts["attributes"]},
}))
"""


def test_import_facts_match_real_airflow() -> None:
    """The 3.3 import facts of the core package, read from the wheel, are what the real Airflow 3.3.2 imports:
    each listed core module exists, ExecutorLoader's table is the same, each core executor class is there, and
    the paths the facts call missing (2.x locations) do not import."""
    from airspec.catalog.names import imports
    from tests.validators import probe_python

    facts = imports("3.3")
    core = [
        m
        for m in json.loads((DATA / "imports-3.3.json").read_text())["modules"]
        if facts.package(m) == "airflow"
    ]
    missing = [
        "airflow.executors.celery_executor",
        "airflow.api.auth.backend.basic_auth",
        "airflow.auth.managers.fab.fab_auth_manager",
    ]
    assert all(facts.judge(m).kind == "missing" for m in missing)
    attributes = [p for p in (facts.executors or {}).values() if facts.package(p) == "airflow"]
    assert attributes and all(facts.judge(p).kind == "ok" for p in attributes)
    found = probe_python(_IMPORT_PROBE, {"modules": core + missing, "attributes": attributes})
    assert found["executors"] == facts.executors
    assert [m for m in core if not found["modules"][m]] == []
    assert [m for m in missing if found["modules"][m]] == []
    assert all(found["attributes"].values())


def test_import_facts_of_2_x_redirects() -> None:
    from airspec.catalog.names import imports

    old = imports("2.10")
    assert old.executor_plugins and not imports("3.3").executor_plugins
    assert old.judge("airflow.executors.celery_executor.CeleryExecutor") == (
        "deprecated",
        "airflow.providers.celery.executors.celery_executor.CeleryExecutor",
    )
    assert "SequentialExecutor" in (old.executors or {}) and "SequentialExecutor" not in (
        imports("3.3").executors or {}
    )


def test_sections_say_which_lines_read_them() -> None:
    from airspec.catalog.names import sections

    found = sections()
    assert found["kubernetes"] == {"2.10": "kubernetes_executor", "2.11": "kubernetes_executor"}
    assert set(found["core"]) == set(LINES)
    assert "elasticsearch" not in found  # a provider's section: read wherever the provider is installed
