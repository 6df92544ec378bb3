"""airspec lint against the real `airflow config lint` of Airflow 3.3.2 (tests/airflow_probe.py, one process).

For each airflow.cfg under tests/lint_airflow_cfg/ and one generated from every change in the 3.3 catalog, every
option Airflow's lint reports (its `lint_keys`; lint exits 0 even when it finds problems) must have an airspec
upgrade finding (AS401-AS405) on that option's line; every option Airflow's getters refuse (`type_errors`) must
have an AS210 finding on its line. airspec also reports the removed options lint misses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airspec import cfgfile
from airspec.catalog import load
from airspec.lint.engine import Request, run
from tests.validators import probe_airflow

HERE = Path(__file__).resolve().parent / "lint_airflow_cfg"
UPGRADE = {"AS401", "AS402", "AS403", "AS404", "AS405"}
_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")
_OPTION = re.compile(r"^(?P<name>[^\s#;=:][^=:]*?)\s*[=:]")


def option_lines(text: str) -> dict[str, int]:
    """ "section.option" -> line, read independently of airspec's own INI reader. `text` comes from a file read
    in text mode, so lines end at "\n" only, as Airflow splits them (str.splitlines() would split at U+2028 too)."""
    out: dict[str, int] = {}
    section = ""
    for number, line in enumerate(text.split("\n"), start=1):
        header = _SECTION.match(line)
        if header:
            section = header.group("name")
            continue
        option = _OPTION.match(line)
        if option:
            out[f"{section}.{option.group('name').strip()}"] = number
    return out


def every_change_cfg() -> str:
    """One option per change the 3.3 catalog knows, with the value that makes lint report it."""
    sections: dict[str, list[str]] = {}
    for change in load("3.3").changes():
        value = (
            change.old_value
            if change.kind in ("default_change", "invalid_value", "removed_if_equals")
            else "1"
        )
        if change.kind == "default_change" and change.section == "core" and change.option == "executor":
            value = "CeleryExecutor"  # validate() rewrites SequentialExecutor before lint sees it
        sections.setdefault(change.section, []).append(f"{change.option} = {str(value).replace('%', '%%')}")
    return "".join(f"[{name}]\n" + "\n".join(lines) + "\n\n" for name, lines in sections.items())


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict[str, Any]]]:
    files = sorted(HERE.glob("*.cfg"))
    generated = tmp_path_factory.mktemp("lint") / "every_change.cfg"
    generated.write_text(every_change_cfg(), encoding="utf-8")
    files.append(generated)
    results = probe_airflow([{"cfg": f, "read": _reads(f)} for f in files])
    return list(zip(files, results, strict=True))


def _reads(path: Path) -> list[list[str]]:
    """Every option of a file with a lower-case name (the only ones Airflow reads), to compare values."""
    cfg = cfgfile.read(path.read_text(encoding="utf-8"), str(path))
    return [
        [e.section, e.name] for e in cfg.entries if e.name == e.name.lower() and e.section != cfgfile.DEFAULT
    ]


def _findings(path: Path) -> Iterator[tuple[str, int]]:
    outcome = run(Request((str(path),), airflow_version="3.3.2"))
    assert not outcome.errors
    for d in outcome.findings:
        yield d.code, d.span.line


def test_every_option_airflow_lint_reports(compared: list[tuple[Path, dict[str, Any]]]) -> None:
    total = 0
    for path, result in compared:
        assert result["error"] is None or "should not be" in result["error"], result["error"]
        lines = option_lines(path.read_text(encoding="utf-8"))
        ours = {line for code, line in _findings(path) if code in UPGRADE}
        missed = [key for key in result["lint_keys"] if lines[key] not in ours]
        assert not missed, f"{path.name}: airflow config lint reports {missed}, airspec does not"
        total += len(result["lint_keys"])
    assert total > 150  # the generated file alone carries every rule lint has


def test_every_value_airflow_refuses(compared: list[tuple[Path, dict[str, Any]]]) -> None:
    refused = 0
    for path, result in compared:
        lines = option_lines(path.read_text(encoding="utf-8"))
        ours = {line for code, line in _findings(path) if code == "AS210"}
        for error in result["type_errors"]:
            section, option = re.match(r"\[(\w+)\] (\w+):", error).groups()  # type: ignore[union-attr]
            assert lines[f"{section}.{option}"] in ours, f"{path.name}: {error}"
            refused += 1
    assert refused >= 2


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("scheduler_upgrade.cfg", "scheduler.schedule_after_task_execution"),
        ("scheduler_upgrade.cfg", "scheduler.standalone_dag_processor"),
        ("core_cleanup.cfg", "core.donot_pickle"),
    ],
)
def test_removed_options_lint_misses(
    compared: list[tuple[Path, dict[str, Any]]], name: str, key: str
) -> None:
    path, result = next((p, r) for p, r in compared if p.name == name)
    lines = option_lines(path.read_text(encoding="utf-8"))
    assert key not in result["lint_keys"]
    assert ("AS402", lines[key]) in set(_findings(path))


def test_values_as_airflow_reads_them(compared: list[tuple[Path, dict[str, Any]]]) -> None:
    """airspec's reading of every option (cfgfile: lines, sections, %-interpolation) is Airflow's conf.get()."""
    checked = 0
    mismatches = []
    for path, result in compared:
        cfg = cfgfile.read(path.read_text(encoding="utf-8"), str(path))
        for key, airflow_value in result["values"].items():
            section, name = key.split(".", 1)
            ours = cfg.value(section, name)
            if ours != airflow_value:
                mismatches.append(f"{path.name}: [{section}] {name}: {ours!r} != {airflow_value!r}")
            checked += 1
    assert not mismatches, "\n".join(mismatches)
    assert checked > 30


def test_odd_line_separators(compared: list[tuple[Path, dict[str, Any]]]) -> None:
    path, result = next((p, r) for p, r in compared if p.name == "odd_line_separators.cfg")
    assert result["values"]["webserver.expose_config"] == "True"
    assert result["values"]["webserver.base_url"] == "https://x\u2028[dummy]"
    assert result["values"]["core.plugins_folder"] == "/opt/airflow/dags\x85[x]/../plugins\u2029[y]"
    found = set(_findings(path))
    lines = option_lines(path.read_text(encoding="utf-8"))
    assert ("AS101", lines["webserver.expose_config"]) in found
    assert ("AS210", lines["core.parallelism"]) in found


def test_quotes_are_part_of_the_value(compared: list[tuple[Path, dict[str, Any]]]) -> None:
    """Airflow's configparser keeps the quotes around a value; AS213 reports each quoted string option (AS210 the
    one typed boolean, which Airflow's getter refuses)."""
    path, result = next((p, r) for p, r in compared if p.name == "quoted_values.cfg")
    assert result["values"]["core.executor"] == '"LocalExecutor"'
    assert result["values"]["core.dags_folder"] == "'/opt/airflow/dags'"
    assert result["values"]["core.load_examples"] == '"False"'
    lines = option_lines(path.read_text(encoding="utf-8"))
    found = set(_findings(path))
    for key in ("core.executor", "core.dags_folder", "core.load_examples"):
        assert ("AS213", lines[key]) in found, key
    assert ("AS210", lines["core.compress_serialized_dags"]) in found
    assert not [line for code, line in found if code == "AS213" and line == lines["core.default_timezone"]]


_RENDER_PROBE = """
import datetime, json, sys
from types import SimpleNamespace
from airflow.utils.log.file_task_handler import FileTaskHandler
handler = FileTaskHandler(base_log_folder="/nonexistent")
def render(template):
    run = SimpleNamespace(
        logical_date=None, run_after=datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc),
        data_interval_start=None, data_interval_end=None,
        get_log_template=lambda session: SimpleNamespace(filename=template),
    )
    ti = SimpleNamespace(dag_id="d", task_id="t", run_id="manual__1", get_dagrun=lambda session: run)
    try:
        return handler._render_filename(ti, 1, session=None)
    except Exception as exc:
        return type(exc).__name__
print(json.dumps({t: render(t) for t in json.load(sys.stdin)}))
"""


def test_log_filename_templates_as_airflow_3_renders_them(tmp_path: Path) -> None:
    """Airflow 3.3.2's own FileTaskHandler renders each template of a run without a logical date: a `{...}` template
    with execution_date fails, a Jinja one renders it as nothing (every run the same file); AS409 reports exactly
    those, and not the run_id template."""
    from tests.validators import probe_python

    bad_format = "{dag_id}/{task_id}/{execution_date}/{try_number}.log"
    bad_jinja = "{{ ti.dag_id }}/{{ ti.task_id }}/{{ execution_date }}/{{ try_number }}.log"
    bad_attr = "{{ ti.dag_id }}/{{ ti.execution_date }}/{{ try_number }}.log"
    good = (
        "dag_id={{ ti.dag_id }}/run_id={{ ti.run_id }}/task_id={{ ti.task_id }}/attempt={{ try_number }}.log"
    )
    rendered = probe_python(_RENDER_PROBE, [bad_format, bad_jinja, bad_attr, good])
    assert rendered[bad_format] == "KeyError"
    assert rendered[bad_jinja] == "d/t//1.log" and rendered[bad_attr] == "d//1.log"
    assert rendered[good] == "dag_id=d/run_id=manual__1/task_id=t/attempt=1.log"
    for template, found in ((bad_format, True), (bad_jinja, True), (bad_attr, True), (good, False)):
        cfg = tmp_path / "airflow.cfg"
        cfg.write_text(f"[logging]\nlog_filename_template = {template}\n", encoding="utf-8")
        outcome = run(Request((str(cfg),), airflow_version="3.3.2", select=("AS409",)))
        assert bool(outcome.findings) is found, template
