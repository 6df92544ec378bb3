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
LINES = ["2.10", "2.11", "3.0", "3.1", "3.2", "3.3"]  # the lines compile supports
# Lint-only lines and the release each was built from: the newest patch release of each line on PyPI.
LINT_ONLY = {
    "1.10": "1.10.15",
    "2.0": "2.0.2",
    "2.1": "2.1.4",
    "2.2": "2.2.5",
    "2.3": "2.3.4",
    "2.4": "2.4.3",
    "2.5": "2.5.3",
    "2.6": "2.6.3",
    "2.7": "2.7.3",
    "2.8": "2.8.4",
    "2.9": "2.9.3",
}
EVERY = [*LINT_ONLY, *LINES]  # oldest first
# Line -> the exact version of the shared airflow-<v>.json the line is compared with.
SHARED_VERSIONS = {"2.10": "2.10.5", "2.11": "2.11.2", "3.0": "3.0.6", "3.3": "3.3.2"}
CHANGE_KINDS = {"moved", "renamed", "removed", "removed_if_equals", "default_change", "invalid_value"}
CHANGE_SOURCES = {"config_lint", "deprecated_options", "catalog_diff", "earlier_line"}


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
    assert index["lint_only_lines"] == LINT_ONLY
    on_disk = {p.name for p in DATA.glob("*.json")} - {"index.json", "option-lines.json", "sections.json"}
    assert on_disk == {f"{kind}-{line}.json" for line in EVERY for kind in ("airflow", "imports")}
    for line, version in {**index["lines"], **index["lint_only_lines"]}.items():
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


@pytest.mark.parametrize("line", EVERY)
def test_files_hold_facts_only(line: str) -> None:
    path = DATA / f"airflow-{line}.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert not {"description", "help"} & _keys(data)
    assert text == json.dumps(data, sort_keys=True, indent=1) + "\n"  # the generator's exact layout
    assert path.stat().st_size < (80_000 if line in LINT_ONLY else 250_000)


def test_option_lines_are_the_files_options() -> None:
    from airspec.catalog import option_lines

    every = {(s, o) for line in EVERY for s, opts in load(line)["options"].items() for o in opts}
    for section, option in every:
        having = tuple(line for line in EVERY if option in load(line)["options"].get(section, {}))
        assert option_lines(section, option) == having, (section, option)
    assert option_lines("core", "no_such_option") == ()


def test_sensitive_anywhere_is_any_files_sensitive() -> None:
    from airspec.catalog import sensitive_anywhere

    index = json.loads((DATA / "option-lines.json").read_text(encoding="utf-8"))
    marked = {
        (s, o)
        for line in EVERY
        for s, opts in load(line)["options"].items()
        for o, f in opts.items()
        if f.get("sensitive")
    }
    assert {(s, o) for s, opts in index["sensitive"].items() for o in opts} == marked
    assert all(sensitive_anywhere(s, o) for s, o in marked)
    # 1.10's parser lists no [webserver] secret_key among its sensitive_config_values; 2.10.5's config.yml marks it
    shared = json.loads(shared_file("airflow-config/airflow-2.10.5.json").read_text())["sections"]
    assert shared["webserver"]["secret_key"]["sensitive"] is True
    assert not load("1.10")["options"]["webserver"]["secret_key"].get("sensitive")
    assert sensitive_anywhere("webserver", "secret_key") and not sensitive_anywhere("webserver", "base_url")


def test_sections_json_is_the_files_sections() -> None:
    """sections.json, the one source of which lines read a section: each line it names has the section (or,
    read under an old name, the new one); each section with a core option on a full line is listed for it; no
    section a provider declares on any full line is listed."""
    found = json.loads((DATA / "sections.json").read_text(encoding="utf-8"))["sections"]
    for section, read_by in found.items():
        for line, read_as in read_by.items():
            options = load(line)["options"]
            assert read_as in options, (section, line)
            assert (read_as == section) or section not in options, (section, line)
    providers = {
        s
        for line in LINES
        for s, opts in load(line)["options"].items()
        if any(o["provider"] for o in opts.values())
    }
    assert not providers & set(found)
    for line in LINES:
        for section, opts in load(line)["options"].items():
            core = any(o["provider"] is None for o in opts.values())
            assert (found.get(section, {}).get(line) == section) == (core and section not in providers), (
                section
            )


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
        assert c["since"] is None or EVERY.index(c["since"]) <= EVERY.index(line), c
        assert (c["since"] is None) == (c["source"] == "config_lint"), c
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


@pytest.mark.parametrize("line", ["2.10", "2.11", "3.3"])
def test_provider_fallback_defaults_match_shared(line: str) -> None:
    """The options Airflow reads with a fallback default when no installed provider declares them
    (pre_2_7_defaults.cfg in 2.10, provider_config_fallback_defaults.cfg from 2.11 on) are options of the line,
    as a provider's, so [elasticsearch] host on 2.10 is read, not removed."""
    shared = json.loads(shared_file(f"airflow-config/airflow-{SHARED_VERSIONS[line]}.json").read_text())
    fallback = shared["provider_fallback_defaults"]
    assert fallback["elasticsearch"]
    ours = load(line)["options"]
    for section, options in fallback.items():
        for option in options:
            facts = ours.get(section, {}).get(option)
            assert facts is not None and facts["provider"], (section, option)
    removed = {(c["section"], c["option"]) for c in load(line)["changes"] if c["kind"] == "removed"}
    assert not {(s, o) for s, opts in fallback.items() for o in opts} & removed


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
    # The shared diff starts at 2.11.2; the catalog also lists what lines before 2.11 had (1.10's [mesos]...),
    # with the line that dropped it: those are checked against the older lines' own files.
    in_2_11 = load("2.11")["options"]
    diffed = [c for c in load("3.3")["changes"] if c["source"] == "catalog_diff"]
    ours = {(c["section"], c["option"]) for c in diffed if c["option"] in in_2_11.get(c["section"], {})}
    assert ours == {tuple(x) for x in diff["removed_without_change_rule"]}
    for c in diffed:
        before = EVERY[EVERY.index(c["since"]) - 1]
        assert c["option"] in load(before)["options"].get(c["section"], {}), c
        assert c["option"] not in load(c["since"])["options"].get(c["section"], {}), c


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
    # 2.10.5's parser maps [kubernetes] to [kubernetes_executor] from 2.5.0 on; Airflow 3 reads no [kubernetes]
    moved = {d["old_section"]: d for d in _deprecations_2_10_5()["deprecated_sections"]}
    assert (
        moved["kubernetes"]["new_section"] == "kubernetes_executor"
        and moved["kubernetes"]["since"] == "2.5.0"
    )
    up_to_2 = EVERY[: EVERY.index("3.0")]
    assert found["kubernetes"] == {
        ln: "kubernetes_executor" if EVERY.index(ln) >= EVERY.index("2.5") else "kubernetes" for ln in up_to_2
    }
    assert set(found["core"]) == set(EVERY)
    assert found["mesos"] == {"1.10": "mesos"}  # gone with 2.0
    assert "elasticsearch" not in found  # a provider's section: read wherever the provider is installed
    assert "celery" not in found  # core's up to 2.6, the celery provider's after


# ------------------------------------------------------------------ lint-only lines (1.10, 2.0 ... 2.9)
def _deprecations_2_10_5() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        shared_file("airflow-config/config-deprecations-by-version.json").read_text()
    )
    return data["2.10.5"]


@pytest.mark.parametrize("line", LINT_ONLY)
def test_lint_only_shapes(line: str) -> None:
    from airspec.catalog import load_line

    data = load(line)
    assert data["lint_only"].startswith("a lint-only line")
    allowed = {"type", "default", "sensitive", "version_added"}
    for section, options in data["options"].items():
        for option, facts in options.items():
            assert set(facts) <= allowed and "default" in facts, (section, option)
            assert facts.get("type") in {None, "integer", "float", "boolean"}  # absent: string
            assert facts.get("sensitive") in {None, True}  # absent: false
            if "version_added" in facts:  # kept only when a patch release of the line added it
                assert facts["version_added"].startswith(line + ".") and facts["version_added"] != line + ".0"
    for c in data["changes"]:
        assert c["kind"] in CHANGE_KINDS and c["source"] in CHANGE_SOURCES
        assert None not in c.values() and False not in c.values()
        assert ("new_section" in c) == (c["kind"] in {"moved", "renamed"})
    for later_section, names in data["later_names"].items():  # today's name -> where this line keeps it
        for later_name, (section, option) in names.items():
            assert later_name not in data["options"].get(later_section, {}), (later_section, later_name)
            assert option in data["options"][section], (section, option)
    catalog = load_line(line)
    assert catalog.lint_only and catalog.line == line
    assert all(o.type in {"string", "integer", "float", "boolean"} for o in catalog.options())
    names = [m.name for m in catalog.metrics()]
    assert names == sorted(set(names)) and len(names) > 40
    # the sections every line reads (1.10's [core] holds what 2.0 moved to [logging])
    assert {"core", "webserver", "scheduler", "celery", "smtp"} <= set(data["options"])


@pytest.mark.parametrize("line", LINT_ONLY)
def test_lint_only_options_match_2_10_5_version_added(line: str) -> None:
    """Every core option 2.10.5 says was added by this line's release is in this line's facts, at the place the
    2.10.5 parser's deprecations say it had then: the same facts read from another wheel."""
    from packaging.version import Version

    shared = json.loads(shared_file("airflow-config/airflow-2.10.5.json").read_text())["sections"]
    deps = _deprecations_2_10_5()
    renamed = {(d["new_section"], d["new_option"]): d for d in deps["deprecated_options"]}
    moved_sections = {d["new_section"]: d for d in deps["deprecated_sections"]}
    release = Version(LINT_ONLY[line])
    ours = load(line)["options"]
    missing = set()
    for section, options in shared.items():
        for option, facts in options.items():
            added = facts["version_added"]
            if facts["provider"] or added is None or Version(added) > release:
                continue
            place = (section, option)
            old = renamed.get(place)
            if old and Version(old["since"]) > release:
                place = (old["old_section"], old["old_option"])
            old_section = moved_sections.get(place[0])
            if old_section and Version(old_section["since"]) > release:
                place = (old_section["old_section"], place[1])
            if place[1] not in ours.get(place[0], {}):
                missing.add((section, option))
    # 2.10.5 says 2.0.0 added these; config.yml declares them only from 2.5 (mp_start_method) and 2.2
    # (extra_logger_names): before, the code read them with a fallback.
    late = {"2.0": {("core", "mp_start_method"), ("logging", "extra_logger_names")}}
    late["2.1"] = late["2.0"]
    late["2.2"] = late["2.3"] = late["2.4"] = {("core", "mp_start_method")}
    assert missing == late.get(line, set())


@pytest.mark.parametrize("line", LINT_ONLY)
def test_lint_only_deprecations_match_2_10_5(line: str) -> None:
    """Each old name the 2.10.5 parser reads with a warning, deprecated by this line's release, is a move or
    rename this line's own parser still reads."""
    from packaging.version import Version

    deps = _deprecations_2_10_5()
    release = Version(LINT_ONLY[line])
    wanted = [
        (d["old_section"], d["old_option"], d["new_section"], d["new_option"])
        for d in deps["deprecated_options"]
        if Version(d["since"]) <= release
    ]
    wanted += [
        (o["section"], o["option"], m["new_section"], m["new_option"])
        for m in deps["many_to_one_deprecated_options"]
        for o in m["old"]
        if Version(o["since"]) <= release
    ]
    changes = {(c["section"], c["option"]): c for c in load(line)["changes"]}
    wrong = set()
    for old_section, old_option, new_section, new_option in wanted:
        c = changes.get((old_section, old_option), {})
        if not (
            c.get("still_read") and (c.get("new_section"), c.get("new_option")) == (new_section, new_option)
        ):
            wrong.add((old_section, old_option))
    # 2.10.5 dates this rename 1.10.4, but neither name is in 1.10.15 ... 2.1.4 (config.yml or parser): 2.2 added both
    early = {("core", "non_pooled_task_slot_count")} if line in ("1.10", "2.0", "2.1") else set()
    assert wrong == early
    assert len(wanted) >= (2 if line == "1.10" else 30)


def test_1_10_to_2_upgrade_facts() -> None:
    """The examples of issue #15, as the wheels state them."""
    from airspec.catalog import load_line
    from airspec.catalog.names import sections

    old = load_line("1.10")
    for option in ("remote_logging", "base_log_folder", "sql_alchemy_conn"):
        assert old.option("core", option) is not None and old.change("core", option) is None
    assert old.option("webserver", "rbac") is not None and old.option("mesos", "master") is not None
    assert sections()["mesos"] == {"1.10": "mesos"} and min(sections()["core"], key=EVERY.index) == "1.10"
    for line in EVERY[1:]:
        catalog = load_line(line)
        rbac = catalog.change("webserver", "rbac")
        assert rbac is not None and (rbac.kind, rbac.since) == ("removed", "2.0"), line
        assert all(c.since == "2.0" for c in catalog.changes() if c.section == "mesos"), line
        assert {o for s, o, *_ in catalog.changes() if s == "mesos"} == {
            o.name for o in old.options() if o.section == "mesos"
        }
        moved = catalog.change("core", "remote_logging")
        assert moved is not None and (moved.new_section, moved.new_option) == ("logging", "remote_logging")
        assert (moved.kind, moved.since) == ("moved", "2.0")
        assert moved.still_read == line.startswith("2."), line  # Airflow 3 no longer reads the old name


def test_aliases_answer_todays_names_from_the_lines_place() -> None:
    from airspec.catalog import load_line

    assert load_line("1.10").aliases("logging", "remote_logging") == (("core", "remote_logging"),)
    assert load_line("1.10").place("logging", "remote_logging") == ("core", "remote_logging")
    assert load_line("1.10").place("core", "executor") == ("core", "executor")
    # 2.4 has [logging] remote_logging and still reads the 1.10 name, with a warning
    assert load_line("2.4").aliases("logging", "remote_logging") == (("core", "remote_logging"),)
    assert load_line("2.4").place("logging", "remote_logging") == ("logging", "remote_logging")
    # 3.x no longer reads it
    assert ("core", "remote_logging") not in load_line("3.3").aliases("logging", "remote_logging")


def test_compile_keeps_its_floor() -> None:
    from airspec.catalog import UnknownVersion, line_of, lines, lint_lines

    assert list(lines()) == LINES and list(lint_lines()) == EVERY
    with pytest.raises(
        UnknownVersion, match=r"known to `airspec lint` only; .*: 2\.10, 2\.11, 3\.0, 3\.1, 3\.2, 3\.3$"
    ):
        line_of("2.9")
    with pytest.raises(UnknownVersion, match="not in airspec's catalog"):
        line_of("1.9")


def test_dropped_sections_name_the_release_that_dropped_them() -> None:
    """A section no line from the target's on reads, and the release that dropped it: [kubernetes] is mapped to
    [kubernetes_executor] by the 2.10.5 and 2.11.2 parsers and by neither 3.x parser (../shared); [webserver] is
    a section of 3.0.6 and not of 3.3.2."""
    from airspec.catalog import load_line
    from airspec.lint.upgrade import dropped_section

    deps = json.loads(shared_file("airflow-config/config-deprecations-by-version.json").read_text())
    mapped = {v: {d["old_section"] for d in deps[v]["deprecated_sections"]} for v in deps}
    assert "kubernetes" in mapped["2.11.2"] and "kubernetes" not in mapped["3.0.6"] | mapped["3.3.2"]
    for line in ("3.0", "3.3"):
        assert dropped_section(load_line(line), "kubernetes") == ("2.11", "kubernetes_executor", "3.0")
    assert dropped_section(load_line("2.11"), "kubernetes") is None  # still read, as [kubernetes_executor]
    shared = {
        v: json.loads(shared_file(f"airflow-config/airflow-{v}.json").read_text())["sections"]
        for v in ("3.0.6", "3.3.2")
    }
    assert "webserver" in shared["3.0.6"] and "webserver" not in shared["3.3.2"]
    found = dropped_section(load_line("3.3"), "webserver")
    assert found is not None and found.last == "3.0" and found.since == "3.1"
    assert dropped_section(load_line("3.0"), "webserver") is None
    for line in EVERY[1:]:  # 1.10's [mesos] and [ldap]: no line from 2.0 on has them
        assert dropped_section(load_line(line), "mesos") == ("1.10", "mesos", "2.0"), line
        assert dropped_section(load_line(line), "ldap") == ("1.10", "ldap", "2.0"), line
    assert dropped_section(load_line("1.10"), "mesos") is None
    assert dropped_section(load_line("1.10"), "smart_sensor") is None  # a later line added it: AS406's
    assert dropped_section(load_line("3.3"), "elasticsearch") is None  # a provider's section


def test_a_dropped_section_is_one_finding_that_names_the_release(tmp_path: Path) -> None:
    from airspec.lint.engine import Request, run

    cfg = tmp_path / "airflow.cfg"
    cfg.write_text(
        "[kubernetes]\nnamespace = airflow\nworker_container_image_pull_policy = IfNotPresent\n"
        "[mesos]\nmaster = localhost:5050\ntask_cpu = 1\n",
        encoding="utf-8",
    )
    outcome = run(Request((str(cfg),), airflow_version="3.3.2"))
    found = sorted((d.span.line, d.code, d.message) for d in outcome.findings if d.code.startswith("AS40"))
    assert found == [
        (
            1,
            "AS402",
            "[kubernetes] was removed in Airflow 3.0 (Airflow 2.11 read it as [kubernetes_executor]): Airflow 3.3 "
            "reads no [kubernetes] section, so namespace, worker_container_image_pull_policy are ignored; set "
            "namespace in [kubernetes_executor] and delete the rest",
        ),
        (
            4,
            "AS402",
            "[mesos] was removed in Airflow 2.0: Airflow 3.3 reads no [mesos] section, so master, task_cpu are "
            "ignored; delete them",
        ),
    ]
