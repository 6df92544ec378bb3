"""`airspec lint`, `airspec rules`, `airspec explain` as a user meets them: formats, exit codes, suppressions,
project settings, baselines, input detection, one-line errors, and the light import path for raw files."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from airspec.lint.engine import all_rules
from tests.conftest import ROOT, airspec
from tests.validators import shared

CFG = textwrap.dedent(
    """\
    [core]
    executor = LocalExecutor
    parallelism = 0
    [webserver]
    expose_config = True
    """
)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "airflow.cfg"
    path.write_text(CFG, encoding="utf-8")
    return path


def test_text_format_and_exit_code(cfg: Path, tmp_path: Path) -> None:
    result = airspec("lint", "--airflow-version", "3.3", "airflow.cfg", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "airflow.cfg:3:15: error AS404 " in lines[0]
    assert any(
        line.startswith(
            "airflow.cfg:5:1: warning AS401 [webserver] expose_config moved to [api] expose_config"
        )
        for line in lines
    )
    assert any(line.startswith("airflow.cfg:5:17: warning AS101 ") for line in lines)
    assert "error(s)" in result.stderr


def test_fail_on_and_select(cfg: Path) -> None:
    ok = airspec("lint", "--airflow-version", "3.3", "--select", "AS101", "--fail-on", "error", str(cfg))
    assert ok.returncode == 0, ok.stdout
    assert ok.stdout.count("AS101") == 1
    failing = airspec("lint", "--airflow-version", "3.3", "--select", "security", str(cfg))
    assert failing.returncode == 1
    quiet = airspec("lint", "--airflow-version", "3.3", "--ignore", "AS1,AS4", str(cfg))
    assert quiet.returncode == 0 and quiet.stdout == ""


def test_json_format(cfg: Path) -> None:
    result = airspec("lint", "--airflow-version", "3.3", "--format", "json", str(cfg))
    items = json.loads(result.stdout)
    assert {tuple(sorted(i)) for i in items} == {
        ("airflow_version", "column", "file", "line", "message", "rule", "severity")
    }
    assert {"rule": "AS404", "severity": "error", "file": str(cfg), "line": 3, "column": 15} == {
        k: v for k, v in items[0].items() if k not in ("message", "airflow_version")
    }
    assert items[0]["airflow_version"] == {
        "version": "3.3",
        "catalog_line": "3.3",
        "facts_from": "3.3.2",
        "reason": "--airflow-version",
        "note": None,
    }


def test_sarif_is_valid_and_documents_rules(cfg: Path, tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads(shared("upstream", "schemastore", "sarif-2.1.0.json").read_text(encoding="utf-8"))
    result = airspec("lint", "--airflow-version", "3.3", "--format", "sarif", "airflow.cfg", cwd=tmp_path)
    log = json.loads(result.stdout)
    jsonschema.Draft7Validator(schema).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in all_rules()]
    assert all(r["help"]["text"] and r["help"]["markdown"] and r["shortDescription"]["text"] for r in rules)
    first = run["results"][0]
    assert first["ruleId"] == "AS404" and first["level"] == "error"
    assert rules[first["ruleIndex"]]["id"] == "AS404"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "airflow.cfg", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 15}


def test_github_annotations(cfg: Path) -> None:
    result = airspec("lint", "--airflow-version", "3.3", "--format", "github", str(cfg))
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"::error file={cfg},line=3,col=15,title=AS404::AS404 ")
    assert any(line.startswith("::warning ") for line in lines)
    info = airspec("lint", "--airflow-version", "3.3", "--format", "github", "--select", "AS403", str(cfg))
    assert info.stdout == ""  # LocalExecutor is the new default: nothing to say
    cfg.write_text("[core]\nexecutor = CeleryExecutor\n", encoding="utf-8")
    notice = airspec("lint", "--airflow-version", "3.3", "--format", "github", "--select", "AS403", str(cfg))
    assert notice.stdout.startswith("::notice file=")
    assert notice.returncode == 0  # info does not fail at the default --fail-on warning


def test_junit(cfg: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean.cfg"
    clean.write_text("[core]\nparallelism = 64\n", encoding="utf-8")
    result = airspec("lint", "--airflow-version", "3.3", "--format", "junit", str(cfg), str(clean))
    suites = ET.fromstring(result.stdout)
    cases = suites.findall("./testsuite/testcase")
    failing = [c for c in cases if c.find("failure") is not None]
    assert suites.get("failures") == str(len(failing)) and len(failing) >= 3
    assert any(c.get("name") == str(clean) and c.find("failure") is None for c in cases)


@pytest.mark.parametrize(
    ("args", "finding"),
    [
        (["lint", "broken.yaml"], "broken.yaml:2:1: error AS000 invalid YAML"),
        (["lint", "dup.cfg", "--airflow-version", "3.3"], "dup.cfg:3:1: error AS000 "),
        # Saved by an editor that writes a BOM: real Airflow 3.3.2 stops with "File contains no section headers".
        (
            ["lint", "bom.cfg", "--airflow-version", "3.3"],
            "bom.cfg:1:1: error AS000 the file starts with a byte-order",
        ),
    ],
)
def test_unusable_content_is_a_finding(tmp_path: Path, args: list[str], finding: str) -> None:
    """A file whose content cannot be used (malformed YAML, an option set twice) is a problem in the file: an
    AS000 finding at its position, exit 1, like any error finding."""
    (tmp_path / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    (tmp_path / "dup.cfg").write_text("[core]\nparallelism = 1\nparallelism = 2\n", encoding="utf-8")
    (tmp_path / "bom.cfg").write_bytes(b"\xef\xbb\xbf[core]\nparallelism = 1\n")
    result = airspec(*args, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith(finding), result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["lint", "missing.cfg", "--airflow-version", "3.3"], "missing.cfg: no such file"),
        (["lint", "airflow.cfg", "--airflow-version", "4.1"], "not in airspec's catalog"),
        (["lint", "airflow.cfg", "--airflow-version", "3.3", "--select", "AS999"], "no rule matches 'AS999'"),
        (["lint", "notes.yaml"], "cannot tell what kind of file"),
        (["lint", "airflow.cfg", "--write-baseline"], "--write-baseline needs --baseline"),
        (["explain", "AS999"], "no rule 'AS999'"),
    ],
)
def test_usage_and_input_errors_exit_2_in_one_line(
    cfg: Path, tmp_path: Path, args: list[str], needle: str
) -> None:
    (tmp_path / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    (tmp_path / "dup.cfg").write_text("[core]\nparallelism = 1\nparallelism = 2\n", encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("title: notes\n", encoding="utf-8")
    result = airspec(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and needle in errors[0], result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_spec_reports_validation_errors_as_as000(tmp_path: Path) -> None:
    spec = tmp_path / "airflow-spec.yaml"
    spec.write_text('name: demo\nairflow:\n  version: "3.3"\nschedulr: {}\n', encoding="utf-8")
    result = airspec("lint", "--fail-on", "error", "--ignore", "AS000", str(spec))
    assert result.returncode == 1
    assert (
        result.stdout
        == f"{spec}:4:1: error AS000 unknown top-level key 'schedulr'; did you mean 'scheduler'?\n"
    )


def test_examples_lint_without_errors() -> None:
    paths = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*/airflow-spec.yaml"))
    result = airspec("lint", "--fail-on", "error", *paths)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "AS000" not in result.stdout


def test_environment_findings_name_the_environment(tmp_path: Path) -> None:
    spec = tmp_path / "airflow-spec.yaml"
    spec.write_text(
        'name: demo\nairflow:\n  version: "3.3"\nscheduler:\n  replicas: 2\n'
        "environments:\n  production:\n    scheduler:\n      replicas: 1\n",
        encoding="utf-8",
    )
    result = airspec("lint", "--select", "AS201", str(spec))
    assert result.stdout.strip().endswith("(environment production)")
    assert ":9:17: warning AS201 " in result.stdout
    only = airspec("lint", "--select", "AS201", "--env", "production", str(spec))
    assert only.stdout.count("AS201") == 1 and "(environment" not in only.stdout


def test_versions_from_images_and_siblings(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text(
        'defaultAirflowTag: "2.11.2"\nwebserver:\n  replicas: 1\n', encoding="utf-8"
    )
    helm = airspec("lint", "--select", "AS408", "values.yaml", cwd=tmp_path)
    assert helm.returncode == 0 and helm.stdout == ""  # Airflow 2: the webserver is right
    three = airspec("lint", "--select", "AS408", "--airflow-version", "3.3", "values.yaml", cwd=tmp_path)
    assert "values.yaml:2:1: error AS408 " in three.stdout
    # a bare airflow.cfg borrows the version the other inputs of the run agree on
    (tmp_path / "airflow.cfg").write_text("[webserver]\nweb_server_port = 8080\n", encoding="utf-8")
    (tmp_path / "docker-compose.yaml").write_text(
        "services:\n  scheduler:\n    image: ${AIRFLOW_IMAGE:-apache/airflow:3.3.2}\n", encoding="utf-8"
    )
    both = airspec("lint", "--select", "AS401", "airflow.cfg", "docker-compose.yaml", cwd=tmp_path)
    assert "airflow.cfg:2:1: warning AS401 [webserver] web_server_port moved to [api] port" in both.stdout


def test_kind_is_forced_and_folders_are_expanded(tmp_path: Path) -> None:
    odd = tmp_path / "settings.ini"
    odd.write_text("[api]\nexpose_config = True\n", encoding="utf-8")
    forced = airspec(
        "lint", "--kind", "airflow.cfg", "--airflow-version", "3.3", "--select", "AS101", str(odd)
    )
    assert forced.returncode == 1 and f"{odd}:2:17: warning AS101" in forced.stdout
    build = tmp_path / "build"
    (build / ".github" / "workflows").mkdir(parents=True)
    (build / "airflow.cfg").write_text("[core]\nload_examples = True\n", encoding="utf-8")
    (build / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    folder = airspec("lint", "--airflow-version", "3.3", "build", cwd=tmp_path)
    assert "build/airflow.cfg:2:17: warning AS503" in folder.stdout
    assert "build/.github/workflows/ci.yml:6:15: warning AS701" in folder.stdout


def test_project_settings_from_pyproject_and_dotfile(cfg: Path, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.airspec.lint]\nignore = ["AS4"]\nfail-on = "error"\n[tool.airspec.lint.severity]\nAS101 = "error"\n',
        encoding="utf-8",
    )
    sub = tmp_path / "deploy"
    sub.mkdir()
    result = airspec("lint", "--airflow-version", "3.3", "../airflow.cfg", cwd=sub)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "../airflow.cfg:5:17: error AS101 [webserver] expose_config is 'True': the UI shows the configuration "
        "(hosts, backends, settings) to its users; set it to False"
    ]
    (sub / ".airspec.yaml").write_text("lint:\n  select: [AS404]\n", encoding="utf-8")
    nearer = airspec("lint", "--airflow-version", "3.3", "../airflow.cfg", cwd=sub)
    assert [line.split()[2] for line in nearer.stdout.splitlines()] == ["AS404"]
    (sub / ".airspec.yaml").write_text("lint:\n  selct: [AS404]\n", encoding="utf-8")
    typo = airspec("lint", "--airflow-version", "3.3", "../airflow.cfg", cwd=sub)
    assert typo.returncode == 2 and "unknown key 'selct'" in typo.stderr


def test_inline_suppressions(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text(
        "[webserver]\n; airspec: ignore[AS101, AS401] read-only demo instance\nexpose_config = True\n",
        encoding="utf-8",
    )
    result = airspec("lint", "--airflow-version", "3.3", str(cfg))
    assert result.returncode == 0 and result.stdout == ""
    assert "2 suppressed inline" in result.stderr


def test_baseline_forgives_only_known_findings(cfg: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "lint-baseline.json"
    wrote = airspec(
        "lint", "--airflow-version", "3.3", "--baseline", str(baseline), "--write-baseline", str(cfg)
    )
    assert wrote.returncode == 0 and baseline.is_file()
    assert airspec("lint", "--airflow-version", "3.3", "--baseline", str(baseline), str(cfg)).returncode == 0
    # lines moved: still known (matching ignores lines); a new finding fails
    cfg.write_text("# a comment shifts every line\n" + CFG + "[scheduler]\nstandalone_dag_processor = True\n")
    again = airspec("lint", "--airflow-version", "3.3", "--baseline", str(baseline), str(cfg))
    assert again.returncode == 1
    assert [line.split()[2] for line in again.stdout.splitlines()] == ["AS402"]
    stored = json.loads(baseline.read_text())
    assert stored["findings"][0]["file"] == "airflow.cfg"


def test_rules_and_explain() -> None:
    listed = airspec("rules")
    assert listed.returncode == 0
    assert len(listed.stdout.splitlines()) == len(all_rules())
    assert listed.stdout.splitlines()[1].split()[:3] == ["AS101", "warning", "security"]
    explained = airspec("explain", "as101")
    assert explained.returncode == 0
    for part in (
        "AS101 expose-config",
        "What it catches:",
        "Why it matters:",
        "Bad:",
        "Good:",
        "How to suppress:",
    ):
        assert part in explained.stdout


def test_upstream_files() -> None:
    """The official compose file and the chart's StatsD mappings, as shipped."""
    mappings = shared("upstream", "helm-chart", "statsd-mappings.yml")
    found = airspec("lint", "--airflow-version", "3.3", "--select", "AS302", str(mappings))
    assert [line.split(":")[1] for line in found.stdout.splitlines()] == ["76", "91"]
    assert "airflow.pool.used_slots.*" in found.stdout


# Libraries a raw airflow.cfg lint does not use, and the standard modules that crept onto its path once (the
# baseline writer's shutil and ctypes, pathlib, dataclasses, pkgutil: ~17 ms of each run).
NOT_ON_THE_RAW_PATH = (
    "pydantic",
    "ruamel.yaml",
    "jinja2",
    "deepdiff",
    "jsonschema",
    "shutil",
    "ctypes",
    "pathlib",
    "dataclasses",
    "pkgutil",
)


def test_raw_cfg_path_stays_light(cfg: Path) -> None:
    code = (
        "import sys\n"
        "from airspec.lint.session import Invocation, execute\n"
        f"execute(Invocation(({str(cfg)!r},), airflow_version='3.3'))\n"
        f"heavy = [m for m in {NOT_ON_THE_RAW_PATH!r} if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr


# --- one fact about one file is one finding (issue 17) -------------------------------------------------------------


def _compiled_compose(tmp_path: Path) -> Path:
    compiled = airspec(
        "compile", str(ROOT / "examples/celery-compose/airflow-spec.yaml"), "-o", str(tmp_path / "out")
    )
    assert compiled.returncode == 0, compiled.stderr
    return tmp_path / "out" / "compose" / "docker-compose.yaml"


def test_a_fact_repeated_per_compose_service_is_one_finding(tmp_path: Path) -> None:
    """airspec's own compose output sets the executor in each of its services: AS403 says so once, at the first
    service, and lists the others."""
    compose = _compiled_compose(tmp_path)
    result = airspec("lint", "--select", "AS403", "compose/docker-compose.yaml", cwd=compose.parent.parent)
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    places = [
        i + 1 for i, line in enumerate(compose.read_text().splitlines()) if "AIRFLOW__CORE__EXECUTOR:" in line
    ]
    assert len(places) > 2
    assert lines[0].startswith(f"compose/docker-compose.yaml:{places[0]}:")
    assert lines[0].endswith(f" (also at lines {', '.join(str(n) for n in places[1:])})")
    assert "1 info" in result.stderr


def test_same_message_in_two_files_stays_two_findings(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "airflow.cfg").write_text(CFG, encoding="utf-8")
    result = airspec(
        "lint",
        "--airflow-version",
        "3.3",
        "--select",
        "AS101",
        "a/airflow.cfg",
        "b/airflow.cfg",
        cwd=tmp_path,
    )
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["a/airflow.cfg", "b/airflow.cfg"]
    assert "also at" not in result.stdout


def test_baseline_keeps_forgiving_a_merged_finding_when_its_lines_move(tmp_path: Path) -> None:
    compose = _compiled_compose(tmp_path)
    baseline = tmp_path / "baseline.json"
    args = ["lint", "--select", "AS403", "--baseline", str(baseline), str(compose)]
    assert airspec(*args, "--write-baseline").returncode == 0
    compose.write_text("# a line above everything\n" + compose.read_text(), encoding="utf-8")
    again = airspec(*args, "--fail-on", "info")
    assert again.returncode == 0, again.stdout
    assert again.stdout == ""


def test_project_setting_groups_all_inputs_as_the_flag_does(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "airflow.cfg").write_text("[core]\nparallelism = 32\n", encoding="utf-8")
    (tmp_path / "b" / "values.yaml").write_text(
        'airflowVersion: "3.3.2"\nconfig:\n  core:\n    parallelism: 64\n', encoding="utf-8"
    )
    apart = airspec("lint", "--airflow-version", "3.3", "--select", "AS605", "a", "b", cwd=tmp_path)
    assert apart.returncode == 0 and apart.stdout == ""
    flag = airspec(
        "lint", "--airflow-version", "3.3", "--select", "AS605", "--project", "a", "b", cwd=tmp_path
    )
    assert flag.returncode == 1 and "AS605" in flag.stdout
    (tmp_path / ".airspec.yaml").write_text("lint:\n  project: true\n", encoding="utf-8")
    setting = airspec("lint", "--airflow-version", "3.3", "--select", "AS605", "a", "b", cwd=tmp_path)
    assert setting.stdout == flag.stdout and setting.returncode == 1
    (tmp_path / ".airspec.yaml").unlink()
    (tmp_path / "pyproject.toml").write_text("[tool.airspec.lint]\nproject = true\n", encoding="utf-8")
    toml = airspec("lint", "--airflow-version", "3.3", "--select", "AS605", "a", "b", cwd=tmp_path)
    assert toml.stdout == flag.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.airspec.lint]\nproject = "yes"\n', encoding="utf-8")
    bad = airspec("lint", "--airflow-version", "3.3", "a", cwd=tmp_path)
    assert bad.returncode == 2 and "project must be true or false" in bad.stderr
