from __future__ import annotations

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
