"""Compiled output of every example, byte for byte, against golden/<example>/.

Regenerate after an intended change with `make golden` (pytest tests/test_golden.py --update-golden) and review
the result with `git diff golden/`.
"""

from __future__ import annotations

import difflib
import shutil

import pytest

from airspec import pipeline
from airspec.artifacts import build
from tests.conftest import EXAMPLES, ROOT

GOLDEN = ROOT / "golden"


@pytest.mark.parametrize("example", EXAMPLES)
def test_golden(example: str, request: pytest.FixtureRequest) -> None:
    spec = f"examples/{example}/airflow-spec.yaml"
    folder = GOLDEN / example
    # As `airspec compile examples/<example>/airflow-spec.yaml -o golden/<example>` writes them.
    artifacts = {a.path: a.text for a in build(pipeline.resolved(str(ROOT / spec), out=str(folder)))}
    if request.config.getoption("--update-golden"):
        shutil.rmtree(folder, ignore_errors=True)
        for path, text in artifacts.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8", newline="\n")
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert on_disk == set(artifacts), (
        "golden files differ in name: run `make golden` and review `git diff golden/`"
    )
    for path, text in artifacts.items():
        want = (folder / path).read_text(encoding="utf-8")
        if want != text:
            diff = "".join(
                difflib.unified_diff(
                    want.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"golden/{example}/{path}",
                    "compiled",
                )
            )
            pytest.fail(
                f"{example}/{path} differs from golden (run `make golden`, review `git diff golden/`):\n{diff}"
            )
