"""The one road every command (and test) takes: a spec path and environment -> loaded -> validated -> resolved.

    load_spec(path)              the YAML with positions (loader)
    problems(loaded, env)        every problem validation finds, for env or else the base and every environment
    resolved(path, env, out)     load + validate + resolve; raises SpecInvalid with every problem
    resolved_from(loaded, ...)   the same for a spec already loaded

Renderers (artifacts.build) and lint rules read what `resolved` returns; nothing after validation refuses a spec.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence

from airspec.errors import ContentError, Diagnostic, InputError, UsageError
from airspec.loader import Loaded, load_text, read_text
from airspec.resolve import Resolved, resolve
from airspec.source import Span
from airspec.validate import allowed_keys, validate, validate_all

SPEC_FILE_NAMES = ("airflow-spec.yaml", "airflow-spec.yml")
DEFAULT_OUT = "build"


def spec_label(path: str, out: str | None = None) -> str:
    """How artifacts name their spec: its path relative to OUT (default `build`, as `compile` has it), folders
    resolved, with POSIX separators, so that the same spec compiled into the same OUT gives the same bytes however its path was
    spelled and wherever airspec ran. Anything unprintable (a line break in a folder name) is written as an
    escape: headers are comments, and nothing in them may start a line that a reader parses."""
    base = os.path.realpath(out if out is not None else DEFAULT_OUT)
    # Folders are taken as they really are (a symlinked working folder or `$PWD/...` spells the same place two
    # ways); the spec file keeps its own name even if it is a link.
    folder, name = os.path.split(os.path.abspath(path))
    spec = os.path.join(os.path.realpath(folder), name)
    try:
        relative = os.path.relpath(spec, base)
    except ValueError:  # another drive (Windows)
        relative = spec
    shown = relative.replace(os.sep, "/")
    return "".join(c if c.isprintable() and c != "\\" else _escape(c) for c in shown)


def _escape(c: str) -> str:
    code = ord(c)
    if c == "\\":
        return "\\\\"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def load_spec(path: str) -> Loaded:
    """The spec at `path`; an airflow.cfg, Helm values, a compose file or a workflow given instead is named as
    what it is, with the commands that read it, rather than validated key by key as a spec."""
    text = read_text(path)
    try:
        loaded = load_text(text, path)
    except ContentError:
        from airspec.lint.inputs import looks_like_ini  # see _other_kind

        if looks_like_ini(text):
            raise ContentError(_not_a_spec(path, "airflow.cfg"), Span(path, 1, 1)) from None
        raise
    kind = _other_kind(path, loaded.data)
    if kind is not None:
        raise ContentError(_not_a_spec(path, kind), Span(path, 1, 1))
    return loaded


_KIND_WORDS = {
    "airflow.cfg": "an airflow.cfg",
    "helm-values": "Helm values for the Airflow chart",
    "compose": "a docker-compose file",
    "workflow": "a GitHub workflow",
    "statsd-mapping": "statsd_exporter mappings",
    "grafana-dashboard": "a Grafana dashboard",
}


def _not_a_spec(path: str, kind: str) -> str:
    shown = shlex.quote("".join(c if c.isprintable() else repr(c)[1:-1] for c in path))
    reads = f"`airspec lint {shown}` checks it"
    if kind in ("airflow.cfg", "helm-values", "compose"):
        reads += ", `airspec import` makes a spec of it"
    return f"not a spec but {_KIND_WORDS[kind]}: {reads}"


def _other_kind(path: str, data: object) -> str | None:
    """The kind of a YAML file that is plainly not a spec (lint's detection), else None. A file named as a spec,
    or with an `airflow:` key, is a spec, however broken; otherwise it must have keys no spec has."""
    if not isinstance(data, dict) or "airflow" in data:
        return None
    # lint's file detection only for what may not be a spec: importing it (and lint's model) was ~3.5 ms of every
    # compile and validate.
    from airspec.lint.inputs import HELM_KEYS, kind_by_name, kind_of_yaml
    from airspec.model import Spec

    if kind_by_name(path) == "spec":
        return None
    foreign = set(data) - set(allowed_keys(Spec, ()))
    if not foreign:
        return None
    try:
        kind = kind_of_yaml(path, data)
    except UsageError:
        return None
    if kind == "helm-values" and not foreign & HELM_KEYS:
        return None
    return kind if kind != "spec" else None


def problems(loaded: Loaded, env: str | None = None) -> list[Diagnostic]:
    """Every problem in the spec: for `env`, or else in the base and every environment."""
    return validate_all(loaded, env)


def resolved(path: str, env: str | None = None, out: str | None = None) -> Resolved:
    """The spec at `path` with environment `env`, validated and resolved. Raises SpecInvalid, ContentError or
    InputError."""
    return resolved_from(load_spec(path), env, out)


def resolved_from(loaded: Loaded, env: str | None = None, out: str | None = None) -> Resolved:
    """A spec already loaded (lint reads every input first), validated and resolved."""
    return resolve(validate(loaded, env), spec_file=spec_label(loaded.source.file, out))


def expand_specs(paths: Sequence[str]) -> list[str]:
    """Spec paths as given, with each folder replaced by the airflow-spec.yaml files below it (sorted)."""
    out: list[str] = []
    for given in paths:
        if os.path.isdir(given):
            found = sorted(
                {
                    os.path.join(root, name).replace(os.sep, "/")
                    for root, _, files in os.walk(given)
                    for name in files
                    if name in SPEC_FILE_NAMES and os.path.isfile(os.path.join(root, name))
                }
            )
            if not found:
                raise InputError(f"{given}: no {SPEC_FILE_NAMES[0]} below this folder")
            out += found
        else:
            out.append(given)
    return list(dict.fromkeys(out))


def from_text(text: str, name: str = SPEC_FILE_NAMES[0], env: str | None = None) -> Resolved:
    """A spec given as text (tests, stdin), named `name` in messages and artifacts."""
    return resolve(validate(load_text(text, name), env), spec_file=name)
