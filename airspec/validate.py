"""Plain data -> a valid Spec, or every problem at once, each at the line that caused it.

Steps: pick the environment overlay and deep-merge it (keeping each value's position, base or overlay), validate
with the pydantic models, then check what needs Airflow knowledge (the catalog of the target version).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from airspec.catalog import Catalog, Option, UnknownVersion, line_of, load
from airspec.errors import Diagnostic, SpecInvalid, UsageError
from airspec.loader import Loaded
from airspec.model import Spec
from airspec.model.types import DURATION_PATTERN, QUANTITY_PATTERN, SecretRef
from airspec.source import Path, SourceMap, Span, format_path

_YAML11_BOOLS = ("yes", "no", "on", "off", "y", "n")
_PATTERN_WORDS = {
    DURATION_PATTERN: "a duration like 30s, 5m, 2h or 1h30m",
    QUANTITY_PATTERN: "a Kubernetes quantity like 500m, 2, 512Mi or 2Gi",
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "a lower-case DNS name (letters, digits, '-')",
    r"^(2|3)\.\d+(\.\d+)?$": 'an Airflow version like "3.3" or "2.11.2"',
    r"^3\.\d+$": 'a Python version like "3.12"',
    r"^/[A-Za-z0-9._/-]+$": "an absolute path of letters, digits and . _ - /",
}


class Validated(NamedTuple):
    spec: Spec
    source: SourceMap
    catalog: Catalog
    env: str | None


def validate(loaded: Loaded, env: str | None = None) -> Validated:
    """Validate the base spec merged with environment `env`. Raises SpecInvalid with every problem."""
    try:
        return _validate(loaded, env)
    except SpecInvalid as exc:
        raise SpecInvalid(
            Diagnostic(d.span, d.severity, _one_line(d.message), d.code) for d in exc.diagnostics
        ) from None


def _one_line(text: str) -> str:
    """Keys the spec names reach messages through their paths (`config.<section>`): a line break or other
    unprintable character in one is written as its escape, so that every problem stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _validate(loaded: Loaded, env: str | None) -> Validated:
    data, source = select_environment(loaded, env)
    diagnostics: list[Diagnostic] = []
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(_from_pydantic(exc, data, source, loaded.text))
        # The version may still be readable: report version-dependent problems in the same run.
        raise SpecInvalid(diagnostics) from None
    catalog, problems = _catalog_for(spec, source)
    diagnostics.extend(problems)
    if catalog is not None:
        diagnostics.extend(_semantic(spec, source, catalog))
    if diagnostics or catalog is None:
        raise SpecInvalid(diagnostics)
    return Validated(spec, source, catalog, env)


def validate_all(
    loaded: Loaded, attempt: Callable[[Loaded, str | None], object] | None = None
) -> list[Diagnostic]:
    """Problems in the base spec and in every environment; a problem the base has is reported once.
    `attempt(loaded, env)` raises SpecInvalid for a problem (default: validate; compile passes the whole build)."""
    envs = loaded.data.get("environments") if isinstance(loaded.data, dict) else None
    found = _problems(loaded, None, attempt or validate)
    base = {(d.span, d.message) for d in found}
    for name in sorted(envs) if isinstance(envs, dict) else []:
        for d in _problems(loaded, name, attempt or validate):
            if (d.span, d.message) not in base:
                message = f"{d.message} (environment {_one_line(name)})"
                found.append(Diagnostic(d.span, d.severity, message, d.code))
    return sorted(set(found))


def _problems(
    loaded: Loaded, env: str | None, attempt: Callable[[Loaded, str | None], object]
) -> list[Diagnostic]:
    try:
        attempt(loaded, env)
    except SpecInvalid as exc:
        return list(exc.diagnostics)
    return []


# ---------------------------------------------------------------------------------------------- environments


def select_environment(loaded: Loaded, env: str | None) -> tuple[Any, SourceMap]:
    data = loaded.data
    if not isinstance(data, dict):
        raise SpecInvalid(
            [Diagnostic(Span(loaded.source.file, 1, 1), "error", "a spec must be a YAML mapping")]
        )
    if env is None:
        return data, loaded.source
    envs = data.get("environments")
    if not isinstance(envs, dict) or env not in envs:
        known = _one_line(", ".join(sorted(envs))) if isinstance(envs, dict) and envs else "none defined"
        raise UsageError(f"error: {loaded.source.file}: no environment {env!r} (environments: {known})")
    overlay = envs[env]
    if not isinstance(overlay, dict):
        span = loaded.source.value(("environments", env))
        raise SpecInvalid([Diagnostic(span, "error", f"environments.{env}: an overlay must be a mapping")])
    if "environments" in overlay or "name" in overlay:
        bad = "environments" if "environments" in overlay else "name"
        span = loaded.source.key(("environments", env, bad))
        raise SpecInvalid(
            [Diagnostic(span, "error", f"environments.{env}.{bad}: cannot be set in an overlay")]
        )
    base = {k: v for k, v in data.items() if k != "environments"}
    merged = deep_merge(base, overlay)
    source = SourceMap(loaded.source.file, dict(loaded.source.keys), dict(loaded.source.values))
    prefix: Path = ("environments", env)
    moved = loaded.source.rebased(prefix, ())
    _drop_replaced(source, overlay, ())
    source.keys.update(moved["keys"])
    source.values.update(moved["values"])
    return merged, source


def deep_merge(base: Any, overlay: Any) -> Any:
    """Mappings merge key by key; anything else in the overlay (lists included) replaces the base."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for key, value in overlay.items():
            out[key] = deep_merge(base[key], value) if key in base else value
        return out
    return overlay


def _drop_replaced(source: SourceMap, overlay: Any, path: Path) -> None:
    """Forget base positions below values an overlay replaces whole (a list, a scalar)."""
    replaced = set(_replaced(overlay, path))
    for table in (source.keys, source.values):
        for p in [p for p in table if any(p[:end] in replaced for end in range(len(p)))]:
            del table[p]


def _replaced(overlay: Any, path: Path) -> Iterator[Path]:
    if not isinstance(overlay, dict):
        yield path
        return
    for key, value in overlay.items():
        yield from _replaced(value, (*path, key))


# ------------------------------------------------------------------------------------------ pydantic errors


def _from_pydantic(exc: ValidationError, data: Any, source: SourceMap, text: str) -> Iterator[Diagnostic]:
    seen: dict[Path, list[dict[str, Any]]] = {}
    for error in exc.errors(include_url=False):
        path, leftover = _data_path(data, error["loc"])
        seen.setdefault(path, []).append({**error, "leftover": leftover})
    lines = text.splitlines()
    for path, errors in seen.items():
        for detail in _most_specific(errors):
            yield _diagnostic(path, detail, source, lines)


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[Path, list[str | int]]:
    """pydantic's location with union tags and model names dropped: only steps that exist in the data."""
    path: list[str | int] = []
    leftover: list[str | int] = []
    node = data
    for step in loc:
        in_dict = isinstance(node, dict) and isinstance(step, str) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_dict or in_list:
            path.append(step)
            node = node[step]
        else:
            leftover.append(step)
    return tuple(path), leftover


def _most_specific(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of a union's per-branch errors at one place, keep the branch that matched the input's type."""
    if len(errors) == 1:
        return errors
    value = errors[0].get("input")
    if isinstance(value, str) and value.lower() in _YAML11_BOOLS:
        bools = [e for e in errors if e["type"] == "bool_type"]
        if bools:
            return bools
    specific = [e for e in errors if not e["type"].endswith("_type") and e["type"] != "model_type"]
    if specific:
        return specific
    return errors[:1]


def _diagnostic(path: Path, error: dict[str, Any], source: SourceMap, lines: list[str]) -> Diagnostic:
    kind = error["type"]
    where = format_path(path)
    value = error.get("input")
    if kind == "extra_forbidden":
        key = path[-1] if path else error["loc"][-1]
        parent = path[:-1]
        hint = _did_you_mean(str(key), allowed_keys(Spec, parent))
        where = f"{format_path(parent)}: unknown key" if parent else "unknown top-level key"
        return Diagnostic(source.key(path), "error", f"{where} {key!r}{hint}")
    if kind == "missing":
        name = error["leftover"][-1] if error["leftover"] else error["loc"][-1]
        return Diagnostic(source.key(path), "error", f"{where}: missing required key {name!r}")
    span = source.key(path) if "[key]" in error["leftover"] else source.value(path)
    raw = _raw_token(lines, span)
    msg = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        msg = f'expected a string, got the number {raw or value!r}: quote it, as "{raw or value}"'
    elif kind == "bool_type":
        msg = f"expected true or false, got {value!r}"
        if isinstance(value, str) and value.lower() in _YAML11_BOOLS:
            msg += " (YAML 1.2: yes/no/on/off are strings; write true or false)"
    elif kind in ("int_type", "float_type", "int_from_float"):
        msg = f"expected {'an integer' if kind != 'float_type' else 'a number'}, got {value!r}"
    elif kind == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern", "")
        msg = f"expected {_PATTERN_WORDS.get(pattern, f'a value matching {pattern}')}, got {value!r}"
        if "\n" in str(value) or "\r" in str(value):
            msg = "must be a single line (no line breaks)"
    elif kind == "literal_error" or msg.startswith("Input should be "):
        msg = f"{msg.replace('Input should be ', 'expected ', 1)}, got {value!r}"
    elif kind in ("dict_type", "model_type"):
        msg = f"expected a mapping, got {_describe(value)}"
    elif kind == "list_type":
        msg = f"expected a list, got {_describe(value)}"
    return Diagnostic(span, "error", f"{where}: {msg}")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_NUMBER_TOKEN = re.compile(r"[^\s,\[\]{}#]{1,64}(?![^\s,\[\]{}#])")


def _raw_token(lines: list[str], span: Span) -> str:
    """The number as written at `span` (`3.10`, which YAML reads as 3.1), up to whatever ends it in block or flow
    style; "" if that is not a short token."""
    if not 0 < span.line <= len(lines):
        return ""
    token = _NUMBER_TOKEN.match(lines[span.line - 1], span.col - 1)
    return token.group() if token else ""


def _did_you_mean(key: str, allowed: list[str]) -> str:
    import difflib  # only a spec with a problem gets here

    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if allowed and len(allowed) <= 12:
        return "; expected one of: " + ", ".join(sorted(allowed))
    return ""


def allowed_keys(model: type[BaseModel], path: Path) -> list[str]:
    """The keys a mapping at `path` may have, found by walking the model's annotations."""
    annotation: Any = model
    for step in path:
        annotation = _step(annotation, step)
        if annotation is None:
            return []
    models = [m for m in _candidates(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]
    keys: list[str] = []
    for m in models:
        for name, field in m.model_fields.items():
            keys.append(field.alias or name)
    return keys


def _candidates(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _candidates(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(annotation) for c in _candidates(arg)]
    return [annotation]


def _step(annotation: Any, step: str | int) -> Any:
    for candidate in _candidates(annotation):
        origin = typing.get_origin(candidate)
        if isinstance(candidate, type) and issubclass(candidate, BaseModel) and isinstance(step, str):
            field = candidate.model_fields.get(step) or next(
                (f for f in candidate.model_fields.values() if f.alias == step), None
            )
            if field is not None:
                return field.annotation
        elif origin is dict and isinstance(step, str):
            return typing.get_args(candidate)[1]
        elif origin is list and isinstance(step, int):
            return typing.get_args(candidate)[0]
    return None


# ------------------------------------------------------------------------------ checks that need the catalog


def _catalog_for(spec: Spec, source: SourceMap) -> tuple[Catalog | None, list[Diagnostic]]:
    try:
        line_of(spec.airflow.version)
        return load(spec.airflow.version), []
    except UnknownVersion as exc:
        return None, [Diagnostic(source.value(("airflow", "version")), "error", f"airflow.version: {exc}")]


def _semantic(spec: Spec, source: SourceMap, catalog: Catalog) -> Iterator[Diagnostic]:
    def err(path: Path, message: str, key: bool = False) -> Diagnostic:
        span = source.key(path) if key else source.value(path)
        return Diagnostic(span, "error", f"{format_path(path)}: {message}")

    executors = spec.executors
    v = catalog.line
    if isinstance(spec.executor, list) and catalog.major < 3:
        yield err(("executor",), f"a list of executors needs Airflow 3 (this spec targets {v})")
    if isinstance(spec.executor, list) and len(set(executors)) != len(executors):
        yield err(("executor",), "lists an executor twice")
    if "CeleryKubernetesExecutor" in executors and catalog.major >= 3:
        yield err(
            ("executor",),
            "CeleryKubernetesExecutor was removed in Airflow 3; list both: [CeleryExecutor, KubernetesExecutor]",
        )
    uses_celery = any("Celery" in e for e in executors)
    uses_k8s = any("Kubernetes" in e for e in executors)
    if spec.celery is not None and not uses_celery:
        yield err(("celery",), "set, but no executor uses Celery", key=True)
    if spec.kubernetes_executor is not None and not uses_k8s:
        yield err(("kubernetes_executor",), "set, but no executor runs tasks on Kubernetes", key=True)
    if spec.secrets.jwt_secret is not None and catalog.major < 3:
        yield err(
            ("secrets", "jwt_secret"), f"Airflow {v} has no JWT secret (it came with Airflow 3)", key=True
        )
    if "compose" in spec.targets and uses_k8s:
        yield err(("targets",), "docker-compose cannot run the KubernetesExecutor; target helm")
    if len(set(spec.targets)) != len(spec.targets):
        yield err(("targets",), "lists a target twice")
    if spec.database.kind == "external" and spec.database.url is None:
        yield err(("database",), "an external database needs url (a secret reference)", key=True)
    if spec.celery and spec.celery.broker.kind == "external" and spec.celery.broker.url is None:
        yield err(("celery", "broker"), "an external broker needs url (a secret reference)", key=True)
    git = spec.dags.git_sync
    if git and git.repo.startswith(("git@", "ssh://")) and git.ssh_key_secret is None:
        yield err(("dags", "git_sync"), "an SSH repository needs ssh_key_secret", key=True)
    statsd = spec.metrics.statsd
    if statsd.enabled and not statsd.exporter.enabled and statsd.host is None:
        yield err(
            ("metrics", "statsd"), "without the statsd-exporter, statsd needs a host to send to", key=True
        )
    if "compose" in spec.targets:
        for path, ref in _secret_fields(spec):
            if ref.kind == "secret":
                yield err(
                    path, "a Kubernetes Secret cannot reach docker-compose; use {env: VAR} or {file: PATH}"
                )
    yield from _literal_secrets(spec, source)
    yield from _config_options(spec, source, catalog)


def _secret_fields(spec: Spec) -> Iterator[tuple[Path, SecretRef]]:
    for name in ("fernet_key", "api_secret_key", "jwt_secret"):
        ref = getattr(spec.secrets, name)
        if ref is not None:
            yield ("secrets", name), ref
    for name in ("url", "password"):
        ref = getattr(spec.database, name)
        if ref is not None:
            yield ("database", name), ref
    if spec.celery:
        if spec.celery.broker.url is not None:
            yield ("celery", "broker", "url"), spec.celery.broker.url
        if spec.celery.result_backend.url is not None:
            yield ("celery", "result_backend", "url"), spec.celery.result_backend.url


def _literal_secrets(spec: Spec, source: SourceMap) -> Iterator[Diagnostic]:
    if spec.development_only:
        return
    for path, ref in _secret_fields(spec):
        if ref.kind == "literal":
            yield Diagnostic(
                source.value(path),
                "error",
                f"{format_path(path)}: a literal secret; use a reference ({{secret: {{name, key}}}}, {{env: VAR}} "
                "or {file: PATH}), or mark the spec development_only: true",
            )


def _config_options(spec: Spec, source: SourceMap, catalog: Catalog) -> Iterator[Diagnostic]:
    for section, options in spec.config.items():
        for name, value in options.items():
            path: Path = ("config", section, name)
            change = catalog.change(section, name)
            known = catalog.option(section, name)
            if change is not None and change.kind in ("moved", "renamed", "removed") and known is None:
                if change.target:
                    msg = f"[{section}] {name} moved to {change.target} in Airflow {catalog.line}; set that instead"
                else:
                    msg = f"[{section}] {name} was removed in Airflow {catalog.line}"
                yield Diagnostic(source.key(path), "error", f"{format_path(path)}: {msg}")
                continue
            if known is None:
                hint = catalog.suggest(section, name)
                msg = f"[{section}] {name} is not an option of Airflow {catalog.line}"
                if hint:
                    msg += f"; did you mean {hint}?"
                yield Diagnostic(source.key(path), "error", f"{format_path(path)}: {msg}")
                continue
            problem = _type_problem(known, value)
            if problem:
                yield Diagnostic(source.value(path), "error", f"{format_path(path)}: {problem}")
            allowed = catalog.enum_options.get(section, {}).get(name)
            if allowed and str(value) not in allowed:
                yield Diagnostic(
                    source.value(path), "error", f"{format_path(path)}: expected one of {', '.join(allowed)}"
                )
            if known.sensitive and not spec.development_only and isinstance(value, str) and value:
                yield Diagnostic(
                    source.value(path),
                    "error",
                    f"{format_path(path)}: [{section}] {name} is sensitive; a literal value here would be written "
                    "into artifacts. Use the modelled secret reference, or mark the spec development_only: true",
                )


def _type_problem(option: Option, value: str | int | float | bool) -> str | None:
    """What Airflow's getter would refuse in a `config:` value (airspec/optvalue.py, shared with lint's AS210)."""
    from airspec.optvalue import check

    return check(option, value)
