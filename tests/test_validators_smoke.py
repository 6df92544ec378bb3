"""Each real validator accepts a tiny valid input and rejects a tiny invalid one.

These pin down the invocations the artifact tests rely on, so a broken install or a tool that quietly
accepts everything shows up here first.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.validators import (
    KUBERNETES_VERSION,
    clean_env,
    probe_airflow,
    run_tool,
    shared,
    tool,
)

COMPOSE_OK = "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n"
COMPOSE_BAD = "services:\n  web:\n    image: nginx:1.27\n    imagee: nginx\n"

POD_OK = """\
apiVersion: v1
kind: Pod
metadata:
  name: worker
spec:
  containers:
    - name: base
      image: apache/airflow:3.3.2
"""
POD_BAD = POD_OK + "      imagePullPolicyy: Always\n"

PROMETHEUS_OK = """\
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: statsd-exporter
    static_configs:
      - targets: ['statsd-exporter:9102']
"""
PROMETHEUS_BAD = PROMETHEUS_OK.replace("scrape_interval:", "scrape_intervall:")

RULES_OK = """\
groups:
  - name: airflow
    rules:
      - alert: AirflowSchedulerDown
        expr: up{job="statsd-exporter"} == 0
        for: 5m
"""
RULES_BAD = RULES_OK.replace("== 0", "== ")

WORKFLOW_OK = """\
name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo ok
"""
WORKFLOW_BAD = WORKFLOW_OK.replace("    steps:\n", "    stepz: []\n    steps:\n")

PROBE_CFG = (
    "[core]\nexecutor = LocalExecutor\nparallelism = 64\n"
    "[logging]\nlog_format = %%(asctime)s x 100%%\n"
    "[webserver]\nexpose_config = True\n"
)
EXPOSE_CONFIG_MOVED = "`expose_config` configuration parameter moved from `webserver` section to `api` section as `expose_config`."

VALID_INVALID = pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


@VALID_INVALID
def test_check_jsonschema_compose_spec(tmp_path: Path, valid: bool) -> None:
    path = _write(tmp_path, "compose.yaml", COMPOSE_OK if valid else COMPOSE_BAD)
    proc = run_tool([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", path])
    assert (proc.returncode == 0) is valid, _output(proc)
    if not valid:
        assert "'imagee' was unexpected" in proc.stdout


@VALID_INVALID
def test_hadolint(tmp_path: Path, valid: bool) -> None:
    # Invalid: an unpinned `pip install` (DL3013) and a RUN line ShellCheck refuses (SC2086, unquoted variable).
    text = "FROM apache/airflow:3.3.2\n"
    text += 'RUN pip install --no-cache-dir "apache-airflow==3.3.2"\n' if valid else "RUN pip install $PKG\n"
    proc = run_tool([tool("hadolint"), "--no-color", _write(tmp_path, "Dockerfile", text)])
    assert (proc.returncode == 0) is valid, _output(proc)
    if not valid:
        assert "DL3013" in proc.stdout and "SC2086" in proc.stdout


@VALID_INVALID
def test_docker_compose_config(tmp_path: Path, valid: bool) -> None:
    # `config` needs no Docker engine; -p and --project-directory keep the temp dir's name and .env out.
    path = _write(tmp_path, "compose.yaml", COMPOSE_OK if valid else COMPOSE_BAD)
    proc = run_tool(
        [tool("docker-compose"), "-f", path, "--project-directory", tmp_path, "-p", "smoke", "config", "-q"]
    )
    assert (proc.returncode == 0) is valid, _output(proc)
    if not valid:
        assert "imagee" in proc.stderr


@VALID_INVALID
def test_kubernetes_validate_strict(tmp_path: Path, valid: bool) -> None:
    path = _write(tmp_path, "pod.yaml", POD_OK if valid else POD_BAD)
    proc = run_tool([tool("kubernetes-validate"), "--strict", "--quiet", "-k", KUBERNETES_VERSION, path])
    assert (proc.returncode == 0) is valid, _output(proc)
    if not valid:
        assert "'imagePullPolicyy' was unexpected" in _output(proc)


def test_kubernetes_validate_needs_strict_for_unknown_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, "pod.yaml", POD_BAD)
    proc = run_tool([tool("kubernetes-validate"), "--quiet", "-k", KUBERNETES_VERSION, path])
    assert proc.returncode == 0, _output(proc)


@VALID_INVALID
def test_promtool_check_config(tmp_path: Path, valid: bool) -> None:
    path = _write(tmp_path, "prometheus.yml", PROMETHEUS_OK if valid else PROMETHEUS_BAD)
    proc = run_tool([tool("promtool"), "check", "config", path])
    assert (proc.returncode == 0) is valid, _output(proc)
    if not valid:
        assert "field scrape_intervall not found" in proc.stderr


@VALID_INVALID
def test_promtool_check_rules(tmp_path: Path, valid: bool) -> None:
    path = _write(tmp_path, "airflow.rules.yml", RULES_OK if valid else RULES_BAD)
    proc = run_tool([tool("promtool"), "check", "rules", "--lint-fatal", path])
    assert (proc.returncode == 0) is valid, _output(proc)


def test_promtool_accepts_shared_samples(tmp_path: Path) -> None:
    # The sample config names its rule file by a relative path; promtool resolves it beside the config.
    samples = shared("upstream", "schemastore", "samples")
    for name in ("prometheus.yml", "airflow.rules.yml"):
        _write(tmp_path, name, (samples / name).read_text(encoding="utf-8"))
    proc = run_tool([tool("promtool"), "check", "config", tmp_path / "prometheus.yml"])
    assert proc.returncode == 0, _output(proc)
    assert "1 rules found" in proc.stdout


@VALID_INVALID
def test_actionlint(tmp_path: Path, valid: bool) -> None:
    path = _write(tmp_path, "ci.yml", WORKFLOW_OK if valid else WORKFLOW_BAD)
    proc = run_tool([tool("actionlint"), path])
    assert proc.returncode == (0 if valid else 1), _output(proc)
    if not valid:
        assert f'{path}:6:5: unexpected key "stepz" for "job" section' in proc.stdout


def test_actionlint_missing_file_is_an_error(tmp_path: Path) -> None:
    proc = run_tool([tool("actionlint"), tmp_path / "absent.yml"])
    assert proc.returncode == 2, _output(proc)


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """One probe run (one Airflow start) for every cfg the probe tests look at."""
    tmp = tmp_path_factory.mktemp("probe")
    case = _write(tmp, "case.cfg", PROBE_CFG)
    typed = _write(
        tmp,
        "typed.cfg",
        "[core]\nexecutor = CeleryExecutor\nparallelism = lots\n[scheduler]\nenable_health_check = maybe\n",
    )
    dup = _write(tmp, "dup.cfg", "[core]\nparallelism = 1\nparallelism = 2\n")
    reads = [["logging", "log_format"], ["core", "parallelism"], ["api", "expose_config"], ["core", "nope"]]
    requests: list[dict[str, Any]] = [
        {"cfg": case, "read": reads},
        {"cfg": typed, "read": [["core", "executor"], ["core", "dags_folder"]]},
        {"cfg": dup, "read": [["core", "parallelism"]]},
        {"cfg": tmp / "absent.cfg"},
    ]
    # A caller's AIRFLOW__* must not reach the results: the probe clears them itself.
    env = clean_env(AIRFLOW__CORE__PARALLELISM="7", AIRFLOW__API__EXPOSE_CONFIG="False")
    results = probe_airflow(requests, env=env)
    return dict(zip(("case", "typed", "dup", "absent"), results, strict=True))


def test_probe_reads_values_as_airflow_does(probed: dict[str, dict[str, Any]]) -> None:
    case = probed["case"]
    assert case["error"] is None
    assert case["values"] == {
        "logging.log_format": "%(asctime)s x 100%",  # %% interpolated once, as ConfigParser does
        "core.parallelism": "64",  # not the caller's AIRFLOW__CORE__PARALLELISM=7
        "api.expose_config": "True",  # read through the 3.x rename from [webserver]
        "core.nope": None,
    }
    assert any("expose_config option in [webserver] has been moved" in w for w in case["warnings"])


def test_probe_lint_reports_moved_option(probed: dict[str, dict[str, Any]]) -> None:
    assert probed["case"]["lint"] == [EXPOSE_CONFIG_MOVED]
    assert probed["case"]["lint_keys"] == ["webserver.expose_config"]


def test_probe_type_errors_and_executor_notice(probed: dict[str, dict[str, Any]]) -> None:
    typed = probed["typed"]
    assert typed["error"] is None
    assert typed["type_errors"] == [
        '[core] parallelism: Failed to convert value to int. Please check "parallelism" key in "core" section. '
        'Current value: "lots".',
        '[scheduler] enable_health_check: Failed to convert value to bool. Please check "enable_health_check" key '
        'in "scheduler" section. Current value: "maybe".',
    ]
    # `config lint` flags any executor but LocalExecutor as a changed default: informational, not an error.
    assert typed["lint_keys"] == ["core.executor"]
    assert typed["values"] == {"core.executor": "CeleryExecutor", "core.dags_folder": "/opt/airflow/dags"}


def test_probe_reports_unreadable_files(probed: dict[str, dict[str, Any]]) -> None:
    assert str(probed["dup"]["error"]).startswith("DuplicateOptionError:")
    assert str(probed["absent"]["error"]).startswith("FileNotFoundError:")


def test_probe_lint_matches_airflow_cli(tmp_path: Path) -> None:
    """The in-process lint gives what `airflow config lint` prints for the same file (1.5 s, one CLI run)."""
    cfg = _write(tmp_path, "airflow.cfg", PROBE_CFG)
    env = clean_env(AIRFLOW_HOME=str(tmp_path / "home"), AIRFLOW_CONFIG=str(cfg), COLUMNS="500")
    proc = run_tool([tool("airflow-python"), "-m", "airflow", "config", "lint"], env=env)
    # The CLI exits 0 even when it finds issues; only its text tells.
    assert proc.returncode == 0, _output(proc)
    assert f"  - {EXPOSE_CONFIG_MOVED}" in proc.stdout.splitlines()
