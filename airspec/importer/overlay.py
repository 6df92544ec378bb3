"""Environment overlays: files imported as their own spec (`--env NAME=FILE`), written as what differs from the
base, as validation merges an overlay back (airspec.validate.deep_merge: mappings key by key, anything else and a
value whose keys are alternatives replaced whole, `null` deleting a key)."""

from __future__ import annotations

from typing import Any

from airspec.importer import tree
from airspec.importer.draft import COMPILED, PERSON, Draft
from airspec.validate import deep_merge, is_one_of

# Keys an overlay cannot set (validation refuses them there).
OWN = ("name", "environments")
# Top-level compose keys whose entries declare something (`minio-data:`, null, is a volume with compose's defaults).
COMPOSE_TOP = ("volumes", "networks", "configs", "secrets")


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


def combined(base: Draft, envs: list[Draft]) -> Draft:
    """The base draft with each environment's spec as an overlay, and every row and TODO of each."""
    for env in envs:
        for path in nulls(env.data):
            dotted = ".".join(str(p) for p in path)
            if len(path) == 4 and path[:2] == ("compose", "overrides") and path[2] in COMPOSE_TOP:
                # `minio-data:` declares a volume with compose's defaults, as `{}` does
                env.put(tuple(str(p) for p in path), {})
                why = "an overlay cannot write null (it deletes the key there): written as {}, the same to compose"
                for at in [r.at for r in env.rows if r.key == dotted][:1]:
                    env.row(at, ".".join(str(p) for p in path[2:]), COMPILED, "", why)
                continue
            env.drop(tuple(str(p) for p in path))
            for i, row in enumerate(env.rows):
                if row.key == dotted:
                    why = "a null: an environment overlay cannot write one (there it deletes the key)"
                    env.rows[i] = row._replace(went=PERSON, key="", why=why)
                    env.todos.append(f"{row.at.file}:{row.at.line}: {row.setting}: {why}")
        written = overlay(base.data, env.data)
        base.data.setdefault("environments", {})[env.env] = written
        for row in env.rows:
            path = tuple(row.key.split(".")) if row.key else ()
            if path and path[0] in OWN:
                row = row._replace(why="an environment keeps the base's (an overlay cannot set it)")
            elif path and not holds(written, path):
                row = row._replace(
                    why=f"{row.why}; the base has the same" if row.why else "the base has the same"
                )
            base.rows.append(row)
        base.todos += [f"environments.{env.env}: {todo}" for todo in env.todos]
    return base
