"""What an import is building: the spec as plain data, a TODO per decision that needs a person, and a report row
for every setting read (and for what compile writes that the files do not have). Report rows never carry a value (a
value may be a secret): only where it was and where it went."""

from __future__ import annotations

from typing import Any, NamedTuple

from airspec.source import Span

# Where a setting went, as the report names it.
MODELLED = "modelled"
CONFIG = "config"
PASSTHROUGH = "passthrough"  # helm.values or compose.overrides, as written
SECRET = "secret reference"
MOVED = "moved"
DROPPED = "dropped"
PERSON = "needs a person"
COMPILED = "written by compile"  # compile writes it and the file does not have it (or has another value)
# Rows that carry a setting into the spec as the file has it: compiled, it reads back the same.
CARRIED = (MODELLED, CONFIG, PASSTHROUGH)


class Row(NamedTuple):
    """One setting read from an input and what became of it."""

    at: Span
    setting: str  # as the input spells it: "[core] executor", "AIRFLOW__CORE__EXECUTOR", "scheduler.replicas"
    went: str  # MODELLED, CONFIG, SECRET, DROPPED or PERSON
    key: str  # the spec key it landed on ("" when dropped)
    why: str = ""
    env: str = ""  # the environment overlay the file was imported into ("": the base)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.at.file,
            "line": self.at.line,
            "setting": self.setting,
            "went": self.went,
            "key": self.key,
            "why": self.why,
            "environment": self.env or None,
        }


class Draft:
    """The spec being built (plain data, dotted paths), its TODO comments, and the report."""

    def __init__(self, env: str = "") -> None:
        self.env = env  # the environment overlay being imported ("": the base)
        self.data: dict[str, Any] = {}
        self.todos: list[str] = []
        self.rows: list[Row] = []
        # dotted spec key -> the Opt that set it (options routed to modelled keys)
        self.opts: dict[str, Any] = {}
        # compose services: a connection to one of them is the bundled database's or broker's
        self.services: set[str] = set()
        # a Helm deployment: the chart's default `config:` (what runs for an option no file sets)
        self.chart_config: dict[str, Any] | None = None
        # settings the files set to the value that runs anyway (left out of the spec)
        self.defaulted: set[str] = set()
        # spec secret keys a chart value wires (`fernetKeySecretName`): it wins over an option's value, as the
        # chart's variables win over airflow.cfg and `config:` (spec key -> chart key)
        self.chart_secrets: dict[str, str] = {}

    def put(self, path: tuple[str, ...], value: Any) -> None:
        node = self.data
        for step in path[:-1]:
            child = node.get(step)
            if not isinstance(child, dict):
                child = node[step] = {}
            node = child
        node[path[-1]] = value

    def get(self, path: tuple[str, ...]) -> Any:
        node: Any = self.data
        for step in path:
            if not isinstance(node, dict) or step not in node:
                return None
            node = node[step]
        return node

    def drop(self, path: tuple[str, ...]) -> None:
        """Remove the key at `path`, and each mapping above it that it leaves empty."""
        node: Any = self.data
        parents = []
        for step in path[:-1]:
            if not isinstance(node, dict) or step not in node:
                return
            parents.append((node, step))
            node = node[step]
        if isinstance(node, dict):
            node.pop(path[-1], None)
        for parent, step in reversed(parents):
            if parent[step] == {}:
                del parent[step]

    def row(self, at: Span, setting: str, went: str, key: str = "", why: str = "") -> None:
        self.rows.append(Row(at, setting, went, key, why, self.env))

    def person(self, at: Span, setting: str, why: str) -> None:
        """A setting the import could not carry over: listed, with a TODO, and the run exits 1."""
        self.rows.append(Row(at, setting, PERSON, "", why, self.env))
        self.todos.append(f"{at.file}:{at.line}: {setting}: {why}")

    def to_person(self, file: str, key: str, why: str) -> None:
        """The rows from `file` that set `key` or a key under it no longer carry it over: each is listed for a
        person, with a TODO."""
        for i, row in enumerate(self.rows):
            if row.at.file == file and row.key and (row.key == key or row.key.startswith(key + ".")):
                self.rows[i] = row._replace(went=PERSON, key="", why=why)
                self.todos.append(f"{row.at.file}:{row.at.line}: {row.setting}: {why}")

    @property
    def needs_person(self) -> list[Row]:
        return [r for r in self.rows if r.went == PERSON]
