"""Environment overlays: files imported as their own spec (`--env NAME=FILE`), written as what differs from the
base, as validation merges an overlay back (airspec.validate.deep_merge: mappings key by key, anything else and a
value whose keys are alternatives replaced whole, `null` deleting a key)."""

from __future__ import annotations

from typing import Any

from airspec.importer import tree
from airspec.validate import deep_merge, is_one_of

# Keys an overlay cannot set (validation refuses them there).
OWN = ("name", "environments")


def differences(base: Any, env: Any, path: tree.Path = ()) -> dict[str, Any]:
    """The overlay that turns `base` into `env` (both mappings)."""
    out: dict[str, Any] = {}
    for key, value in env.items():
        here = (*path, key)
        if key not in base:
            out[key] = value
        elif identical(base[key], value):
            continue
        elif isinstance(value, dict) and isinstance(base[key], dict) and not is_one_of(here):
            out[key] = differences(base[key], value, here)
        else:
            out[key] = value
    for key in base:
        if key not in env:
            out[key] = None
    return out


def identical(a: Any, b: Any) -> bool:
    """Equal, and of the same types throughout (`1` is not `true`, nor `1.0`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def nulls(node: Any, path: tree.Path = ()) -> list[tree.Path]:
    """Paths of `null` values: an overlay cannot say them (`null` there deletes the key)."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in nulls(value, (*path, key))] if node else []
    return [path] if node is None and path else []


def overlay(base: dict[str, Any], env: dict[str, Any]) -> dict[str, Any]:
    """The overlay for `env` over `base` (their own keys left out); merged back it gives `env` exactly."""
    mine = {k: v for k, v in base.items() if k not in OWN}
    theirs = {k: v for k, v in env.items() if k not in OWN}
    out = differences(mine, theirs)
    if not identical(deep_merge(mine, out), theirs):
        raise AssertionError("an imported environment does not merge back into what was imported")
    return out


def holds(out: Any, path: tree.Path) -> bool:
    """Whether the overlay writes the spec key at `path` (itself, or a value that replaces it whole)."""
    node = out
    for step in path:
        if not isinstance(node, dict):
            return True
        if step not in node:
            return False
        node = node[step]
    return True
