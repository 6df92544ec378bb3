"""Realistic files as users have them (tests/lint_corpus/, one folder per deployment, Airflow 1.10 to 3.3), each
folder linted with no --airflow-version: every listed problem is found at its line, no listed false positive
is reported, nothing is refused, and each file's inferred version is stated with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from airspec.lint.engine import Request, run

CORPUS = Path(__file__).resolve().parent / "lint_corpus"
EXPECTED: dict[str, Any] = YAML(typ="safe", pure=True).load((CORPUS / "expected.yaml").read_text("utf-8"))


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_corpus_folder(folder: str) -> None:
    want = EXPECTED[folder]
    outcome = run(Request((str(CORPUS / folder),)))
    assert outcome.errors == []
    got = {f"{Path(d.span.file).name}:{d.span.line} {d.code}" for d in outcome.findings}
    missing = [item for item in want.get("found", []) if item not in got]
    assert not missing, f"not found: {missing}\nfound: {sorted(got)}"
    wrong = [item for item in want.get("absent", []) if item in got]
    assert not wrong, f"false positives: {wrong}"
    stated = {Path(t.file).name: t for t in outcome.targets}
    for name, (version, why) in want["versions"].items():
        assert stated[name].version == str(version), stated[name]
        assert why in stated[name].reason, stated[name]


def test_corpus_lints_in_one_run_with_each_folder_its_own_version() -> None:
    outcome = run(Request(tuple(str(CORPUS / f) for f in sorted(EXPECTED))))
    assert outcome.errors == []
    versions = {str(Path(t.file).relative_to(CORPUS)): t.version for t in outcome.targets}
    assert versions == {
        f"{folder}/{name}": str(v[0]) for folder, w in EXPECTED.items() for name, v in w["versions"].items()
    }
    assert not [d for d in outcome.findings if d.code in ("AS605", "AS602") and "deployment" in d.message]
