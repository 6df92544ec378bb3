from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/airflow-spec.yaml"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite golden/ from the current compiler output"
    )


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a spec text to a file and return its path as a string."""

    def _write(text: str, name: str = "airflow-spec.yaml") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return _write


def airspec(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user does: a new process, this checkout's package, no AIRFLOW* variables leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "airspec", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        input=stdin,
        timeout=60,
    )
