"""`compose.overrides`: a mapping merged last into docker-compose.yaml, checked, never blind.

A key airspec already sets may be given again only with the same value; a new key is added (mappings merge key by
key, anything else is replaced whole, so a list airspec writes cannot be extended). Airflow options stay in
`config:` (an `AIRFLOW__*` variable is refused here), and the merged document must pass the Compose
Specification's JSON Schema (airspec/schemas/compose-spec.json, see the README beside it). Messages name keys, never
values: an override may hold a secret.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

from airspec.errors import Diagnostic
from airspec.source import Path, SourceMap, format_path

BASE: Path = ("compose", "overrides")


def merge(base: Any, overrides: Any) -> Any:
    """`overrides` deep-merged into `base` (neither is changed)."""
    if not overrides:
        return base
    if isinstance(base, dict) and isinstance(overrides, dict):
        out = dict(base)
        for key, value in overrides.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return overrides


def conflicts(base: Any, overrides: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """(path in the overrides, why) for each key airspec sets that an override changes or that names an option."""
    if isinstance(overrides, dict) and isinstance(base, dict):
        for key, value in overrides.items():
            where: Path = (*path, key)
            if len(path) == 3 and path[0] == "services" and path[2] == "environment" and _airflow_option(key):
                yield where, "an Airflow option: set it under config: (or the key the spec models it with)"
            elif key in base:
                yield from conflicts(base[key], value, where)
    elif base != overrides:
        yield (
            path,
            "airspec already sets this key to another value; change it through the spec, or leave it out",
        )


def _airflow_option(key: Any) -> bool:
    return isinstance(key, str) and key.upper().startswith("AIRFLOW__")


@functools.cache
def _validator() -> Any:
    from importlib import resources

    import jsonschema  # type: ignore[import-untyped]

    text = resources.files("airspec.schemas").joinpath("compose-spec.json").read_text(encoding="utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def schema_problems(document: Any) -> Iterator[tuple[Path, str]]:
    """(path in the document, what is wrong) for each way it fails the Compose Specification."""
    for error in sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        message = _describe(error)
        if message is not None:
            yield tuple(error.absolute_path), message


def _describe(error: Any) -> str | None:
    from airspec import schemawords

    if str(error.validator) in schemawords.UNKNOWN_KEYS:
        unexpected = schemawords.unexpected_keys(error, _validator().schema)
        if not unexpected:
            return None  # only keys that another error already reports
        return f"not valid for the Compose Specification: unexpected key {', '.join(unexpected)}"
    return f"not valid for the Compose Specification: expected {schemawords.expected(error)}"


def problems(document: dict[str, Any], overrides: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    """Every refusal of `overrides` against the compose document airspec builds, at the override's position (or
    the `compose.overrides` key's, for a problem outside what the spec wrote)."""

    def at(path: Path, message: str) -> Diagnostic:
        full = (*BASE, *path)
        return Diagnostic(source.key(full), "error", f"{format_path(full)}: {message}")

    found = [at(path, why) for path, why in _unplain(overrides)]
    found += [at(path, why) for path, why in conflicts(document, overrides)]
    if not found:
        found = [
            at(_within(path, overrides), why) for path, why in schema_problems(merge(document, overrides))
        ]
    return found


def _unplain(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """What a compose file cannot hold as YAML data: a non-string key, a value other than a string, number,
    boolean, null, list or mapping."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield path, "keys of a compose file are strings: quote this one"
            else:
                yield from _unplain(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unplain(item, (*path, i))
    elif not isinstance(value, str | int | float | bool | None):
        yield path, f"expected a string, number, boolean, null, list or mapping, not a {type(value).__name__}"


def _within(path: Path, overrides: Any) -> Path:
    """The longest prefix of `path` that the overrides themselves hold."""
    held: list[str | int] = []
    node = overrides
    for step in path:
        held_here = (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        )
        if not held_here:
            break
        node = node[step]
        held.append(step)
    return tuple(held)
