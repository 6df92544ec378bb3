"""Project lint settings: `[tool.airspec.lint]` in pyproject.toml, or `lint:` in .airspec.yaml, found from the
current directory upward (the nearest directory with either wins; .airspec.yaml before pyproject.toml there).

    [tool.airspec.lint]
    select = ["AS1", "AS4"]        # ids, id prefixes, categories or rule names; default: every rule
    ignore = ["AS503"]
    fail-on = "error"              # error | warning | info
    baseline = "airspec-baseline.json"
    project = true                 # the files linted are one deployment (as --project); default: each folder is one
    [tool.airspec.lint.severity]
    AS201 = "error"

Command-line --select replaces `select`; --ignore adds to `ignore`; --fail-on and --baseline win; --project or
`project = true` makes one deployment of all inputs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from airspec.errors import UsageError
from airspec.lint.model import SEVERITIES
from airspec.loader import load_file

_KEYS = {"select", "ignore", "severity", "fail-on", "fail_on", "baseline", "project"}


class Settings(NamedTuple):
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = MappingProxyType({})
    fail_on: str | None = None
    baseline: str | None = None
    project: bool = False
    origin: str | None = None  # the file these came from


def find(start: str | None = None) -> Settings:
    directory = os.path.realpath(start or os.getcwd())
    while True:
        dotfile = os.path.join(directory, ".airspec.yaml")
        if os.path.isfile(dotfile):
            return _from_yaml(dotfile)
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject):
            found = _from_pyproject(pyproject)
            if found is not None:
                return found
        parent = os.path.dirname(directory)
        if parent == directory:
            return Settings()
        directory = parent


def _from_pyproject(path: str) -> Settings | None:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read lint settings: {exc}") from None
    if "tool.airspec" not in text:
        return None  # most pyproject files: skip the TOML parser
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: cannot read lint settings: {exc}") from None
    table = data.get("tool", {}).get("airspec", {}).get("lint")
    if table is None:
        return None
    return _settings(table, f"{path} [tool.airspec.lint]", os.path.dirname(path))


def _from_yaml(path: str) -> Settings:
    data = load_file(path).data  # an unreadable or malformed settings file is reported as it is
    table = data.get("lint", {}) if isinstance(data, dict) else None
    return _settings(table, f"{path} lint:", os.path.dirname(path))


def _settings(table: Any, where: str, base: str) -> Settings:
    if not isinstance(table, dict):
        raise UsageError(f"{where}: expected a mapping")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise UsageError(
            f"{where}: unknown key {unknown[0]!r} (keys: {', '.join(sorted(_KEYS - {'fail_on'}))})"
        )
    severity = table.get("severity", {})
    if not isinstance(severity, dict) or any(v not in SEVERITIES for v in severity.values()):
        raise UsageError(f"{where}: severity maps rule ids to one of {', '.join(SEVERITIES)}")
    fail_on = table.get("fail-on", table.get("fail_on"))
    if fail_on is not None and fail_on not in SEVERITIES:
        raise UsageError(f"{where}: fail-on must be one of {', '.join(SEVERITIES)}")
    baseline = table.get("baseline")
    project = table.get("project", False)
    if not isinstance(project, bool):
        raise UsageError(f"{where}: project must be true or false")
    return Settings(
        select=_ids(table.get("select"), where),
        ignore=_ids(table.get("ignore"), where),
        severity={str(k).upper(): str(v) for k, v in severity.items()},
        fail_on=fail_on,
        baseline=os.path.join(base, baseline) if isinstance(baseline, str) else None,
        project=project,
        origin=where,
    )


def _ids(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return split(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise UsageError(f"{where}: select/ignore take a list of rule ids")


def split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())
