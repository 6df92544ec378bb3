"""The rule catalogue itself: ids, names, documentation and cases (sqlfluff-style meta-test)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from airspec.lint import KINDS
from airspec.lint.docs import HEADINGS, explain, sections
from airspec.lint.model import CATEGORIES, SEVERITIES, Rule
from airspec.lint.rules import modules, rules
from tests.lint_support import CASES

RULES = rules()
RULES_DIR = Path(__file__).resolve().parents[1] / "airspec" / "lint" / "rules"
CATEGORY_OF_HUNDRED = {
    "0": "meta",
    "1": "security",
    "2": "reliability",
    "3": "observability",
    "4": "upgrade",
    "5": "performance",
    "6": "consistency",
    "7": "delivery",
}


def _cases(rule: Rule) -> list[dict[str, object]]:
    path = CASES / f"{rule.id}.yaml"
    assert path.is_file(), f"{rule.id} has no cases file {path}"
    cases: list[dict[str, object]] = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))[
        "cases"
    ]
    return cases


def test_ids_unique() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert len({r.name for r in RULES}) == len(RULES)
    assert ids == sorted(ids)
    assert len([i for i in ids if i != "AS000"]) >= 30


def test_every_module_is_a_rule() -> None:
    on_disk = sorted(p.stem for p in RULES_DIR.glob("as*.py"))
    assert on_disk == modules()
    assert [r.module.rsplit(".", 1)[1] for r in RULES] == on_disk


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_declaration_matches_the_module(rule: Rule) -> None:
    """Every check function a rule module defines is one its RULE declares, and nothing else is: a misspelled or
    forgotten check cannot silently stop running."""
    import ast
    import inspect
    import sys

    module = sys.modules[rule.module]
    tree = ast.parse(inspect.getsource(module))
    defined = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and re.fullmatch(r"_?check(_\w+)?", node.name)
    }
    declared = {f.__name__ for f in [rule.spec, rule.project, *rule.files.values()] if f is not None}
    assert defined == declared, (
        f"{rule.id}: check functions {sorted(defined)} but RULE names {sorted(declared)}"
    )
    assert set(rule.files) <= set(KINDS) - {"spec"}
    assert bool(rule.project) == bool(rule.project_kinds)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata(rule: Rule) -> None:
    assert re.fullmatch(r"AS\d{3}", rule.id)
    assert rule.module.rsplit(".", 1)[1].startswith(rule.id.lower() + "_")
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.severity in SEVERITIES
    assert rule.category in CATEGORIES
    assert rule.category == CATEGORY_OF_HUNDRED[rule.id[2]]
    if rule.id != "AS000":
        assert rule.kinds, f"{rule.id} checks nothing"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_documentation(rule: Rule) -> None:
    doc = sections(rule)
    assert doc["summary"].endswith("."), doc["summary"]
    for heading in HEADINGS:
        assert doc.get(heading, "").strip(), f"{rule.id}: docstring has no {heading.capitalize()}: section"
    assert doc["bad"] != doc["good"]
    text = explain(rule)
    assert rule.id in text and "Bad:" in text and "Good:" in text and "How to suppress:" in text


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_cases(rule: Rule) -> None:
    cases = _cases(rule)
    assert any(c["expect"] for c in cases), f"{rule.id}: no failing case"
    assert any(not c["expect"] for c in cases), f"{rule.id}: no passing case"
    kinds = {c.get("kind") for c in cases} | {
        f["kind"]
        for c in cases
        for f in c.get("files", [])  # type: ignore[attr-defined]
    }
    missing = set(rule.kinds) - kinds
    assert not missing, f"{rule.id}: no case for {sorted(missing)}"


def test_removed_commands_match_airflow_cli() -> None:
    """AS408's table of commands Airflow 3 dropped, against the CLI command lists of the released wheels."""
    import json

    from airspec.lint.rules.as408_webserver_on_airflow3 import REMOVED_COMMANDS
    from tests.validators import shared

    top = json.loads(shared("upstream", "airflow-config", "cli-commands.json").read_text())["top_level"]
    for old, new in REMOVED_COMMANDS.items():
        assert old in top["2.11.2"]["core"] and old not in top["3.3.2"]["core"]
        assert new in top["3.3.2"]["core"]
