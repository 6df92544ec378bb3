"""Find and run the real consumers of airspec's artifacts (installed by scripts/install-validators.sh).

A missing tool skips the test, or fails it when AIRSPEC_REQUIRE_VALIDATORS=1 (CI sets that, so a
broken install cannot pass as a run of skips).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
AIRFLOW_PROBE = Path(__file__).resolve().parent / "airflow_probe.py"

# kubernetes-validate bundles schemas for 1.25.0 .. 1.37.0 and needs no network; pass `-k` always,
# since its default follows the package version.
KUBERNETES_VERSION = "1.33.0"
DEFAULT_TIMEOUT = 120.0
REQUIRE_ENV = "AIRSPEC_REQUIRE_VALIDATORS"

_HINT = "run scripts/install-validators.sh (and make for .venv)"
_DIRS = (REPO / ".tools" / "bin", REPO / ".venv" / "bin", REPO / ".venv-airflow" / "bin")
KNOWN_TOOLS = (
    "promtool",
    "actionlint",
    "check-jsonschema",
    "kubernetes-validate",
    "docker-compose",
    "shellcheck",
    "hadolint",
    "airflow-python",
)
# Variables of the caller that would change what a tool reports; run_tool drops them by default.
_LEAKY_ENV_PREFIXES = ("AIRFLOW__", "AIRFLOW_CONFIG", "AIRFLOW_HOME", "COMPOSE_", "DOCKER_")


def _missing(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(reason)


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


@functools.cache
def _find(name: str) -> str | None:
    if name == "airflow-python":
        # Only the dedicated venv: any other python would not have Airflow 3.3.2.
        python = REPO / ".venv-airflow" / "bin" / "python"
        has_airflow = any((REPO / ".venv-airflow" / "lib").glob("python3*/site-packages/airflow/__init__.py"))
        return str(python) if _executable(python) and has_airflow else None
    for directory in (*_DIRS, Path(sys.prefix) / "bin"):
        if _executable(directory / name):
            return str(directory / name)
    return shutil.which(name)


def tool(name: str) -> str:
    """Absolute path of a validator, or skip (fail under AIRSPEC_REQUIRE_VALIDATORS=1)."""
    if name not in KNOWN_TOOLS:
        raise ValueError(f"unknown tool {name!r}; known: {', '.join(KNOWN_TOOLS)}")
    found = _find(name)
    if found is None:
        _missing(f"validator {name!r} not installed: {_HINT}")
    return found


def shared(*parts: str) -> Path:
    """A file or folder under the workspace's shared/ (beside the repo), or skip/fail if absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        _missing(f"shared reference data missing: {path}")
    return path


def clean_env(**extra: str) -> dict[str, str]:
    """os.environ without AIRFLOW__*/AIRFLOW_HOME/AIRFLOW_CONFIG/COMPOSE_*/DOCKER_*, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_ENV_PREFIXES)}
    env.update(extra)
    return env


def run_tool(args: Sequence[str | os.PathLike[str]], **kw: Any) -> subprocess.CompletedProcess[str]:
    """Run a validator; text output captured, no check, a timeout, and clean_env() unless env= is given."""
    kw.setdefault("timeout", DEFAULT_TIMEOUT)
    kw.setdefault("env", clean_env())
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("check", False)
    if "input" not in kw:
        kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([os.fspath(a) for a in args], **kw)


def probe_airflow(requests: list[dict[str, Any]], env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Run tests/airflow_probe.py once for many cfg files (its docstring has the JSON shapes).

    Each request: {"cfg": path, "read": [[section, option], ...], "airflow_home": optional}.
    Each result: {"cfg", "lint", "lint_keys", "values", "type_errors", "warnings", "error"}.
    Start-up costs about a second, so batch every cfg of a test module into one call.
    """
    payload = [{**r, "cfg": str(r["cfg"])} for r in requests]
    proc = run_tool(
        [tool("airflow-python"), str(AIRFLOW_PROBE)], input=json.dumps(payload), env=env or clean_env()
    )
    if proc.returncode != 0:
        raise AssertionError(f"airflow probe exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results


def probe_python(code: str, payload: Any) -> Any:
    """Run `code` with the python of .venv-airflow (Airflow 3.3.2), `payload` as JSON on stdin, in a fresh
    AIRFLOW_HOME with an empty airflow.cfg; returns the JSON the code prints last."""
    import tempfile

    python = tool("airflow-python")
    with tempfile.TemporaryDirectory(prefix="airspec-probe-") as home:
        cfg = Path(home) / "airflow.cfg"
        cfg.write_text("", encoding="utf-8")
        env = clean_env(AIRFLOW_HOME=home, AIRFLOW_CONFIG=str(cfg), _AIRFLOW__AS_LIBRARY="1")
        proc = run_tool([python, "-c", code], input=json.dumps(payload), env=env)
    if proc.returncode != 0:
        raise AssertionError(f"airflow python exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
