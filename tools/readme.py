"""Regenerate the README's generated sections: the spec reference (from the published JSON Schema), the artifact
table (from the artifact registry) and the lint rule catalog (from the rules' own metadata and docstrings).

Run: `make docs` (python tools/readme.py). tests/test_readme.py fails when the README is stale.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


SECRET_REF = "secret reference: `{secret: {name, key}}`, `{env: VAR}` or `{file: /path}`"


def _is_secret_ref(schema: dict[str, Any]) -> bool:
    refs = [schema.get("$ref", "")] + [s.get("$ref", "") for s in schema.get("anyOf", [])]
    return any(r.endswith("/SecretRef") for r in refs)


def _type_of(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if _is_secret_ref(schema):
        return SECRET_REF
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = defs[name]
        return "mapping" if "properties" in target else _type_of(target, defs)
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            parts = [_type_of(s, defs) for s in schema[key] if s.get("type") != "null"]
            return " \\| ".join(dict.fromkeys(parts))
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_type_of(schema.get('items', {}), defs)}"
    if kind == "object":
        extra = schema.get("additionalProperties")
        return f"map of {_type_of(extra, defs)}" if isinstance(extra, dict) else "mapping"
    if kind == "string" and "pattern" in schema:
        return "string"
    return str(kind or "any")


def _target(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    """The object schema behind a property (through $ref and optional unions), if it has properties."""
    if "$ref" in schema:
        return _target(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "properties" in schema:
        return schema
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key, []):
            found = _target(option, defs)
            if found is not None:
                return found
    if schema.get("type") == "object" and isinstance(schema.get("additionalProperties"), dict):
        inner = _target(schema["additionalProperties"], defs)
        return {"properties": {"<name>": {"$ref": "#"}}, "_inner": inner} if inner else None
    return None


def _rows(schema: dict[str, Any], defs: dict[str, Any], prefix: str, depth: int) -> list[str]:
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        default = prop.get("default")
        shown = "" if default is None or default in ({}, []) else f"`{json.dumps(default)}`"
        req = " (required)" if name in required else ""
        description = " ".join(str(prop.get("description", "")).split()).replace("|", "\\|")
        rows.append(f"| `{path}`{req} | {_type_of(prop, defs)} | {shown} | {description} |")
        if depth < 6 and not _is_secret_ref(prop):
            target = _target(prop, defs)
            if target is not None and "_inner" in target:
                rows += _rows(target["_inner"], defs, f"{path}.<name>.", depth + 1)
            elif target is not None and prop.get("type") != "array":
                rows += _rows(target, defs, f"{path}.", depth + 1)
    return rows


def spec_reference() -> str:
    from airspec.schema import spec_schema

    schema = spec_schema()
    defs = schema.get("$defs", {})
    head = ["| key | type | default | what it is |", "|---|---|---|---|"]
    return "\n".join(head + _rows(schema, defs, "", 0)) + "\n"


def rule_catalog() -> str:
    from airspec.lint.rules import rules

    head = ["| id | severity | category | name | checks | what it catches |", "|---|---|---|---|---|---|"]
    rows = [
        f"| {r.id} | {r.severity} | {r.category} | {r.name} | {', '.join(r.kinds) or 'spec'} | "
        f"{r.summary.replace('|', chr(92) + '|')} |"
        for r in rules()
    ]
    return "\n".join(head + rows) + "\n"


def artifact_table() -> str:
    from airspec.artifacts import REGISTRY

    head = ["| kind (`--only`) | path under OUT | when | proven by (tests) |", "|---|---|---|---|"]
    rows = [f"| `{k.name}` | `{k.path.replace('{}', '<name>')}` | {k.when} | {k.proof} |" for k in REGISTRY]
    return "\n".join(head + rows) + "\n"


def support_table() -> str:
    from tools.support_table import markdown

    return markdown()


SECTIONS = {
    "spec-reference": spec_reference,
    "support": support_table,
    "artifacts": artifact_table,
    "rules": rule_catalog,
}


def render(text: str) -> str:
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no <!-- {name}:start --> ... <!-- {name}:end --> section")
        start, end = pattern.search(text).span()  # type: ignore[union-attr]
        text = text[:start] + f"<!-- {name}:start -->\n" + make() + f"<!-- {name}:end -->" + text[end:]
    return text


def main() -> int:
    current = README.read_text(encoding="utf-8")
    updated = render(current)
    if "--check" in sys.argv:
        return 0 if updated == current else 1
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
