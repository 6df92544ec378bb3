"""The one road every command (and test) takes: a spec path and environment -> loaded -> validated -> resolved.

    load_spec(path)              the YAML with positions (loader)
    problems(loaded, env)        every problem validation finds, for env or else the base and every environment
    resolved(path, env, out)     load + validate + resolve; raises SpecInvalid with every problem
    resolved_from(loaded, ...)   the same for a spec already loaded

Renderers (artifacts.build) and lint rules read what `resolved` returns; nothing after validation refuses a spec.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from airspec.errors import Diagnostic, InputError
from airspec.loader import Loaded, load_file, load_text
from airspec.resolve import Resolved, resolve
from airspec.validate import validate, validate_all

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
    return load_file(path)


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
