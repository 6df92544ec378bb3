"""What rules see and what they return: the inputs of one lint run, and a Hit (a finding before the engine
gives it its rule id and severity).

Kept free of pydantic and ruamel imports so that linting a raw airflow.cfg stays light; the spec types are
named only for mypy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from airspec.lint import KINDS
from airspec.source import SourceMap, Span

if TYPE_CHECKING:
    from airspec.catalog import Catalog
    from airspec.cfgfile import CfgFile
    from airspec.resolve import Resolved

SEVERITIES = ("error", "warning", "info")
CATEGORIES = (
    "meta",
    "security",
    "reliability",
    "observability",
    "upgrade",
    "performance",
    "consistency",
    "delivery",
)
# Kinds whose files cannot hold a comment (JSON): no inline suppression.
NO_COMMENTS = frozenset({"grafana-dashboard"})


def rank(severity: str) -> int:
    """error 3, warning 2, info 1: findings at or above --fail-on fail the run."""
    return {"error": 3, "warning": 2, "info": 1}[severity]


class Hit(NamedTuple):
    """One problem a rule found: where, what, and (rarely) a severity other than the rule's own."""

    span: Span
    message: str
    severity: str | None = None


class Opt(NamedTuple):
    """One Airflow option as an input sets it: an airflow.cfg line, a Helm `config:` entry, an AIRFLOW__ variable,
    or an option the spec resolves to. `value` is None when the input does not fix it (a template, ${VAR})."""

    section: str
    name: str
    value: str | None
    key: Span
    at: Span
    label: str  # how the input spells it, for messages: "[core] executor", "AIRFLOW__CORE__EXECUTOR", ...
    raw: str = ""


class FileContext:
    """A raw input: airflow.cfg, Helm values, docker-compose, a GitHub workflow, a StatsD mapping file. The engine
    fills in the version, catalog, options and executors once it knows them. (A plain class: a dataclass costs
    every run ~0.4 ms to define.)"""

    def __init__(
        self,
        kind: str,
        file: str,
        text: str,
        data: Any = None,  # YAML kinds: plain data
        source: SourceMap | None = None,  # YAML kinds: positions
        ini: CfgFile | None = None,  # airflow.cfg, as Airflow reads it
    ) -> None:
        self.kind = kind
        self.file = file
        self.text = text
        self.data = data
        self.source = source
        self.ini = ini
        self.catalog: Catalog | None = None  # None for kinds that need no Airflow version (workflow)
        self.version: str | None = None
        self._options: list[Opt] = []
        self._by_place: dict[tuple[str, str], Opt] = {}
        self._indexed = 0  # how many of _options _by_place covers
        self.executors: list[str] = []  # empty when the input does not say
        # the version the file itself names (image tag, airflowVersion)
        self.stated_version: str | None = None
        self.root: tuple[
            str, ...
        ] = ()  # Helm values of a wrapper chart: the key the chart's values are under

    @property
    def options(self) -> list[Opt]:
        return self._options

    @options.setter
    def options(self, options: list[Opt]) -> None:
        self._options = options
        self._by_place = {}
        self._indexed = 0

    @property
    def lines(self) -> list[str]:
        """The file's lines as its positions count them (airflow.cfg: as Airflow splits it)."""
        return self.ini.lines if self.ini is not None else self.text.splitlines()

    def key(self, *path: str | int) -> Span:
        assert self.source is not None
        return self.source.key(path)

    def value(self, *path: str | int) -> Span:
        assert self.source is not None
        return self.source.value(path)

    def has(self, *path: str | int) -> bool:
        assert self.source is not None
        return path in self.source.keys or path in self.source.values

    def get(self, *path: str | int) -> Any:
        return dig(self.data, path)

    def option(self, section: str, name: str) -> Opt | None:
        """The last setting of an option (later settings win, as env over config does). Looked up in an index,
        since rules ask once per option of files with many thousands. Rules ask by today's names: when the file
        does not set that name, the place where its version reads the same setting is asked (the catalog's
        aliases: an old name still read, or where an old line keeps it)."""
        if self._indexed != len(self._options):  # built on first use; extended if options were appended
            for opt in self._options[self._indexed :]:
                self._by_place[(opt.section, opt.name)] = opt
            self._indexed = len(self._options)
        found = self._by_place.get((section, name))
        if found is None and self.catalog is not None:
            for place in self.catalog.aliases(section, name):
                found = self._by_place.get(place)
                if found is not None:
                    break
        return found

    def spell(self, section: str, name: str) -> str:
        """An option as this kind of input writes it, for "set X instead" advice; named as the file's version
        names it (a 1.10 file is told [core] remote_base_log_folder, not today's [logging] one)."""
        if self.catalog is not None:
            section, name = self.catalog.place(section, name)
        if self.kind == "compose":
            return f"AIRFLOW__{section.upper()}__{name.upper()}"
        if self.kind == "helm-values":
            return f"config.{section}.{name}"
        return f"[{section}] {name}"


class SpecContext:
    """A spec that validated, resolved in one environment (None: the base)."""

    kind = "spec"

    def __init__(self, resolved: Resolved, text: str, env: str | None, options: list[Opt]) -> None:
        self.resolved = resolved
        self.text = text
        self.env = env
        self.options = options

    @property
    def file(self) -> str:
        return self.resolved.source.file

    @property
    def catalog(self) -> Catalog:
        return self.resolved.catalog

    @property
    def production(self) -> bool:
        """An environment named prod/production, or a spec without environments that is not development_only."""
        if self.env is not None:
            return self.env in ("prod", "production")
        spec = self.resolved.spec
        return not spec.environments and not spec.development_only

    def key(self, *path: str | int) -> Span:
        return self.resolved.source.key(path)

    def value(self, *path: str | int) -> Span:
        return self.resolved.source.value(path)

    def has(self, *path: str | int) -> bool:
        source = self.resolved.source
        return path in source.keys or path in source.values

    def option(self, section: str, name: str) -> Opt | None:
        return next((o for o in self.options if (o.section, o.name) == (section, name)), None)

    def spell(self, section: str, name: str) -> str:
        return f"config.{section}.{name}"


class Project(NamedTuple):
    """Every input of one run, for rules that compare files (Helm `config:` against an airflow.cfg)."""

    specs: list[SpecContext]
    files: list[FileContext]


Context = SpecContext | FileContext
SpecCheck = Callable[[SpecContext], Iterable[Hit]]
FileCheck = Callable[[FileContext], Iterable[Hit]]
ProjectCheck = Callable[[Project], Iterable[Hit]]


class Rule(NamedTuple):
    """A rule: its id, severity, category, documentation (the module docstring) and the check for each kind of
    input it reads (`spec`; `files` by input kind; `project` for rules that compare inputs)."""

    id: str
    name: str
    severity: str
    category: str
    spec: SpecCheck | None = None
    files: Mapping[str, FileCheck] = MappingProxyType({})
    project: ProjectCheck | None = None
    project_kinds: tuple[str, ...] = ()  # where a project rule's findings land
    doc: str = ""  # the module's docstring and name: filled in by lint.rules.rules()
    module: str = ""

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else ""

    @property
    def kinds(self) -> tuple[str, ...]:
        found = ["spec"] if self.spec else []
        found += [k for k in KINDS if k in self.files or k in self.project_kinds]
        return tuple(found)


def dig(data: Any, path: Iterable[str | int]) -> Any:
    """data[a][b]... or None when any step is missing or of the wrong type."""
    node = data
    for step in path:
        if isinstance(step, str) and isinstance(node, dict):
            node = node.get(step)
        elif isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node
