"""jsonschema errors in words that never quote the checked document's values: a value there may be a secret
(jsonschema's own messages quote it). The one translator for every schema airspec checks documents against: the
chart's values schema (helm.values, lint AS609) and the Compose Specification (compose.overrides)."""

from __future__ import annotations

import json
import re
from typing import Any

UNKNOWN_KEYS = ("additionalProperties", "unevaluatedProperties")


def expected(error: Any) -> str:
    """What the schema wants where `error` is, e.g. "a string or a null", "one of "a", "b"", ">= 1"."""
    validator, value = str(error.validator), error.validator_value
    if validator == "type":
        names = value if isinstance(value, list) else [value]
        return " or ".join(f"{'an' if str(n)[:1] in 'aeiou' else 'a'} {n}" for n in names)
    if validator == "enum":
        return _short("one of " + ", ".join(json.dumps(v) for v in value))
    if validator == "const":
        return _short(json.dumps(value))
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[validator]
        return f"{sign} {value}"
    if validator == "pattern":
        return _short(f"a string matching {value}")
    if validator == "required":
        return f"a mapping with the key {_missing(error)}"
    if validator in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"):
        what = {"Length": "characters", "Items": "items", "Properties": "keys"}[validator[3:]]
        return f"{'at least' if validator.startswith('min') else 'at most'} {value} {what}"
    return f"what the schema's {validator} rule allows"


def unexpected_keys(error: Any, root: Any) -> list[str]:
    """For an additionalProperties or unevaluatedProperties error: the keys of the mapping that the schema object
    declares nowhere (its properties and patternProperties, through allOf/anyOf/oneOf and local $refs into
    `root`). jsonschema's unevaluatedProperties message also lists keys that failed another rule; these do not."""
    if str(error.validator) not in UNKNOWN_KEYS or not isinstance(error.instance, dict):
        return []
    known: set[str] = set()
    patterns: set[str] = set()
    _declared(error.schema, root, known, patterns, 0)
    return sorted(
        str(k) for k in error.instance if k not in known and not any(re.search(p, str(k)) for p in patterns)
    )


def declared(schema: Any, root: Any) -> set[str]:
    """The keys a schema object declares by name (for a did-you-mean)."""
    known: set[str] = set()
    _declared(schema, root, known, set(), 0)
    return known


def _declared(schema: Any, root: Any, known: set[str], patterns: set[str], depth: int) -> None:
    if not isinstance(schema, dict) or depth > 20:
        return
    known.update(schema.get("properties") or {})
    patterns.update(schema.get("patternProperties") or {})
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        _declared(target, root, known, patterns, depth + 1)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            _declared(sub, root, known, patterns, depth + 1)


def _missing(error: Any) -> str:
    """The key a `required` error names (jsonschema's message names the key only: "'x' is a required property")."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    missing = [str(k) for k in error.validator_value if k not in instance]
    return ", ".join(missing) if missing else "that the schema requires"


def _short(text: str) -> str:
    return text if len(text) <= 300 else text[:297] + "..."
