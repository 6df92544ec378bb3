"""The one translator of jsonschema errors into words: what the schema wants, never the value it got."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from airspec import schemawords

SECRET = "s3cr3t-Value-9"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 20},
        "port": {"type": ["integer", "null"]},
        "mode": {"enum": ["a", "b"]},
        "fixed": {"const": "x"},
        "count": {"type": "number", "minimum": 100, "exclusiveMaximum": 200},
        "tag": {"type": "string", "pattern": "^v[0-9]+$"},
        "items": {"type": "array", "maxItems": 1},
        "nested": {"$ref": "#/$defs/nested"},
    },
    "$defs": {"nested": {"allOf": [{"properties": {"known": {}}}], "unevaluatedProperties": False}},
}


def words(document: Any) -> dict[str, str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    out = {}
    for error in validator.iter_errors(document):
        where = ".".join(map(str, error.absolute_path)) or "<root>"
        if str(error.validator) in schemawords.UNKNOWN_KEYS:
            out[f"{where}:keys"] = ", ".join(schemawords.unexpected_keys(error, SCHEMA))
        else:
            out[f"{where}:{error.validator}"] = schemawords.expected(error)
    return out


def test_each_kind_of_refusal_in_words() -> None:
    found = words(
        {
            "port": SECRET,
            "mode": SECRET,
            "fixed": SECRET,
            "count": 500,
            "tag": SECRET,
            "items": [SECRET, SECRET],
            "nested": {"known": 1, SECRET: 1},
            SECRET: 1,
        }
    )
    assert found == {
        "<root>:keys": SECRET,  # a key name, which a schema error may name
        "<root>:required": "a mapping with the key name",
        "port:type": "an integer or a null",
        "mode:enum": 'one of "a", "b"',
        "fixed:const": '"x"',
        "count:exclusiveMaximum": "< 200",
        "tag:pattern": "a string matching ^v[0-9]+$",
        "items:maxItems": "at most 1 items",
        "nested:keys": SECRET,
    }
    assert words({"name": SECRET}) == {"name:minLength": "at least 20 characters"}
    assert words({"name": "a-long-enough-name-here", "count": 1}) == {"count:minimum": ">= 100"}


@pytest.mark.parametrize("value", [SECRET, 12345, [SECRET], {"k": SECRET}, None, True])
def test_values_are_never_quoted(value: Any) -> None:
    document = {key: value for key in SCHEMA["properties"] if key != "nested"}
    for key, text in words(document).items():
        if not key.endswith(":keys"):
            assert SECRET not in text and "12345" not in text, (key, text)
