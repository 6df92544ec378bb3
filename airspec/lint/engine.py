"""Run the rules: read every input, give each the Airflow version it targets, call each selected rule's check for
that kind of input, then apply severities, inline suppressions and de-duplication.

Specs are validated and resolved first (once per environment, or only --env's); a spec that does not validate
yields its validation errors as AS000 findings. pydantic is imported only when a spec is among the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from airspec.errors import ContentError, Diagnostic, InputError, SpecInvalid, UsageError
from airspec.lint import inputs
from airspec.lint.model import KINDS, SEVERITIES, FileContext, Hit, Opt, Project, Rule, SpecContext
from airspec.lint.suppress import suppressed
from airspec.source import Span

if TYPE_CHECKING:
    from airspec.catalog import Catalog

META_RULE = "AS000"


class Request(NamedTuple):
    paths: tuple[str, ...]
    airflow_version: str | None = None
    env: str | None = None
    kind: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = MappingProxyType({})


class Outcome(NamedTuple):
    findings: list[Diagnostic]
    files: list[str]
    errors: list[str]  # inputs that could not be read: one line each
    suppressed: int = 0


def all_rules() -> tuple[Rule, ...]:
    from airspec.lint.rules import RULES

    return RULES


def selected(rules: Iterable[Rule], select: tuple[str, ...], ignore: tuple[str, ...]) -> set[str]:
    """Rule ids that run: tokens are ids, id prefixes (AS1), categories, rule names or ALL. AS000 always runs."""
    rules = list(rules)

    def match(token: str) -> set[str]:
        t = token.strip()
        found = {
            r.id
            for r in rules
            if t.upper() == "ALL" or r.id.startswith(t.upper()) or t.lower() in (r.category, r.name)
        }
        if not found:
            raise UsageError(f"error: no rule matches {t!r} (see `airspec rules`)")
        return found

    chosen = set().union(*(match(t) for t in select)) if select else {r.id for r in rules}
    for token in ignore:
        chosen -= match(token)
    return chosen | {META_RULE}


def run(request: Request) -> Outcome:
    if request.kind is not None and request.kind not in KINDS:
        raise UsageError(f"error: --kind: unknown kind {request.kind!r} (kinds: {', '.join(KINDS)})")
    for rule_id, level in request.severity.items():
        if level not in SEVERITIES:
            raise UsageError(f"error: severity of {rule_id}: {level!r} is not one of {', '.join(SEVERITIES)}")
    rules = all_rules()
    active = selected(rules, request.select, request.ignore)
    sources, errors = _read_all(request)
    findings: list[Diagnostic] = []
    specs: list[SpecContext] = []
    files: list[FileContext] = []
    for source in list(sources):
        if source.kind == "spec":
            contexts, invalid = _specs(source, request.env)
            specs.extend(contexts)
            findings.extend(invalid)
            continue
        try:
            files.append(_file(source))
        except (InputError, ContentError) as exc:
            errors.append(str(exc))
            sources.remove(source)
    _give_versions(files, specs, request.airflow_version)
    for rule in rules:
        if rule.id in active:
            findings.extend(_check(rule, specs, files))
    kept, hidden = _finish(findings, sources, request.severity, {r.id for r in rules})
    return Outcome(kept, [s.path for s in sources], errors, hidden)


def _check(rule: Rule, specs: list[SpecContext], files: list[FileContext]) -> Iterable[Diagnostic]:
    if rule.spec is not None:
        yield from _spec_findings(rule, specs)
    for ctx in files:
        check = rule.files.get(ctx.kind)
        if check is not None and (ctx.catalog is not None or ctx.kind == "workflow"):
            yield from (_diag(rule, hit) for hit in check(ctx))
    if rule.project is not None:
        yield from (_diag(rule, hit) for hit in rule.project(Project(specs, files)))


def _finish(
    findings: list[Diagnostic], sources: list[inputs.Source], severity: Mapping[str, str], known: set[str]
) -> tuple[list[Diagnostic], int]:
    """De-duplicate (an anchor shared by several compose services is one finding), drop what an inline comment
    suppresses, apply severity overrides (never to AS000)."""
    texts = {s.path: (s.kind, _lines(s)) for s in sources}
    kept: list[Diagnostic] = []
    hidden = 0
    for d in sorted(set(findings), key=_order):
        kind, lines = texts.get(d.span.file, ("", []))
        if d.code != META_RULE and suppressed(kind, lines, d.span.line, d.code):
            hidden += 1
            continue
        override = severity.get(d.code)
        if override and d.code != META_RULE and d.code in known:
            d = Diagnostic(d.span, override, d.message, d.code)
        kept.append(d)
    return kept, hidden


def _lines(source: inputs.Source) -> list[str]:
    """Lines as the file's positions count them: an airflow.cfg's as Airflow splits it (cfgfile.lines)."""
    if source.kind == "airflow.cfg":
        from airspec.cfgfile import lines

        return lines(source.text)
    return source.text.splitlines()


def _order(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.span.file, d.span.line, d.span.col, d.code, d.message)


def _diag(rule: Rule, hit: Hit) -> Diagnostic:
    return Diagnostic(hit.span, hit.severity or rule.severity, hit.message, rule.id)


# --------------------------------------------------------------------------------------------------- reading


def _read_all(request: Request) -> tuple[list[inputs.Source], list[str]]:
    try:
        paths = list(dict.fromkeys(inputs.expand(list(request.paths))))
    except InputError as exc:
        raise UsageError(str(exc)) from None
    sources: list[inputs.Source] = []
    errors: list[str] = []
    for path in paths:
        try:
            sources.append(_read(path, request.kind))
        except InputError as exc:
            errors.append(str(exc))
    return sources, errors


def _read(path: str, forced: str | None) -> inputs.Source:
    from airspec.loader import read_text

    text = read_text(path)
    kind = forced or inputs.kind_by_name(path)
    if kind == "airflow.cfg" or (
        kind is None and not path.lower().endswith(inputs.YAML_SUFFIXES) and inputs.looks_like_ini(text)
    ):
        return inputs.Source(path, "airflow.cfg", text)
    from airspec.loader import load_text

    loaded = load_text(text, path)
    return inputs.Source(path, forced or inputs.kind_of_yaml(path, loaded.data), text, loaded)


def _file(source: inputs.Source) -> FileContext:
    if source.kind == "airflow.cfg":
        from airspec.cfgfile import read

        return FileContext("airflow.cfg", source.path, source.text, ini=read(source.text, source.path))
    loaded = source.loaded
    assert loaded is not None
    ctx = FileContext(source.kind, source.path, source.text, data=loaded.data, source=loaded.source)
    if source.kind == "helm-values":
        ctx.stated_version = inputs.helm_version(loaded.data)[0]
    elif source.kind == "compose":
        ctx.stated_version = inputs.compose_version(loaded.data)[0]
    return ctx


def _give_versions(files: list[FileContext], specs: list[SpecContext], flag: str | None) -> None:
    """--airflow-version, else the version the file names, else the one version the other inputs agree on."""
    from airspec.catalog import UnknownVersion, line_of, load

    stated = {s.resolved.airflow_version for s in specs} | {
        f.stated_version for f in files if f.stated_version
    }
    agreed = min(stated) if len({".".join(v.split(".")[:2]) for v in stated}) == 1 else None
    catalogs: dict[str, Catalog] = {}
    for ctx in files:
        if ctx.kind == "workflow":
            continue
        version = flag or ctx.stated_version or agreed
        if version is None:
            raise UsageError(
                f"error: {ctx.file}: cannot tell which Airflow version this {ctx.kind} is for; "
                "pass --airflow-version (e.g. 3.3)"
            )
        try:
            line = line_of(version)
        except UnknownVersion as exc:
            raise UsageError(f"error: {ctx.file}: {exc}") from None
        if line not in catalogs:
            catalogs[line] = load(line)
        ctx.catalog = catalogs[line]
        ctx.version = version
        if ctx.kind == "airflow.cfg":
            ctx.options = inputs.cfg_options(ctx)
        elif ctx.kind == "helm-values":
            ctx.options = inputs.helm_options(ctx)
        elif ctx.kind == "compose":
            ctx.options = inputs.compose_options(ctx)
        ctx.executors = inputs.file_executors(ctx)


# ------------------------------------------------------------------------------------------------------ specs


def _specs(source: inputs.Source, env: str | None) -> tuple[list[SpecContext], list[Diagnostic]]:
    from airspec.resolve import resolve
    from airspec.validate import validate

    loaded = source.loaded
    assert loaded is not None
    data = loaded.data
    envs: list[str | None] = [env]
    if env is None and isinstance(data, dict) and isinstance(data.get("environments"), dict):
        envs += sorted(data["environments"])
    contexts: list[SpecContext] = []
    invalid: list[Diagnostic] = []
    base: set[tuple[Span, str]] = set()
    for name in envs:
        try:
            resolved = resolve(validate(loaded, name), spec_file=source.path)
        except SpecInvalid as exc:
            for d in exc.diagnostics:
                if name is None:
                    base.add((d.span, d.message))
                elif (d.span, d.message) in base:
                    continue
                suffix = f" (environment {name})" if name is not None and env is None else ""
                invalid.append(Diagnostic(d.span, "error", d.message + suffix, META_RULE))
            continue
        options = [
            Opt(
                o.section,
                o.name,
                o.value,
                resolved.source.key(o.origin),
                resolved.source.value(o.origin),
                _path(o.origin),
            )
            for o in resolved.options
        ]
        contexts.append(SpecContext(resolved, source.text, name, options))
    return contexts, invalid


def _path(path: tuple[str | int, ...]) -> str:
    from airspec.source import format_path

    return format_path(path)


def _spec_findings(rule: Rule, specs: list[SpecContext]) -> list[Diagnostic]:
    """A finding of an environment that the base spec does not have says which environment."""
    assert rule.spec is not None
    out: list[Diagnostic] = []
    base: dict[str, set[tuple[Span, str]]] = {}
    for ctx in specs:
        hits = list(rule.spec(ctx))
        if ctx.env is None:
            base[ctx.file] = {(h.span, h.message) for h in hits}
        for hit in hits:
            message = hit.message
            if ctx.env is not None and ctx.file in base:
                if (hit.span, hit.message) in base.get(ctx.file, set()):
                    continue
                message += f" (environment {ctx.env})"
            out.append(Diagnostic(hit.span, hit.severity or rule.severity, message, rule.id))
    return out
