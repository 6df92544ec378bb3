"""Plain data -> a valid Spec, or every problem at once, each at the line that caused it.

Steps: pick the environment overlay and deep-merge it (keeping each value's position, base or overlay), validate
with the pydantic models, then check what needs Airflow knowledge (the catalog of the target version).
"""

from __future__ import annotations

import difflib
import functools
import re
import types
import typing
from collections.abc import Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from airspec.catalog import Catalog
from airspec.errors import Diagnostic, SpecInvalid, UsageError
from airspec.loader import Loaded
from airspec.mask import leaves, option_sensitive, scrub, sensitive_name
from airspec.model import Spec
from airspec.model.spec import VERSION_PATTERN
from airspec.model.types import DURATION_PATTERN, LINE_PATTERN, QUANTITY_PATTERN, EnvVar, SecretRef
from airspec.semantic import catalog_for, helm_values, raw_config_problems, semantic
from airspec.source import Path, SourceMap, Span, format_path

_YAML11_BOOLS = ("yes", "no", "on", "off", "y", "n")
_PATTERN_WORDS = {
    DURATION_PATTERN: "a duration like 30s, 5m, 2h or 1h30m",
    QUANTITY_PATTERN: "a Kubernetes quantity like 500m, 2, 512Mi or 2Gi",
    LINE_PATTERN: "a single line without control characters",
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "a lower-case DNS name (letters, digits, '-')",
    VERSION_PATTERN: 'an Airflow version like "3.3" or "2.11.2"',
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
    data, source, merged = select_environment(loaded, env)
    diagnostics: list[Diagnostic] = []
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(_from_pydantic(exc, data, source, loaded.text, merged))
        # The version and `config:` may still be readable: report their catalog problems in the same run.
        diagnostics.extend(raw_config_problems(data, source))
        raise SpecInvalid(diagnostics) from None
    catalog, problems = catalog_for(spec, source)
    diagnostics.extend(problems)
    if catalog is not None:
        diagnostics.extend(semantic(spec, source, catalog))
    if diagnostics or catalog is None:
        raise SpecInvalid(diagnostics)
    validated = Validated(spec, source, catalog, env)
    diagnostics.extend(helm_values(validated))  # needs a spec that passed everything else: it compiles values
    if spec.compose.overrides and "compose" in spec.targets:
        diagnostics.extend(_compose_overrides(validated))
    if diagnostics:
        raise SpecInvalid(diagnostics)
    return validated


def _compose_overrides(validated: Validated) -> list[Diagnostic]:
    """compose.overrides against the document airspec builds: that needs the resolved spec, so it runs last, on a
    spec that passed everything else."""
    from airspec import overrides
    from airspec.render import compose
    from airspec.resolve import resolve

    document = compose.base_document(resolve(validated, spec_file=validated.source.file))
    return overrides.problems(document, validated.spec.compose.overrides, validated.source)


def validate_all(loaded: Loaded, env: str | None = None) -> list[Diagnostic]:
    """Every problem: for `env`; or else in the base spec and in every environment, where a problem the base has
    is reported once and an environment's own problem names the environment."""
    if env is not None:
        return _problems(loaded, env)
    envs = loaded.data.get("environments") if isinstance(loaded.data, dict) else None
    found = _problems(loaded, None)
    base = {(d.span, d.message) for d in found}
    for name in sorted(envs) if isinstance(envs, dict) else []:
        for d in _problems(loaded, name):
            if (d.span, d.message) not in base:
                message = f"{d.message} (environment {_one_line(name)})"
                found.append(Diagnostic(d.span, d.severity, message, d.code))
    return sorted(set(found))


def _problems(loaded: Loaded, env: str | None) -> list[Diagnostic]:
    try:
        validate(loaded, env)
    except SpecInvalid as exc:
        return list(exc.diagnostics)
    return []


# ---------------------------------------------------------------------------------------------- environments


class Selected(NamedTuple):
    """The spec as validated: base merged with one overlay, positions, and the mappings both of them wrote."""

    data: Any
    source: SourceMap
    # Each mapping with keys from both the base and the overlay: where each of them wrote it.
    merged: dict[Path, tuple[Span, Span]]


def select_environment(loaded: Loaded, env: str | None) -> Selected:
    data = loaded.data
    if not isinstance(data, dict):
        raise SpecInvalid(
            [Diagnostic(Span(loaded.source.file, 1, 1), "error", "a spec must be a YAML mapping")]
        )
    if env is None:
        return Selected(data, loaded.source, {})
    envs = data.get("environments")
    if not isinstance(envs, dict) or env not in envs:
        known = _one_line(", ".join(sorted(envs))) if isinstance(envs, dict) and envs else "none defined"
        raise UsageError(f"{loaded.source.file}: no environment {env!r} (environments: {known})")
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
    split = _split(loaded)
    own_keys, own_values = split.envs.get(env, ({}, {}))
    source = SourceMap(loaded.source.file, dict(split.keys), dict(split.values))
    _drop_replaced(source, overlay, ())
    # The overlay's positions: where it was written, and where its values now stand in the merged spec.
    for path, span in own_keys.items():
        source.keys[path] = span
        if len(path) > 2:
            source.keys[path[2:]] = span
    for path, span in own_values.items():
        source.values[path] = span
        if len(path) > 2:
            source.values[path[2:]] = span
    prefix: Path = ("environments", env)
    both = {
        path: (loaded.source.key(path), loaded.source.key((*prefix, *path)))
        for path in _merged_paths(base, overlay, ())
    }
    return Selected(merged, source, both)


class _Split(NamedTuple):
    """A spec's positions apart from its environments, and each environment's own (as written)."""

    keys: dict[Path, Span]
    values: dict[Path, Span]
    envs: dict[str | int, tuple[dict[Path, Span], dict[Path, Span]]]


def _split(loaded: Loaded) -> _Split:
    """The document's positions apart from its environments, and each environment's own: one pass over a spec
    with 5,000 environments instead of one per environment (kept with the document)."""
    cached = loaded.derived.get("environment split")
    if isinstance(cached, _Split):
        return cached
    split = _Split({}, {}, {})
    for table, mine, index in ((loaded.source.keys, split.keys, 0), (loaded.source.values, split.values, 1)):
        for path, span in table.items():
            if len(path) >= 2 and path[0] == "environments":
                split.envs.setdefault(path[1], ({}, {}))[index][path] = span
            else:
                mine[path] = span
    loaded.derived["environment split"] = split
    return split


def deep_merge(base: Any, overlay: Any, path: Path = ()) -> Any:
    """Mappings merge key by key; anything else in the overlay (lists included) replaces the base, and so does a
    value whose keys are alternatives (a secret reference: `{env: X}` over `{secret: ...}` is the env, not both).
    `null` in the overlay deletes the key."""
    if isinstance(base, dict) and isinstance(overlay, dict) and not is_one_of(path):
        out = dict(base)
        for key, value in overlay.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = deep_merge(base[key], value, (*path, key)) if key in base else value
        return out
    return overlay


# Models whose keys are alternatives, exactly one given: an overlay replaces such a value whole.
ONE_OF: tuple[type[BaseModel], ...] = (SecretRef, EnvVar)


def is_one_of(path: Path) -> bool:
    """Whether the spec's value at `path` is one of ONE_OF (found by walking the models' annotations)."""
    annotation: Any = Spec
    for step in path:
        annotation = _step(annotation, step)
        if annotation is None:
            return False
    return any(isinstance(c, type) and issubclass(c, ONE_OF) for c in _candidates(annotation))


def _merged_paths(base: Any, overlay: Any, path: Path) -> Iterator[Path]:
    """Mappings whose keys come from both the base and the overlay."""
    if not (isinstance(base, dict) and isinstance(overlay, dict)) or is_one_of(path):
        return
    if path and any(v is not None for v in overlay.values()) and any(k not in overlay for k in base):
        yield path
    for key, value in overlay.items():
        if key in base:
            yield from _merged_paths(base[key], value, (*path, key))


def _drop_replaced(source: SourceMap, overlay: Any, path: Path) -> None:
    """Forget base positions below values an overlay replaces whole (a list, a scalar, a one-of value)."""
    replaced = set(_replaced(overlay, path))
    tops = {r[0] for r in replaced if r}
    for table in (source.keys, source.values):
        below = [p for p in table if p and p[0] in tops and any(p[:end] in replaced for end in range(len(p)))]
        for p in below:
            del table[p]


def _replaced(overlay: Any, path: Path) -> Iterator[Path]:
    if not isinstance(overlay, dict) or is_one_of(path):
        yield path
        return
    for key, value in overlay.items():
        yield from _replaced(value, (*path, key))


# ------------------------------------------------------------------------------------------ pydantic errors


def _from_pydantic(
    exc: ValidationError, data: Any, source: SourceMap, text: str, merged: dict[Path, tuple[Span, Span]]
) -> Iterator[Diagnostic]:
    seen: dict[Path, list[dict[str, Any]]] = {}
    for error in exc.errors(include_url=False):
        path, leftover = _data_path(data, error["loc"])
        seen.setdefault(path, []).append({**error, "leftover": leftover})
    lines = text.splitlines()
    for path, errors in seen.items():
        for detail in _most_specific(errors):
            d = _diagnostic(path, detail, source, lines)
            if path in merged:
                base, over = merged[path]
                d = d._replace(
                    message=f"{d.message} (merged from the base at {base} and the overlay at {over})"
                )
            yield d


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
    msg = _message(kind, error, value, _raw_token(lines, span), secret_path(path))
    return Diagnostic(span, "error", f"{where}: {msg}")


def _message(kind: str, error: dict[str, Any], value: Any, raw: str, secret: bool) -> str:
    """What is wrong with `value`; under a secret field, said without showing the value."""
    msg = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if secret:
        pattern = (error.get("ctx") or {}).get("pattern", "")
        return scrub(_secret_message(kind, msg, value, pattern), leaves(value))
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
    return msg


def _secret_message(kind: str, msg: str, value: Any, pattern: str) -> str:
    got = f"got {_kind_of(value)} (not shown: this field holds a secret)"
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"expected a string, {got}: quote it"
    if kind == "bool_type":
        return f"expected true or false, {got}"
    if kind in ("int_type", "float_type", "int_from_float"):
        return f"expected {'an integer' if kind != 'float_type' else 'a number'}, {got}"
    if kind == "string_pattern_mismatch":
        if "\n" in str(value) or "\r" in str(value):
            return "must be a single line (no line breaks)"
        return f"expected {_PATTERN_WORDS.get(pattern, 'a value of another form')}, {got}"
    if "SecretRef" in msg:
        return f"expected a string or a mapping with one of secret, env, file, {got}"
    if kind in ("dict_type", "model_type"):
        return f"expected a mapping, {got}"
    if kind == "list_type":
        return f"expected a list, {got}"
    if kind == "literal_error" or msg.startswith("Input should be "):
        return f"{msg.replace('Input should be ', 'expected ', 1)}, {got}"
    return msg


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return _describe(value) if value is None or isinstance(value, dict | list) else "a value"


def secret_path(path: Path) -> bool:
    """Whether `path` holds a secret (see _secret_path). List positions do not change the answer, so a spec with
    30,000 problems in one list asks once."""
    return _secret_path(tuple(0 if isinstance(step, int) else step for step in path))


@functools.lru_cache(maxsize=4096)
def _secret_path(path: Path) -> bool:
    """Whether `path` (in a spec, or in one of its environment overlays) is, or is inside, a field that holds a
    secret: a SecretRef of the models (but not the name of a Kubernetes Secret, variable or file it points to), a
    sensitive airflow.cfg option under `config`, or anything a sensitive name holds."""
    if len(path) >= 2 and path[0] == "environments":
        path = path[2:]
    config = len(path) >= 3 and path[0] == "config" and isinstance(path[1], str) and isinstance(path[2], str)
    if config and option_sensitive(str(path[1]), str(path[2])):
        return True
    annotation: Any = Spec
    for at, step in enumerate(path):
        annotation = _step(annotation, step)
        if annotation is None:
            break
        if any(c is SecretRef for c in _candidates(annotation)):
            return path[at + 1 : at + 2] not in (("secret",), ("env",), ("file",))
    return any(isinstance(s, str) and s not in ("secrets", "secret") and sensitive_name(s) for s in path)


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
