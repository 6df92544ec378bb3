"""Every rule's pass and fail cases (tests/lint_cases/<ID>.yaml), run by one parametrised test.

A case: `kind` and `text` (or `files: [{kind, text, name}]`), optional `beside: [{name, text}]` (written next to them,
not linted: a Dockerfile, a requirements file), optional `version` (--airflow-version) and `env`,
and `expect`: where this rule's findings are, as "line:col" ("name:line:col" for several files); [] passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.lint_support import CASES, lint_case, where


def _cases() -> list[Any]:
    out = []
    yaml = YAML(typ="safe", pure=True)
    for path in sorted(CASES.glob("AS*.yaml")):
        for case in yaml.load(path.read_text(encoding="utf-8"))["cases"]:
            out.append(pytest.param(path.stem, case, id=f"{path.stem}-{case['name']}"))
    return out


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_case(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    found = lint_case(tmp_path, case, rule)
    single = "files" not in case
    got = sorted(where(d, single) for d in found)
    assert got == sorted(case["expect"]), "\n".join(str(d) for d in found)
