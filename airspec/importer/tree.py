"""Plain YAML data as the importer walks it: leaves with their paths, lookups, and the comparison the report's
"what differs" rows and the passthroughs use (the same meaning `airspec diff` gives: numbers by value, Airflow
option text by what Airflow reads, lists that are sets by nature as sets)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from airspec.importer.options import same

Path = tuple[str | int, ...]
MISSING: Any = object()

# Lists whose order means nothing (as the diff keys them): compared as sets.
SET_LISTS = frozenset(
    {
        "env",
        "envFrom",
        "volumes",
        "volumeMounts",
        "containers",
        "initContainers",
        "ports",
        "tolerations",
        "imagePullSecrets",
        "secret",
        "extraVolumes",
        "extraVolumeMounts",
        "extraContainers",
        "extraInitContainers",
        "expose",
        "profiles",
        "depends_on",
    }
)


def leaves(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """(path, value) of every leaf: mappings are stepped into, anything else (lists too) is one leaf; an empty
    mapping is a leaf."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif path:
        yield path, node


def at(node: Any, path: Path) -> Any:
    """The value at `path`, or MISSING."""
    for step in path:
        if isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return MISSING
    return node


def put(node: dict[str, Any], path: Path, value: Any) -> None:
    for step in path[:-1]:
        child = node.get(str(step))
        if not isinstance(child, dict):
            child = node[str(step)] = {}
        node = child
    node[str(path[-1])] = value


def remove(node: Any, path: Path) -> None:
    """Remove `path`, and every mapping it leaves empty."""
    if not path or not isinstance(node, dict) or path[0] not in node:
        return
    if len(path) == 1:
        del node[path[0]]
        return
    remove(node[path[0]], path[1:])
    if node[path[0]] == {}:
        del node[path[0]]


def dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


def covers(prefix: Path, path: Path) -> bool:
    return path[: len(prefix)] == prefix


def equal(a: Any, b: Any, path: Path = (), options: bool = False) -> bool:
    """Whether two values mean the same; `options`: strings are Airflow option text (`'True'` = `true`)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k], (*path, k), options) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        if path and path[-1] in SET_LISTS:
            return len(a) == len(b) and sorted(map(_key, a)) == sorted(map(_key, b))
        return len(a) == len(b) and all(
            equal(x, y, (*path, i), options) for i, (x, y) in enumerate(zip(a, b, strict=True))
        )
    if options and isinstance(a, str | int | float | bool) and isinstance(b, str | int | float | bool):
        return same(_text(a), _text(b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _text(value: str | int | float | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _key(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)
