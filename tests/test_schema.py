"""The published JSON Schema: current with the models, and it accepts every example (editors use it)."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from airspec.loader import load_file
from airspec.schema import schema_text
from tests.conftest import EXAMPLES, ROOT

SCHEMA = ROOT / "schema" / "airflow-spec.schema.json"


def test_committed_schema_is_current() -> None:
    assert SCHEMA.read_text() == schema_text(), "schema is stale: run `make schema` and commit the result"


def test_schema_is_a_valid_2020_12_schema() -> None:
    Draft202012Validator.check_schema(json.loads(SCHEMA.read_text()))


@pytest.mark.parametrize("example", EXAMPLES)
def test_schema_accepts_example(example: str) -> None:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    data = load_file(str(ROOT / "examples" / example / "airflow-spec.yaml")).data
    assert [e.message for e in validator.iter_errors(data)] == []


def test_schema_rejects_unknown_keys_and_unquoted_versions() -> None:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    errors = [
        e.message for e in validator.iter_errors({"name": "x", "airflow": {"version": 3.1}, "bogus": 1})
    ]
    assert "3.1 is not of type 'string'" in errors
    assert any("'bogus' was unexpected" in e for e in errors)
