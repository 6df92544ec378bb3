"""Paths -> typed inputs: which kind each file is (by name, then by content; --kind forces), its parsed form with
positions, the Airflow version it targets, and the Airflow options it sets in whatever way its kind sets them.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from airspec.envopt import env_option
from airspec.errors import InputError
from airspec.lint import KINDS
from airspec.lint.model import FileContext, Opt, dig
from airspec.source import Span

if TYPE_CHECKING:
    from airspec.loader import Loaded

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIX = ".json"  # read as the YAML it also is; lint knows one kind of JSON file (a Grafana dashboard)
_SECTION_LINE = re.compile(r"^\s*\[[^\]\n]+\]\s*$", re.M)
# An Airflow release in an image tag or pin; never the Python release of a tag (`latest-python3.8`).
_VERSION = re.compile(r"(?<![\d.])(?<!python)([123]\.\d+(?:\.\d+)?)(?![\d])")
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", ".ruff_cache"}
HELM_KEYS = frozenset(
    {
        "airflowVersion",
        "defaultAirflowTag",
        "defaultAirflowRepository",
        "images",
        "executor",
        "config",
        "scheduler",
        "workers",
        "apiServer",
        "webserver",
        "dagProcessor",
        "triggerer",
        "dags",
        "logs",
        "postgresql",
        "fernetKey",
        "statsd",
        "createUserJob",
    }
)


class Source(NamedTuple):
    """A file that was read, what kind it is, and (YAML kinds) its data with positions."""

    path: str
    kind: str
    text: str
    loaded: Loaded | None = None


class Expanded(NamedTuple):
    paths: list[
        tuple[str, bool]
    ]  # (path, sniffed): a sniffed file is skipped, not refused, when it is no input
    skipped: list[str]  # what folders held that is not lintable, one line per folder
    errors: list[str]  # folders with nothing to lint


def expand(paths: list[str]) -> Expanded:
    """Files as given; a directory stands for the lintable files below it: found by name, and other YAML files
    whose content turns out to be an input (a values file named `override.yaml`)."""
    out: list[tuple[str, bool]] = []
    skipped: list[str] = []
    errors: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if not os.path.isdir(path):
            if path not in seen:
                seen.add(path)
                out.append((path, False))
            continue
        found: list[tuple[str, bool]] = []
        other: list[str] = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(
                d for d in dirs if d not in _SKIP_DIRS and (d == ".github" or not d.startswith("."))
            )
            for name in sorted(files):
                full = os.path.join(root, name)
                if kind_by_name(full):
                    found.append((full, False))
                elif name.lower().endswith((*YAML_SUFFIXES, JSON_SUFFIX)):
                    found.append((full, True))
                else:
                    other.append(os.path.relpath(full, path))
        found = [f for f in found if f[0] not in seen]
        seen.update(f for f, _ in found)
        if other:
            shown = ", ".join(other[:5]) + (f" and {len(other) - 5} more" if len(other) > 5 else "")
            skipped.append(f"{path}: skipped {len(other)} file(s) that are no lint input by name: {shown}")
        if not found:
            errors.append(
                str(
                    InputError(
                        f"{path}: no spec, airflow.cfg, values, compose, workflow or dashboard file in this folder"
                    )
                )
            )
        out.extend(sorted(found))
    return Expanded(out, skipped, errors)


def kind_by_name(path: str) -> str | None:
    posix = path.replace(os.sep, "/")
    name = os.path.basename(posix).lower()
    yaml = name.endswith(YAML_SUFFIXES)
    if name.endswith(".cfg"):
        return "airflow.cfg"
    if not yaml:
        return None
    if "/.github/workflows/" in f"/{posix}":
        return "workflow"
    if name.startswith("airflow-spec"):
        return "spec"
    if name.startswith(("docker-compose", "compose")):
        return "compose"
    if "statsd" in name or "mapping" in name:
        return "statsd-mapping"
    if "values" in name:
        return "helm-values"
    return None


def dashboard_root(data: Any) -> tuple[str, ...] | None:
    """Where the Grafana dashboard is in a file that holds one (a mapping with `panels`, or the `rows` of old
    dashboards, and an integer `schemaVersion`): the file itself, or `dashboard` of an HTTP API export."""
    if _is_dashboard(data):
        return ()
    if isinstance(data, dict) and _is_dashboard(data.get("dashboard")):
        return ("dashboard",)
    return None


def _is_dashboard(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    version = data.get("schemaVersion")
    panels = isinstance(data.get("panels"), list) or isinstance(data.get("rows"), list)
    return panels and isinstance(version, int) and not isinstance(version, bool)


def kind_of_yaml(path: str, data: Any) -> str:
    """What a YAML (or JSON) file is: its content when that is unambiguous, else its name, else Helm-looking
    keys."""
    if dashboard_root(data) is not None:
        return "grafana-dashboard"
    if isinstance(data, dict):
        airflow = data.get("airflow")
        if isinstance(airflow, dict) and "version" in airflow and "name" in data:
            return "spec"
        if isinstance(data.get("services"), dict):
            return "compose"
        if isinstance(data.get("jobs"), dict) and "on" in data:
            return "workflow"
        if isinstance(data.get("mappings"), list) and len(data) == 1:
            return "statsd-mapping"
    named = kind_by_name(path)
    if named is not None and named != "airflow.cfg":
        return named
    if isinstance(data, dict) and (HELM_KEYS & set(data) or wrapped_root(data)):
        return "helm-values"
    raise InputError(f"{path}: cannot tell what kind of file this is; pass --kind ({', '.join(KINDS)})")


_OWN_KEYS = frozenset({"airflowVersion", "defaultAirflowTag", "executor", "scheduler", "config", "workers"})


def wrapped_root(data: Any) -> str | None:
    """The key under which a wrapper chart nests the official chart's values (`airflow:`), if the file is one:
    its top level has none of the chart's own Airflow keys (a `postgresql:` subchart may sit beside it), and one
    mapping below it has several."""
    if not isinstance(data, dict) or _OWN_KEYS & set(data):
        return None
    candidates = [
        k
        for k, v in data.items()
        if isinstance(k, str) and isinstance(v, dict) and len(HELM_KEYS & set(v)) >= 2
    ]
    return "airflow" if "airflow" in candidates else (candidates[0] if len(candidates) == 1 else None)


def looks_like_ini(text: str) -> bool:
    return bool(_SECTION_LINE.search(text))


def version_in(tag: object) -> str | None:
    """ "3.3.2-python3.11" -> "3.3.2"; "latest" -> None."""
    if not isinstance(tag, str | int | float) or isinstance(tag, bool):
        return None
    match = _VERSION.search(str(tag))
    return match.group(1) if match else None


# ------------------------------------------------------------------------------------------------ per kind


def helm_version(data: Any) -> tuple[str | None, tuple[str, ...]]:
    """The version a values file names, and the key path that names it."""
    for path in (("airflowVersion",), ("images", "airflow", "tag"), ("defaultAirflowTag",)):
        found = version_in(dig(data, path))
        if found:
            return found, path
    return None, ()


def compose_images(data: Any) -> list[tuple[tuple[str, ...], str]]:
    """(path, image) of every service image, the x- anchors included (they are merged into services)."""
    out: list[tuple[tuple[str, ...], str]] = []
    services = dig(data, ("services",))
    for name, service in (services or {}).items() if isinstance(services, dict) else []:
        image = dig(service, ("image",))
        if isinstance(image, str):
            out.append((("services", name, "image"), image))
    return out


AIRFLOW_IMAGE = re.compile(r"(?:^|[\s:{-])(?P<repo>[\w./-]*apache/airflow)(?::(?P<tag>[\w.-]+))?")


def airflow_image(image: str) -> tuple[str, str | None] | None:
    """`${AIRFLOW_IMAGE_NAME:-apache/airflow:3.3.2}` -> ("apache/airflow", "3.3.2"); other images -> None."""
    match = AIRFLOW_IMAGE.search(image)
    if match is None:
        return None
    return match.group("repo"), match.group("tag")


def compose_version(data: Any) -> tuple[str | None, tuple[str, ...]]:
    for path, image in compose_images(data):
        found = airflow_image(image)
        if found and version_in(found[1]):
            return version_in(found[1]), path
    return None, ()


# `$VAR` and `${VAR}` (compose substitutes them; Airflow expands them in airflow.cfg values and AIRFLOW__
# variables), `${VAR:-default}`, and Kubernetes' `$(VAR)`. `$$` is compose's literal dollar.
ENV_REF = re.compile(r"(?<!\$)\$(?:\{[A-Za-z_]\w*(?:[:?+-][^}]*)?\}|\([A-Za-z_]\w*\)|[A-Za-z_]\w*)")


def env_ref(text: str) -> bool:
    """Whether a value names an environment variable, so that what it holds is not in the file."""
    return "$" in text and ENV_REF.search(text) is not None


def _text(value: Any, helm: bool = True) -> str | None:
    """A YAML scalar as Airflow would read it; None for $VARs and, in Helm values, `{{ }}` templates, whose value
    is not in the file. Compose does not template: a `{{` there is Airflow's own (a Jinja log template)."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    text = str(value)
    if (helm and "{{" in text) or env_ref(text):
        return None
    return text


def cfg_options(ctx: FileContext) -> list[Opt]:
    """Every option an airflow.cfg sets, as Airflow reads it: names as written (Airflow looks up lower-case names
    only, so `Executor = ...` is an option it never reads), values interpolated (None when reading one fails;
    AS208 says why). Then the [DEFAULT] options a section has without setting them, for the options the catalog
    knows in that section, current or moved (the only ones Airflow asks for), labelled as [DEFAULT] writes them."""
    from airspec.cfgfile import DEFAULT

    cfg = ctx.ini
    assert cfg is not None
    out = [
        Opt(
            e.section,
            e.name,
            None
            if env_ref(e.value)
            else cfg.value(e.section, e.name),  # $VAR: Airflow expands it; not in the file
            e.key,
            e.at,
            f"[{e.section}] {e.name}",
            e.value,
        )
        for e in cfg.entries
    ]
    defaults = cfg.section(DEFAULT)
    if defaults and ctx.catalog is not None:
        known: dict[str, dict[str, None]] = {}
        for option in ctx.catalog.options():
            known.setdefault(option.section, {})[option.name] = None
        for change in ctx.catalog.changes():  # old names Airflow still looks up (and warns about)
            known.setdefault(change.section, {})[change.option] = None
        for section in cfg.sections:
            for name in known.get(section, {}) if section != DEFAULT else []:
                entry = defaults.get(name)
                if entry is not None and name not in cfg.section(section):
                    label = f"[DEFAULT] {name} (read as [{section}] {name})"
                    out.append(
                        Opt(section, name, cfg.value(section, name), entry.key, entry.at, label, entry.value)
                    )
    return out


def helm_options(ctx: FileContext) -> list[Opt]:
    out: list[Opt] = []
    config = ctx.get("config")
    for section, options in config.items() if isinstance(config, dict) else []:
        for name, value in options.items() if isinstance(options, dict) else []:
            path = ("config", section, name)
            out.append(
                Opt(
                    str(section),
                    str(name).lower(),
                    _text(value),
                    ctx.key(*path),
                    ctx.value(*path),
                    f"config.{section}.{name}",
                    "" if value is None else str(value),
                )
            )
    env = ctx.get("env")
    for index, item in enumerate(env if isinstance(env, list) else []):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            out.extend(
                _env_opt(
                    ctx, item["name"], item.get("value"), ("env", index, "name"), ("env", index, "value")
                )
            )
    return out


def _env_opt(
    ctx: FileContext,
    name: str,
    value: Any,
    key_path: tuple[str | int, ...],
    value_path: tuple[str | int, ...],
) -> list[Opt]:
    place = env_option(name)
    if place is None:
        return []
    assert ctx.source is not None
    key = ctx.source.key(key_path) if key_path in ctx.source.keys else ctx.source.value(key_path)
    return [
        Opt(
            place[0],
            place[1],
            _text(value),
            key,
            ctx.source.value(value_path),
            name,
            "" if value is None else str(value),
        )
    ]


def compose_env(ctx: FileContext) -> list[tuple[str, Any, Span, Span]]:
    """(name, value, key span, value span) of every environment entry of every service, each line once."""
    assert ctx.source is not None
    out: list[tuple[str, Any, Span, Span]] = []
    seen: set[tuple[str, Span]] = set()
    services = ctx.get("services")
    for svc, service in services.items() if isinstance(services, dict) else []:
        env = dig(service, ("environment",))
        base: tuple[str | int, ...] = ("services", svc, "environment")
        entries: list[tuple[str, Any, Span, Span]] = []
        if isinstance(env, dict):
            for name, value in env.items():
                entries.append((str(name), value, ctx.key(*base, name), ctx.value(*base, name)))
        elif isinstance(env, list):
            for index, item in enumerate(env):
                if isinstance(item, str):
                    name, _, value = item.partition("=")
                    span = ctx.value(*base, index)
                    col = span.col + (1 if ctx.lines[span.line - 1][span.col - 1 : span.col] in "'\"" else 0)
                    entries.append(
                        (
                            name,
                            value if "=" in item else None,
                            span,
                            Span(span.file, span.line, col + len(name) + 1),
                        )
                    )
        for entry in entries:
            if (entry[0], entry[2]) not in seen:
                seen.add((entry[0], entry[2]))
                out.append(entry)
    return out


def compose_options(ctx: FileContext) -> list[Opt]:
    out: list[Opt] = []
    for name, value, key, at in compose_env(ctx):
        place = env_option(name)
        if place is not None:
            out.append(
                Opt(
                    place[0],
                    place[1],
                    _text(value, helm=False),
                    key,
                    at,
                    name,
                    "" if value is None else str(value),
                )
            )
    return out


def executors_of(value: str | None) -> list[str]:
    """`CeleryExecutor,KubernetesExecutor` or dotted paths or `alias:path` -> short class names."""
    if not value:
        return []
    return [item.strip().split(":")[-1].split(".")[-1] for item in value.split(",") if item.strip()]


def file_executors(ctx: FileContext) -> list[str]:
    opt = ctx.option("core", "executor")
    if opt is not None and opt.value:
        return executors_of(opt.value)
    if ctx.kind == "helm-values":
        value = ctx.get("executor")
        return executors_of(value) if isinstance(value, str) else []
    if ctx.catalog is not None and ctx.kind in ("airflow.cfg", "compose"):
        default = ctx.catalog.option("core", "executor")
        return executors_of(default.default if default else None)
    return []
