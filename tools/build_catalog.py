#!/usr/bin/env python3
"""Build the committed Airflow facts in ``airspec/catalog/data/`` from published PyPI wheels.

Usage::

    python tools/build_catalog.py [--wheels DIR] [--out airspec/catalog/data]

Wheels are fetched with ``pip download --no-deps`` into ``--wheels`` (a cache: files already there are
reused; default a throw-away temp dir) and read straight out of the zip files. Airflow is never imported,
installed or executed: YAML is parsed with ruamel.yaml, Python modules with ``ast`` only. Only facts are
written (names, types, defaults, sensitivity, versions, renames, metric names); no description or help text.

Lines (see ``LINES``, in build order): the full lines 2.10 on, which compile, validate and lint take, and the
lint-only lines 1.10, 2.0 ... 2.9 (each pinned to the newest patch release on PyPI), for linting files of older
deployments. A lint-only line's file holds only what lint reads (``lint_facts``: no provider, no
version_deprecated, an option's version_added only when a patch release of the line added it, fields at their
default left out); ``index.json`` lists both kinds; ``sections.json`` (below) which lines read each section;
``option-lines.json`` says which lines have each option (a bit per line of ``lines``), so that telling a file's
line by its options reads one small file, not every line's, and which options any line marks sensitive (1.10 did
not mark ``[webserver] secret_key``; a literal one is a secret all the same).

Where each fact comes from, per Airflow line:

* options: core ``airflow/config_templates/config.yml`` (a list of sections up to 2.5, a mapping from 2.6; 1.10
  spells a few integers ``int``) plus ``get_provider_info()["config"]`` of each provider (the returned dict
  literal is read with ``ast.literal_eval``); before 2.7 Airflow loads no provider configuration, so those lines
  pin no provider. Up to 2.6 Airflow reads its defaults from ``default_airflow.cfg``, rendered from config.yml:
  the build stops if that file has an option config.yml lacks or another default (1.10.15 ships both files; the
  cfg leaves out the options without a default). An option is also sensitive when the parser's literal
  ``sensitive_config_values`` lists it (up to 2.6; 1.10's config.yml marks nothing sensitive). Core wins on a
  clash. Then the options of ``provider_config_fallback_defaults.cfg`` (2.11+; ``pre_2_7_defaults.cfg`` in 2.7
  ... 2.10) that neither declares: Airflow reads them with those defaults (``[celery] worker_precheck``,
  ``[elasticsearch] host``). A provider
  option's ``version_added`` is a provider version. The pinned provider release is the newest one whose
  ``Requires-Dist: apache-airflow...`` admits the line's Airflow version; the build checks this again.
* changes: ``CONFIGS_CHANGES`` of ``airflow/cli/commands/config_command.py`` (what ``airflow config lint``
  reports), evaluated from the AST with stand-in ``ConfigParameter``/``ConfigChange`` objects whose field
  defaults are read from the dataclass in the same file. ``kind`` follows ``ConfigChange.message``:
  default_change, then renamed_to (moved/renamed), then was_removed (removed_if_equals/removed), then
  is_invalid_if (invalid_value). Then ``deprecated_options``, ``many_to_one_deprecated_options`` and
  ``deprecated_sections`` of ``AirflowConfigParser`` (old name still read; 1.10 writes ``deprecated_options``
  as section -> {new: old}). An old name an earlier line's parser read and this one no longer does is a move
  or rename that is not read (source ``earlier_line``; "removed" when this line has no option at its new place
  in a section it describes). Options of any earlier line missing from this one with no rule become
  "removed" (source ``catalog_diff``). ``since`` is the line that made the change: the release
  ``deprecated_options`` names for a move; for a removal, the first line without it (1.10's renames name no
  release: the first line that no longer reads the old name); none for ``CONFIGS_CHANGES`` (Airflow 3's).
* enum_options: ``AirflowConfigParser.enums_options``. ``WeightRule.all_weight_rules()`` is read from the
  ``WeightRule`` enum; ``multiprocessing.get_all_start_methods()`` is written as the Linux answer.
  Module-level names the class attributes refer to are looked up (``SENSITIVE_CONFIG_VALUES`` in 2.4/2.5).
* imports (``imports-<line>.json``, every line): every module under the core and pinned provider packages named
  ``executors``, ``auth_manager``, ``managers``, ``auth_backend`` or ``backend``, with the names it defines at its
  top level (a package's imports too) and whether it has a module ``__getattr__``; the redirect modules of
  ``add_deprecated_classes`` calls; ``ExecutorLoader.executors`` (the short executor names; none before 2.0) and
  whether ``ConnectorSource`` has ``PLUGIN``. What an executor, auth manager or auth backend path can name on the
  line. The providers are the ones the line's options come from (``pinned_providers``: one choice for both).
* sections (``sections.json``): for each section with a core option on some line, and each
  ``deprecated_sections`` old name, the lines that read it and the section they read it as; not the sections a
  provider declares on any line (read wherever the provider is installed: ``[celery]``, ``[elasticsearch]``).
* metrics: from ``metrics_template.yaml`` in the core wheel when it ships one (3.2+). Otherwise (1.10, 2.x,
  3.0, 3.1) BEST EFFORT from code: calls ``Stats.incr/decr/gauge/timing/timer`` (receiver named ``Stats`` or
  ``stats``) in the core wheel, the task SDK wheel (3.x) and the provider wheels. A string first argument is
  taken as is; f-string fields (and ``"...{x}".format(...)`` fields: 1.10 ran on Python 2 too) become
  ``<name>`` placeholders named after the variable or attribute
  (``{dag.dag_id}`` -> ``<dag_id>``, a few renames in ``PLACEHOLDER_ALIASES``); a field or argument that is
  a local variable assigned only string constants in the same function is expanded to each value
  (``metric_name``); ``a + b`` and ``x if c else y`` are followed. Calls whose name cannot be derived are
  skipped, so the list can miss metrics. In one function, a name with placeholders that extends a tag-only
  name (``pool.open_slots`` / ``pool.open_slots.<pool_name>``) is recorded as its ``legacy_name``.
"""

from __future__ import annotations

import argparse
import ast
import functools
import hashlib
import itertools
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.version import Version
from ruamel.yaml import YAML

# Provider release per column (a line names its column): the newest whose Requires-Dist on apache-airflow admits
# the line's release (the build checks this again). Lines before 2.7 name none: Airflow loads the configuration
# providers declare from 2.7 on (``ProvidersManager.provider_configs``); before, core config.yml holds [celery],
# [kubernetes] and the rest. 1.10 has no providers (its contrib code ships in the core wheel; the backport
# packages declare no configuration).
PROVIDERS = {
    "amazon": {
        "2.7": "8.27.0",
        "2.8": "9.1.0",
        "2.9": "9.6.1",
        "2.10": "9.17.0",
        "2.11": "9.39.0",
        "3": "9.39.0",
    },
    "celery": {
        "2.7": "3.7.3",
        "2.8": "3.8.5",
        "2.9": "3.10.6",
        "2.10": "3.13.1",
        "2.11": "3.26.0",
        "3": "3.26.0",
    },
    "cncf-kubernetes": {
        "2.7": "8.3.4",
        "2.8": "10.0.1",
        "2.9": "10.4.3",
        "2.10": "10.10.0",
        "2.11": "10.25.0",
        "3": "10.25.0",
    },
    "fab": {
        "2.9": "1.5.3",
        "2.10": "1.5.3",
        "2.11": "1.5.4",
        "3": "3.10.2",
    },  # fab 1.x needs 2.9+, 1.5.4 2.11.1+
    "google": {  # google has no config sections; listed for completeness
        "2.7": "10.21.1",
        "2.8": "11.0.0",
        "2.9": "15.1.0",
        "2.10": "19.0.0",
        "2.11": "22.8.0",
        "3": "22.8.0",
    },
    "microsoft-azure": {
        "2.7": "10.3.0",
        "2.8": "11.1.0",
        "2.9": "12.3.1",
        "2.10": "12.8.1",
        "2.11": "15.2.1",
        "3": "15.2.1",
    },
}


@dataclass(frozen=True)
class Line:
    package: str
    version: str
    providers: str | None  # column of PROVIDERS; None: the line reads no provider's configuration
    task_sdk: str | None = None  # scanned for metrics only when the core wheel has no metrics template
    lint_only: bool = False  # linted files only: compile and validate keep the first full line as their floor


LINES = {  # in build order: each line is diffed against every line before it
    "1.10": Line("apache-airflow", "1.10.15", None, lint_only=True),
    "2.0": Line("apache-airflow", "2.0.2", None, lint_only=True),
    "2.1": Line("apache-airflow", "2.1.4", None, lint_only=True),
    "2.2": Line("apache-airflow", "2.2.5", None, lint_only=True),
    "2.3": Line("apache-airflow", "2.3.4", None, lint_only=True),
    "2.4": Line("apache-airflow", "2.4.3", None, lint_only=True),
    "2.5": Line("apache-airflow", "2.5.3", None, lint_only=True),
    "2.6": Line("apache-airflow", "2.6.3", None, lint_only=True),
    "2.7": Line("apache-airflow", "2.7.3", "2.7", lint_only=True),
    "2.8": Line("apache-airflow", "2.8.4", "2.8", lint_only=True),
    "2.9": Line("apache-airflow", "2.9.3", "2.9", lint_only=True),
    "2.10": Line("apache-airflow", "2.10.5", "2.10"),
    "2.11": Line("apache-airflow", "2.11.2", "2.11"),
    "3.0": Line("apache-airflow-core", "3.0.6", "3", task_sdk="1.0.6"),
    "3.1": Line("apache-airflow-core", "3.1.8", "3", task_sdk="1.1.8"),
    "3.2": Line("apache-airflow-core", "3.2.2", "3"),
    "3.3": Line("apache-airflow-core", "3.3.2", "3"),
}
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "airspec" / "catalog" / "data"
AIRFLOW_REQUIREMENT = re.compile(r"^Requires-Dist: (apache-airflow(?![-\w])[^;\n]*)$", re.M)  # no markers
OPTION_TYPES = {"string", "integer", "float", "boolean"}
PARSER_FILES = ("airflow/_shared/configuration/parser.py", "airflow/configuration.py")  # base, subclass
START_METHODS = ["fork", "spawn", "forkserver"]  # multiprocessing.get_all_start_methods() on Linux
METRIC_TYPES = {"incr": "counter", "decr": "counter", "gauge": "gauge", "timing": "timer", "timer": "timer"}
PLACEHOLDER_ALIASES = {
    "__name__": "job_name",  # self.__class__.__name__ in jobs
    "id": "job_id",  # self.job.id
    "metric_suffix": "executor_name",
    "operator": "operator_name",
}
METRIC_NAME_RE = re.compile(r"^[A-Za-z0-9_.<>-]+$")
Json = dict[str, Any]
Options = dict[str, dict[str, Json]]  # section -> option -> facts


class Wheel:
    """One downloaded wheel, read as a zip file."""

    def __init__(self, path: Path, package: str, version: str) -> None:
        self.package, self.version = package, version
        self.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        self.zip = zipfile.ZipFile(path)
        self.names = sorted(self.zip.namelist())
        self.metrics: list[Json] | None = None  # filled by wheel_metrics() on first use

    def text(self, name: str) -> str:
        return self.zip.read(name).decode("utf-8")

    def find(self, suffix: str) -> list[str]:
        return [n for n in self.names if n.endswith(suffix)]

    def source(self) -> Json:
        return {"package": self.package, "version": self.version, "sha256": self.sha256}

    def airflow_requirements(self) -> list[Requirement]:
        meta = self.text(self.find(".dist-info/METADATA")[0])
        return [Requirement(r) for r in AIRFLOW_REQUIREMENT.findall(meta)]


@functools.cache
def fetch(cache: Path, package: str, version: str) -> Wheel:
    pattern = f"{package.replace('-', '_')}-{version}-*.whl"
    if not list(cache.glob(pattern)):
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
        subprocess.run([*pip, "--dest", str(cache), f"{package}=={version}"], check=True)
    return Wheel(sorted(cache.glob(pattern))[0], package, version)


# ------------------------------------------------------------------ options
def option_facts(raw: dict[str, Any], provider: str | None) -> Json:
    kind = raw.get("type") or "string"
    kind = "integer" if kind == "int" else kind  # 1.10's config.yml spells a few integers "int"
    if kind not in OPTION_TYPES:
        raise ValueError(f"unexpected option type {kind!r}")
    default, added, deprecated = raw.get("default"), raw.get("version_added"), raw.get("version_deprecated")
    return {
        "type": kind,
        "default": None if default is None else str(default),
        "sensitive": bool(raw.get("sensitive", False)),
        "version_added": None if added is None else str(added),
        "version_deprecated": None if deprecated is None else str(deprecated),
        "provider": provider,
    }


def provider_config(wheel: Wheel) -> dict[str, Any]:
    """``get_provider_info()["config"]``: the function returns one dict literal."""
    tree = ast.parse(wheel.text(wheel.find("/get_provider_info.py")[0]))
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "get_provider_info")
    ret = next(n for n in ast.walk(func) if isinstance(n, ast.Return) and n.value is not None)
    config: dict[str, Any] = ast.literal_eval(ret.value).get("config", {})  # type: ignore[arg-type]
    return config


def core_config(core: Wheel) -> dict[str, dict[str, Any]]:
    """config.yml as section -> option -> raw facts. Up to 2.5 it is a list of sections, each with a list of
    options (``- name: core``); from 2.6 on a mapping."""
    cfg = YAML(typ="safe", pure=True).load(core.text("airflow/config_templates/config.yml"))
    if isinstance(cfg, list):
        return {s["name"]: {o["name"]: o for o in s.get("options") or []} for s in cfg}
    return {s: dict(sv.get("options") or {}) for s, sv in cfg.items()}


def check_default_cfg(core: Wheel, config: dict[str, dict[str, Any]]) -> None:
    """Up to 2.6 Airflow reads its defaults from ``default_airflow.cfg`` (rendered from config.yml): the build
    stops if that file has an option config.yml lacks or a default that differs. (config.yml also lists the
    options the cfg leaves commented out: those without a default.)"""
    import configparser

    name = "airflow/config_templates/default_airflow.cfg"
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(core.text(name))
    if not parser.sections():
        return  # 2.7+: a stub; the defaults come from config.yml itself
    for section in parser.sections():
        for option, value in parser.items(section, raw=True):
            raw = config.get(section, {}).get(option)
            if raw is None or str(raw.get("default") if raw.get("default") is not None else "") != value:
                raise SystemExit(
                    f"{core.package} {core.version}: {name} [{section}] {option} disagrees with config.yml"
                )


def build_options(core: Wheel, providers: list[Wheel], sensitive: set[tuple[str, str]]) -> Options:
    """`sensitive`: the parser's own ``sensitive_config_values`` where it is a literal (up to 2.6; 1.10's
    config.yml marks nothing sensitive): an option in it is sensitive as well."""
    config = core_config(core)
    check_default_cfg(core, config)
    options = {s: {o: option_facts(v, None) for o, v in opts.items()} for s, opts in config.items()}
    for section, name in sensitive:
        if name in options.get(section, {}):
            options[section][name]["sensitive"] = True
    for wheel in providers:
        for section, body in provider_config(wheel).items():
            target = options.setdefault(section, {})
            for name, raw in (body.get("options") or {}).items():
                target.setdefault(name, option_facts(raw, wheel.package))  # core config.yml wins
    for fallback in FALLBACK_FILES:
        if fallback in core.names:
            add_fallback_defaults(options, core.text(fallback), providers)
    return {s: o for s, o in options.items() if o}


# Provider options Airflow reads with these defaults when no installed provider declares them: 2.7 ... 2.10
# (get_default_pre_2_7_value), 2.11 on.
FALLBACK_FILES = (
    "airflow/config_templates/pre_2_7_defaults.cfg",
    "airflow/config_templates/provider_config_fallback_defaults.cfg",
)
FALLBACK_PROVIDERS = {  # sections of the FALLBACK_FILES whose provider is not fetched
    "atlas": "apache-airflow-providers-apache-atlas",
    "hive": "apache-airflow-providers-apache-hive",
    "elasticsearch": "apache-airflow-providers-elasticsearch",
    "elasticsearch_configs": "apache-airflow-providers-elasticsearch",
    "opensearch": "apache-airflow-providers-opensearch",
    "opensearch_configs": "apache-airflow-providers-opensearch",
}


def add_fallback_defaults(options: Options, text: str, providers: list[Wheel]) -> None:
    """Options of ``provider_config_fallback_defaults.cfg`` (2.11+) or ``pre_2_7_defaults.cfg`` (2.7 ... 2.10):
    Airflow reads them with these defaults even when the provider does not declare them (``[celery]
    worker_precheck``). Declared options win. The file says nothing of sensitivity: an option named like a
    password is taken as sensitive."""
    import configparser

    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    owners = {
        section: wheel.package
        for wheel in providers
        for section in provider_config(wheel)
        if section in parser
    }
    for section in parser.sections():
        provider = owners.get(section) or FALLBACK_PROVIDERS.get(section)
        if section == "celery":
            provider = "apache-airflow-providers-celery"
        elif section == "kubernetes_executor":
            provider = "apache-airflow-providers-cncf-kubernetes"
        target = options.setdefault(section, {})
        for name, default in parser.items(section, raw=True):
            raw = {"default": default, "sensitive": "password" in name}
            target.setdefault(name, option_facts(raw, provider))


# ------------------------------------------------------------------ parser attributes
def weight_rules(core: Wheel) -> list[str]:
    for name in core.find("/weight_rule.py"):
        for node in ast.walk(ast.parse(core.text(name))):
            if isinstance(node, ast.ClassDef) and node.name == "WeightRule":
                values = [st.value for st in node.body if isinstance(st, ast.Assign)]
                return [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    raise ValueError("WeightRule enum not found")


def evaluate(node: ast.expr, symbols: dict[str, ast.expr], core: Wheel) -> Any:
    """Evaluate the small literal language of the parser's class attributes."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        out: list[Any] = []
        for elt in node.elts:  # [*_available_logging_levels, ""]
            starred = elt.value if isinstance(elt, ast.Starred) else None
            out += evaluate(starred, symbols, core) if starred else [evaluate(elt, symbols, core)]
        return tuple(out) if isinstance(node, ast.Tuple) else out
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return {evaluate(k, symbols, core): evaluate(v, symbols, core) for k, v in pairs if k is not None}
    if isinstance(node, ast.Name) and node.id in symbols:
        return evaluate(symbols[node.id], symbols, core)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # _available_logging_levels + [""]
        return evaluate(node.left, symbols, core) + evaluate(node.right, symbols, core)
    if isinstance(node, ast.Call):
        func = ast.unparse(node.func)
        if func == "sorted" and len(node.args) == 1:
            return sorted(evaluate(node.args[0], symbols, core))
        if func == "WeightRule.all_weight_rules":
            return weight_rules(core)
        if func == "multiprocessing.get_all_start_methods":
            return list(START_METHODS)
    raise ValueError(f"cannot evaluate {ast.unparse(node)}")


def _assignments(body: list[ast.stmt]) -> dict[str, ast.expr]:
    nodes: dict[str, ast.expr] = {}
    for st in body:
        if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.value:
            nodes[st.target.id] = st.value
        elif isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
            nodes[st.targets[0].id] = st.value
    return nodes


def parser_attributes(core: Wheel) -> dict[str, Any]:
    """Class attributes of ``AirflowConfigParser`` (module-level names they refer to are looked up too:
    ``sensitive_config_values = SENSITIVE_CONFIG_VALUES`` in 2.4/2.5). 1.10 writes ``deprecated_options`` as
    section -> {new: old}: it is turned into the later (new section, new) -> (old section, old, since) form, with
    no since."""
    module: dict[str, ast.expr] = {}
    nodes: dict[str, ast.expr] = {}
    for name in PARSER_FILES:
        body = ast.parse(core.text(name)).body if name in core.names else []
        module.update(_assignments(body))
        for cls in body:
            if isinstance(cls, ast.ClassDef) and cls.name == "AirflowConfigParser":
                nodes.update(_assignments(cls.body))
    nodes = {**module, **nodes}  # class attributes win
    wanted = (
        "deprecated_options",
        "deprecated_sections",
        "many_to_one_deprecated_options",
        "enums_options",
        "sensitive_config_values",
    )
    attrs = {k: evaluate(nodes[k], nodes, core) if k in nodes else {} for k in wanted}
    old_style = attrs["deprecated_options"]
    if old_style and all(isinstance(v, dict) for v in old_style.values()):
        attrs["deprecated_options"] = {
            (section, new): (section, old, None)
            for section, names in old_style.items()
            for new, old in names.items()
        }
    return attrs


# ------------------------------------------------------------------ changes
@dataclass(frozen=True)
class ConfigParameter:  # stand-in for airflow.cli.commands.config_command.ConfigParameter
    section: str
    option: str


@dataclass
class Change:
    section: str
    option: str
    kind: str
    source: str
    new_section: str | None = None
    new_option: str | None = None
    still_read: bool = False
    breaking: bool = False
    old_value: str | None = None
    new_value: str | None = None
    since: str | None = None  # the line that made the change, where the wheels tell it


def lint_rules(core: Wheel) -> list[dict[str, Any]]:
    """``CONFIGS_CHANGES`` as dicts of ConfigChange fields (stand-ins; nothing is executed)."""
    name = "airflow/cli/commands/config_command.py"
    if name not in core.names:
        return []  # 1.10 has no config command
    tree = ast.parse(core.text(name))
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ConfigChange"), None)
    assigns = [n for n in tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1]
    value = next((n.value for n in assigns if ast.unparse(n.targets[0]) == "CONFIGS_CHANGES"), None)
    if cls is None or not isinstance(value, ast.List):
        return []  # 2.10 has no lint rules
    fields = [st for st in cls.body if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name)]
    names = [ast.unparse(st.target) for st in fields]
    defaults = {ast.unparse(st.target): ast.literal_eval(st.value) for st in fields if st.value is not None}

    def arg(node: ast.expr) -> Any:
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "ConfigParameter":
            values = [*node.args, *(k.value for k in node.keywords)]
            return ConfigParameter(*(ast.literal_eval(v) for v in values))
        try:
            return ast.literal_eval(node)
        except ValueError:
            return ast.unparse(node)  # e.g. an f-string suggestion: only its presence matters

    rules = []
    for call in value.elts:
        if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "ConfigChange"):
            raise ValueError(f"unexpected CONFIGS_CHANGES entry {ast.unparse(call)[:80]}")
        rule = dict(defaults)
        rule.update({names[i]: arg(a) for i, a in enumerate(call.args)})
        rule.update({k.arg: arg(k.value) for k in call.keywords if k.arg})
        rules.append(rule)
    return rules


def text(value: Any) -> str | None:
    return None if value is None else str(value)


def rule_change(rule: dict[str, Any]) -> Change | None:
    """Classify one ConfigChange with the precedence of ``ConfigChange.message``."""
    old, new, value = rule["config"], rule.get("renamed_to"), None
    if rule.get("default_change"):
        kind, value = "default_change", rule.get("old_default")
    elif new:
        kind = "moved" if new.section != old.section else "renamed"
    elif rule.get("was_removed"):
        value = rule.get("remove_if_equals")
        kind = "removed" if value is None else "removed_if_equals"
    elif rule.get("is_invalid_if") is not None:
        kind, value = "invalid_value", rule["is_invalid_if"]
    else:
        return None  # a rule that never produces a message
    target = new if kind in ("moved", "renamed") else None
    return Change(
        old.section,
        old.option,
        kind,
        "config_lint",
        new_section=target.section if target else None,
        new_option=target.option if target else None,
        breaking=bool(rule.get("breaking")),
        old_value=text(value),
        new_value=text(rule.get("new_default")) if kind == "default_change" else None,
    )


@dataclass
class History:
    """What the lines built so far had: each option and the last line that had it; each old name a parser still
    read (deprecated_options), the name it stood for and the last line that read it."""

    order: list[str]
    seen: dict[tuple[str, str], str]
    read: dict[
        tuple[str, str], tuple[tuple[str, str], str, str | None]
    ]  # old -> (new, last line, move's line)

    def after(self, line: str) -> str:
        return self.order[self.order.index(line) + 1]


def line_of_release(release: Any) -> str | None:
    return ".".join(str(release).split(".")[:2]) if release else None


def build_changes(core: Wheel, attrs: Json, options: Options, history: History) -> list[Json]:
    by_key: dict[tuple[str, str], list[Change]] = {}  # a few options have several rules (two old values)
    for rule in lint_rules(core):
        rec = rule_change(rule)
        if rec is not None and rec not in by_key.get((rec.section, rec.option), []):
            by_key.setdefault((rec.section, rec.option), []).append(rec)
    for old, new, since in deprecated_renames(attrs, options):  # the old name is still read, with a warning
        for rec in by_key.get(old, []):
            rec.still_read = True
        if old not in by_key:
            kind = "moved" if old[0] != new[0] else "renamed"
            rec = Change(old[0], old[1], kind, "deprecated_options", new[0], new[1], still_read=True)
            by_key[old] = [replace(rec, since=line_of_release(since))]
    for old, (new, last, moved_in) in sorted(history.read.items()):  # an earlier parser read it; this one not
        if old not in by_key and old[1] not in options.get(old[0], {}):
            kind = "moved" if old[0] != new[0] else "renamed"
            since = moved_in or history.after(last)  # 1.10's parser names no release: when it stopped working
            by_key[old] = [Change(old[0], old[1], kind, "earlier_line", new[0], new[1], since=since)]
    for (section, option), last in sorted(history.seen.items()):
        if option not in options.get(section, {}) and (section, option) not in by_key:
            by_key[(section, option)] = [
                Change(section, option, "removed", "catalog_diff", since=history.after(last))
            ]
    for recs in by_key.values():  # a move whose new place this line no longer has at all is a removal
        for i, rec in enumerate(recs):
            if rec.source == "earlier_line" and not reaches_option(rec, by_key, options):
                last = history.read[(rec.section, rec.option)][1]
                recs[i] = Change(
                    rec.section, rec.option, "removed", "earlier_line", since=history.after(last)
                )
    records = [r for recs in by_key.values() for r in recs]
    return [asdict(r) for r in sorted(records, key=lambda c: (c.section, c.option, c.kind, repr(c)))]


def deprecated_renames(attrs: Json, options: Options) -> list[tuple[tuple[str, str], tuple[str, str], Any]]:
    """(old, new, since) of every old name the parser still reads."""
    renames = [
        ((o[0], o[1]), new, o[2] if len(o) > 2 else None) for new, o in attrs["deprecated_options"].items()
    ]
    many = attrs["many_to_one_deprecated_options"]
    renames += [((o[0], o[1]), new, o[2] if len(o) > 2 else None) for new, olds in many.items() for o in olds]
    for new_section, (old_section, since) in attrs["deprecated_sections"].items():
        renames += [((old_section, opt), (new_section, opt), since) for opt in options.get(new_section, {})]
    return sorted(renames, key=lambda r: (r[0], r[1]))


def reaches_option(rec: Change, by_key: dict[tuple[str, str], list[Change]], options: Options) -> bool:
    """Whether a move ends at an option of this line (through its own moves), or in a section this line does
    not describe at all (a provider's that is not pinned, such as [elasticsearch] on 2.10: the move stands)."""
    place = (rec.new_section or rec.section, rec.new_option or rec.option)
    for _ in range(6):
        if place[0] not in options or place[1] in options[place[0]]:
            return True
        moves = [c for c in by_key.get(place, []) if c.kind in ("moved", "renamed")]
        if not moves:
            return False
        place = (moves[0].new_section or place[0], moves[0].new_option or place[1])
    return False


def remember(history: History, line: str, attrs: Json, options: Options) -> None:
    for section, opts in options.items():
        for option in opts:
            history.seen[(section, option)] = line
    for old, new, since in deprecated_renames(attrs, options):
        history.read[old] = (new, line, line_of_release(since))


# ------------------------------------------------------------------ metrics
def placeholders(name: str) -> str:
    return re.sub(r"\{(\w+)\}", r"<\1>", name)


def template_metrics(core: Wheel) -> list[Json] | None:
    found = core.find("/metrics_template.yaml")
    if not found:
        return None
    metrics = []
    for raw in YAML(typ="safe", pure=True).load(core.text(found[0]))["metrics"]:
        legacy = raw.get("legacy_name")
        legacy = None if legacy in (None, "-") else placeholders(legacy)
        metrics.append({"name": placeholders(raw["name"]), "type": raw["type"], "legacy_name": legacy})
    return metrics


def placeholder(node: ast.expr) -> str:
    """``<name>`` for an f-string field: the variable or attribute name (``{dag.dag_id}`` -> ``<dag_id>``)."""
    if isinstance(node, ast.Attribute) and node.attr != "value":
        name = node.attr
    elif isinstance(node, ast.Attribute | ast.Subscript):
        return placeholder(node.value)
    elif isinstance(node, ast.Call):  # x.lower() -> x; convert_camel_to_snake(x) -> x
        return placeholder(
            node.func.value if isinstance(node.func, ast.Attribute) else [*node.args, node.func][0]
        )
    else:
        name = node.id if isinstance(node, ast.Name) else "value"
    return "<" + PLACEHOLDER_ALIASES.get(name, name) + ">"


Env = dict[str, list[ast.expr]]  # local variable -> the values assigned to it in one function


def expand(node: ast.expr, env: Env, depth: int = 0) -> list[str]:
    """Possible metric names of an expression; [] when it cannot be derived."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if depth > 4:
        return []
    if isinstance(node, ast.IfExp):
        return expand(node.body, env, depth + 1) + expand(node.orelse, env, depth + 1)
    if isinstance(node, ast.Name):
        return [n for value in env.get(node.id, []) for n in expand(value, env, depth + 1)]
    if isinstance(node, ast.Call) and is_str_format(node):
        return str_format(node, env)
    if isinstance(node, ast.JoinedStr):
        parts = [p.value if isinstance(p, ast.FormattedValue) else p for p in node.values]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [node.left, node.right]
    else:
        return []
    return ["".join(c) for c in itertools.product(*(field(p, env) for p in parts))]


def is_str_format(node: ast.expr) -> bool:
    """``"pool.open_slots.{pool_name}".format(...)``: 1.10 (which still ran on Python 2) has no f-strings."""
    func = node.func if isinstance(node, ast.Call) else None
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "format"
        and isinstance(func.value, ast.Constant)
        and isinstance(func.value.value, str)
    )


def str_format(node: ast.Call, env: Env) -> list[str]:
    """The names of a ``str.format`` call: each replacement field is filled like an f-string field from the
    argument it names; a field whose argument is not in the call becomes ``<field>``."""
    import string

    assert isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant)
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    automatic = iter(node.args)
    parts: list[list[str]] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(str(node.func.value.value)):
        parts.append([literal])
        if name is None:
            continue
        if name == "":
            value = next(automatic, None)
        elif name.isdigit():
            value = node.args[int(name)] if int(name) < len(node.args) else None
        else:
            value = keywords.get(name)
        parts.append(field(value, env) if value is not None else [f"<{name}>"])
    return ["".join(c) for c in itertools.product(*parts)]


def field(node: ast.expr, env: Env) -> list[str]:
    """Values of an f-string field or ``+`` operand: string constants if known, else a placeholder."""
    values = env.get(node.id, []) if isinstance(node, ast.Name) else [node]
    if values and all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
        return sorted({str(v.value) for v in values if isinstance(v, ast.Constant)})
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return expand(node, env) or [placeholder(node)]
    return [placeholder(node)]


def is_stats_call(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    receiver = node.func.value
    name = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", None)
    return node.func.attr in METRIC_TYPES and name in ("Stats", "stats")


def scan_module(source: str) -> list[tuple[str, str, int]]:
    """(name, type, function) for each Stats call in one module whose name can be derived."""
    tree = ast.parse(source)
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
    owner = {id(node): idx for idx, scope in enumerate(scopes) for node in ast.walk(scope)}  # innermost wins
    found = []
    for idx, scope in enumerate(scopes):
        own = [node for node in ast.walk(scope) if owner[id(node)] == idx]
        env: Env = {}
        for node in own:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                env.setdefault(node.targets[0].id, []).append(node.value)
        for node in own:
            if not is_stats_call(node):
                continue
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            first = [*node.args, *(k.value for k in node.keywords if k.arg in ("stat", "metric_name"))][:1]
            for name in expand(first[0], env) if first else []:
                if METRIC_NAME_RE.match(name) and re.search("[A-Za-z]", re.sub(r"<\w+>", "", name)):
                    found.append((name, METRIC_TYPES[node.func.attr], idx))
    return found


def wheel_metrics(wheel: Wheel) -> list[Json]:
    if wheel.metrics is None:
        types: dict[str, str] = {}
        legacy: dict[str, str] = {}
        for name in wheel.names:
            if not name.endswith(".py") or "/example_dags/" in name or "/tests/" in name:
                continue
            source = wheel.text(name)
            hits = scan_module(source) if "tats." in source else []
            for metric, kind, _ in hits:
                types.setdefault(metric, kind)
            for (short, kind, fn), (long, kind2, fn2) in itertools.permutations(hits, 2):
                extends = long.startswith(short) and long[len(short) : len(short) + 1] in (".", "_")
                if fn == fn2 and kind == kind2 and extends and "<" not in short and "<" in long:
                    legacy.setdefault(short, long)
        folded = set(legacy.values())
        wheel.metrics = [{"name": n, "type": t, "legacy_name": legacy.get(n)} for n, t in types.items()]
        wheel.metrics = [m for m in wheel.metrics if m["name"] not in folded]
    return wheel.metrics


def code_metrics(wheels: list[Wheel]) -> list[Json]:
    merged: dict[str, Json] = {}
    for wheel in wheels:
        for metric in wheel_metrics(wheel):
            merged.setdefault(metric["name"], metric)
    return list(merged.values())


# ------------------------------------------------------------------ import paths
# Packages whose modules options name by import path: executors, auth managers, API auth backends.
IMPORT_DIRS = ("executors", "auth_manager", "managers", "auth_backend", "backend")


def package_of(wheel: Wheel) -> str:
    """ "apache-airflow-providers-cncf-kubernetes" -> "airflow.providers.cncf.kubernetes"; core -> "airflow"."""
    name = wheel.package.removeprefix("apache-airflow-providers-")
    return "airflow" if name == wheel.package else "airflow.providers." + name.replace("-", ".")


def top_level_names(tree: ast.Module, package: bool) -> tuple[list[str], bool]:
    """Names a module defines at its top level (classes, functions, assignments; the imports of a package or of a
    module that only imports, which re-export them: 1.10's ``airflow.contrib.executors.kubernetes_executor``; not
    under ``if TYPE_CHECKING``), and whether it answers any attribute (``__getattr__``)."""
    package = package or reexports(tree)
    names: set[str] = set()
    dynamic = False
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
            dynamic = dynamic or node.name == "__getattr__"
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom) and package:
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
            names.discard("annotations")
        elif isinstance(node, ast.Try):
            todo += node.body + node.orelse + [s for h in node.handlers for s in h.body]
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            todo += node.body + node.orelse
    return sorted(n for n in names if not n.startswith("_") or n == "__getattr__"), dynamic


def reexports(tree: ast.Module) -> bool:
    """A module whose top level holds only imports (and its docstring, ``__all__``, a warning): a shim kept at an
    old path for what it imports."""
    body = [n for n in tree.body if not (isinstance(n, ast.Expr) or ast.unparse(n).startswith("__all__"))]
    return bool(body) and all(isinstance(n, ast.Import | ast.ImportFrom) for n in body)


def deprecated_modules(tree: ast.Module, package: str) -> dict[str, dict[str, str]]:
    """``add_deprecated_classes({module: {name: new path}}, __name__)`` in a package's ``__init__``: modules that
    exist only as redirects (``airflow.executors.celery_executor`` in 2.x)."""
    literals = {
        ast.unparse(n.targets[0]): n.value
        for n in tree.body
        if isinstance(n, ast.Assign) and len(n.targets) == 1
    }
    out: dict[str, dict[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "add_deprecated_classes" and node.args:
            mapping = literals.get(ast.unparse(node.args[0]), node.args[0])
            try:
                redirects = ast.literal_eval(mapping)
            except ValueError:
                continue  # built by code, not a literal: such a package is not listed as redirecting
            for module, names in redirects.items():
                out[f"{package}.{module}"] = dict(names)
    return out


def executor_facts(core: Wheel) -> tuple[dict[str, str] | None, bool]:
    """``ExecutorLoader.executors`` (short name -> class path) and whether a bare name may name a plugin
    executor (``ConnectorSource.PLUGIN``); None when the wheel has no ExecutorLoader table (before 2.0)."""
    if "airflow/executors/executor_constants.py" not in core.names:
        return None, True
    constants = ast.parse(core.text("airflow/executors/executor_constants.py"))
    values = {
        ast.unparse(n.targets[0]): n.value.value
        for n in constants.body
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
    }
    plugins = any(
        isinstance(n, ast.ClassDef) and n.name == "ConnectorSource" and "PLUGIN" in ast.unparse(n)
        for n in constants.body
    )
    loader = ast.parse(core.text("airflow/executors/executor_loader.py"))
    cls = next(n for n in loader.body if isinstance(n, ast.ClassDef) and n.name == "ExecutorLoader")
    table = next(
        n.value for n in cls.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "executors"
    )
    assert isinstance(table, ast.Dict)
    aliases = {
        str(values[ast.unparse(k)]): str(ast.literal_eval(v))
        for k, v in zip(table.keys, table.values, strict=True)
        if k
    }
    return dict(sorted(aliases.items())), plugins


def build_imports(line: str, spec: Line, cache: Path) -> Json:
    """Every module under the packages of ``IMPORT_DIRS`` in the core and pinned provider wheels, with its
    top-level names: what an executor, auth manager or auth backend path in a configuration may name on this
    line."""
    core = fetch(cache, spec.package, spec.version)
    providers = pinned_providers(spec, cache)
    packages: dict[str, str] = {}
    modules: dict[str, list[str]] = {}
    dynamic: list[str] = []
    deprecated: dict[str, str] = {}
    for wheel in [core, *providers]:
        package = package_of(wheel)
        packages[package] = wheel.version
        for name in wheel.names:
            parts = name.removesuffix(".py").split("/")
            if not name.endswith(".py") or "tests" in parts or "example_dags" in parts:
                continue
            if package == "airflow" and parts[:2] == ["airflow", "providers"]:
                continue
            if not set(parts) & set(IMPORT_DIRS):  # a package of that name, or a module
                continue
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            tree = ast.parse(wheel.text(name))
            modules[module], answers_any = top_level_names(tree, parts[-1] == "__init__")
            if answers_any:
                dynamic.append(module)
            for redirect, names in deprecated_modules(tree, module).items():
                modules.setdefault(redirect, sorted(names))
                deprecated.update({f"{redirect}.{n}": new for n, new in names.items()})
    executors, plugins = executor_facts(core)
    return {
        "airflow_version": spec.version,
        "line": line,
        "packages": packages,
        "dirs": list(IMPORT_DIRS),  # every module of a read package with one of these in its path is listed
        "modules": dict(sorted(modules.items())),
        "dynamic": sorted(dynamic),
        "deprecated": dict(sorted(deprecated.items())),
        "executors": executors,
        "executor_plugins": plugins,
    }


# ------------------------------------------------------------------ main
def pinned_providers(spec: Line, cache: Path) -> list[Wheel]:
    """The provider wheels a line's facts come from: its column of ``PROVIDERS`` (none before 2.7), each checked
    to admit the line's release. The one choice the options, metrics and import facts of a line all read."""
    providers = [
        fetch(cache, f"apache-airflow-providers-{name}", versions[spec.providers])
        for name, versions in sorted(PROVIDERS.items())
        if spec.providers in versions
    ]
    for wheel in providers:
        reqs = wheel.airflow_requirements()
        if not all(r.specifier.contains(Version(spec.version), prereleases=True) for r in reqs):
            raise SystemExit(f"{wheel.package} {wheel.version} does not allow Airflow {spec.version}: {reqs}")
    return providers


def build_line(line: str, spec: Line, cache: Path, history: History) -> Json:
    core = fetch(cache, spec.package, spec.version)
    providers = pinned_providers(spec, cache)
    sources = [core.source()] + [w.source() for w in providers]
    attrs = parser_attributes(core)
    sensitive = {(pair[0], pair[1]) for pair in attrs["sensitive_config_values"]}
    options = build_options(core, providers, sensitive)
    metrics = template_metrics(core)
    if metrics is None:
        scanned = [core, *providers]
        if spec.task_sdk:
            scanned.append(fetch(cache, "apache-airflow-task-sdk", spec.task_sdk))
            sources.append(scanned[-1].source())
        metrics = code_metrics(scanned)
    enums: dict[str, dict[str, list[str]]] = {}
    for (section, option), allowed in attrs["enums_options"].items():
        enums.setdefault(section, {})[option] = list(allowed)
    data = {
        "airflow_version": spec.version,
        "line": line,
        "sources": sources,
        "options": options,
        "changes": build_changes(core, attrs, options, history),
        "enum_options": enums,
        "metrics": sorted(metrics, key=lambda m: str(m["name"])),
    }
    remember(history, line, attrs, options)
    return data


LINT_ONLY_NOTE = (
    "a lint-only line: compile and validate do not take it. Its file holds what lint reads: an option's type "
    "(absent: string), default, sensitive (absent: false) and version_added only when a patch release of this "
    "line added it; no provider or version_deprecated. A change record leaves out empty and false fields. "
    "later_names: where this line keeps what the newest line names otherwise ([section][option] -> its place)."
)


def later_names(data: Json, newest: Json) -> dict[str, dict[str, list[str]]]:
    """Where a lint-only line keeps what the newest line calls by another name: each place a move of the newest
    line's changes leads to from an option of this line, that this line has no option at -> that option
    (1.10's [core] remote_logging for [logging] remote_logging). Rules ask in today's names; an old line
    answers from where it keeps the setting."""
    moves: dict[tuple[str, str], tuple[str, str]] = {}
    for c in newest["changes"]:
        if c["kind"] in ("moved", "renamed"):
            moves.setdefault((c["section"], c["option"]), (c["new_section"], c["new_option"]))
    options = data["options"]
    out: dict[str, dict[str, list[str]]] = {}
    for section, opts in sorted(options.items()):
        for name in sorted(opts):
            place = (section, name)
            for _ in range(6):
                if place not in moves:
                    break
                place = moves[place]
                if place[1] not in options.get(place[0], {}):
                    out.setdefault(place[0], {}).setdefault(place[1], [section, name])
    return out


def lint_facts(data: Json, newest: Json) -> Json:
    """The facts of a lint-only line, smaller: what the lint rules read (see LINT_ONLY_NOTE)."""
    line = data["line"]
    options: Options = {}
    for section, opts in data["options"].items():
        for name, facts in opts.items():
            slim: Json = {"default": facts["default"]}
            if facts["type"] != "string":
                slim["type"] = facts["type"]
            if facts["sensitive"]:
                slim["sensitive"] = True
            added = facts["version_added"]
            if (
                facts["provider"] is None
                and added
                and line_of_release(added) == line
                and added != f"{line}.0"
            ):
                slim["version_added"] = added
            options.setdefault(section, {})[name] = slim
    changes = [{k: v for k, v in c.items() if v is not None and v is not False} for c in data["changes"]]
    metrics = [{k: v for k, v in m.items() if v is not None} for m in data["metrics"]]
    later = later_names(data, newest)
    return {
        **data,
        "options": options,
        "changes": changes,
        "metrics": metrics,
        "lint_only": LINT_ONLY_NOTE,
    } | {"later_names": later}


def dump(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build airspec/catalog/data from Airflow wheels on PyPI.")
    parser.add_argument("--wheels", type=Path, help="wheel cache directory (default: a temporary directory)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for kind in ("airflow", "imports"):
        for stale in set(args.out.glob(f"{kind}-*.json")) - {args.out / f"{kind}-{ln}.json" for ln in LINES}:
            stale.unlink()
    history = History(list(LINES), {}, {})
    sections: dict[str, dict[str, str]] = {}  # section -> {line: the section that line reads it as}
    built: dict[str, Json] = {}
    with tempfile.TemporaryDirectory(prefix="airspec-wheels-") as tmp:
        cache = args.wheels or Path(tmp)
        cache.mkdir(parents=True, exist_ok=True)
        for line, spec in LINES.items():
            built[line] = build_line(line, spec, cache, history)
            dump(args.out / f"imports-{line}.json", build_imports(line, spec, cache))
            for section, opts in built[line]["options"].items():
                if any(o["provider"] is None for o in opts.values()):
                    sections.setdefault(section, {})[line] = section
            renamed = parser_attributes(fetch(cache, spec.package, spec.version))["deprecated_sections"]
            for new, (old, _since) in renamed.items():
                sections.setdefault(old, {})[line] = new
    # A section a provider declares on some line is read wherever that provider is installed, whatever the line
    # ([elasticsearch]: core's up to 2.6, the elasticsearch provider's after): which lines read it tells nothing.
    providers = {
        s
        for data in built.values()
        for s, o in data["options"].items()
        if any(v["provider"] for v in o.values())
    }
    sections = {s: read_by for s, read_by in sections.items() if s not in providers}
    newest = built[list(LINES)[-1]]
    for line, data in built.items():
        dump(args.out / f"airflow-{line}.json", lint_facts(data, newest) if LINES[line].lint_only else data)
    dump(args.out / "sections.json", {"sections": dict(sorted(sections.items()))})
    index = {
        "generated_by": "tools/build_catalog.py",
        "lines": {ln: spec.version for ln, spec in LINES.items() if not spec.lint_only},
        "lint_only_lines": {ln: spec.version for ln, spec in LINES.items() if spec.lint_only},
        "lint_only_note": LINT_ONLY_NOTE,
    }
    dump(args.out / "index.json", index)
    masks: dict[str, dict[str, int]] = {}  # bit i: the i-th line of LINES has the option
    for bit, data in enumerate(built.values()):
        for section, opts in data["options"].items():
            for option in opts:
                masks.setdefault(section, {}).setdefault(option, 0)
                masks[section][option] |= 1 << bit
    sensitive: dict[str, list[str]] = {}  # an option any line marks sensitive holds a secret on every line
    for data in built.values():
        for section, opts in data["options"].items():
            sensitive.setdefault(section, []).extend(o for o, f in opts.items() if f["sensitive"])
    sensitive = {s: sorted(set(opts)) for s, opts in sensitive.items() if opts}
    dump(args.out / "option-lines.json", {"lines": list(LINES), "options": masks, "sensitive": sensitive})


if __name__ == "__main__":
    main()
