"""Run the rules: read every input, give each the Airflow version it targets, call each selected rule's check for
that kind of input, then apply severities, inline suppressions and de-duplication.

Specs are validated and resolved first (once per environment, or only --env's); a spec that does not validate
yields its validation errors as AS000 findings. pydantic is imported only when a spec is among the inputs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from airspec.catalog import load_line
from airspec.cfgfile import lines, read
from airspec.errors import ContentError, Diagnostic, InputError, SpecInvalid, UsageError
from airspec.lint import KINDS, inputs, versions
from airspec.lint.model import SEVERITIES, FileContext, Hit, Opt, Project, Rule, SpecContext
from airspec.lint.rules import rules
from airspec.lint.suppress import suppressed
from airspec.lint.versions import Target
from airspec.loader import load_text, read_text
from airspec.mask import Masker, option_sensitive, scrub, tree_secrets, url_secrets
from airspec.source import SourceMap, Span, format_path

META_RULE = "AS000"


class Request(NamedTuple):
    paths: tuple[str, ...]
    airflow_version: str | None = None
    env: str | None = None
    kind: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = MappingProxyType({})
    project: bool = False  # every input is one deployment (default: each folder is one)


class Outcome(NamedTuple):
    findings: list[Diagnostic]
    files: list[str]
    errors: list[str]  # inputs that could not be read: one line each
    suppressed: int = 0
    targets: tuple[Target, ...] = ()  # the Airflow version each raw file was linted for, and why
    notices: tuple[str, ...] = ()  # what a folder argument skipped, and why


def all_rules() -> tuple[Rule, ...]:
    return rules()


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
            raise UsageError(f"no rule matches {t!r} (see `airspec rules`)")
        return found

    chosen = set().union(*(match(t) for t in select)) if select else {r.id for r in rules}
    for token in ignore:
        chosen -= match(token)
    return chosen | {META_RULE}


def run(request: Request) -> Outcome:
    if request.kind is not None and request.kind not in KINDS:
        raise UsageError(f"--kind: unknown kind {request.kind!r} (kinds: {', '.join(KINDS)})")
    for rule_id, level in request.severity.items():
        if level not in SEVERITIES:
            raise UsageError(f"severity of {rule_id}: {level!r} is not one of {', '.join(SEVERITIES)}")
    rules = all_rules()
    active = selected(rules, request.select, request.ignore)
    sources, errors, findings, notices = _read_all(request)
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
        except ContentError as exc:
            findings.append(_unusable(source.path, exc))
            sources.remove(source)
        except InputError as exc:
            errors.append(str(exc))
            sources.remove(source)
    targets = _give_versions(files, request.airflow_version)
    groups = _groups(specs, files, request.project)
    for rule in rules:
        if rule.id in active:
            findings.extend(_check(rule, specs, files, groups))
    kept, hidden = _finish(findings, sources, request.severity, {r.id for r in rules})
    return Outcome(
        _without_secrets(kept, sources, files),
        [s.path for s in sources],
        errors,
        hidden,
        tuple(targets),
        tuple(notices),
    )


def _without_secrets(
    findings: list[Diagnostic], sources: list[inputs.Source], files: list[FileContext]
) -> list[Diagnostic]:
    """The last line of defence: no message names a secret value any input holds (rules name the field; this
    catches a rule that quotes a value it did not know was secret). Reading the inputs' secrets costs a walk of
    each, so only a run with findings pays it."""
    if not findings:
        return findings
    secrets = set(_input_secrets(sources, files))
    return [Diagnostic(d.span, d.severity, scrub(d.message, secrets), d.code) for d in findings]


def _input_secrets(sources: list[inputs.Source], files: list[FileContext]) -> Iterable[str]:
    for ctx in files:
        for opt in ctx.options:
            if opt.value and option_sensitive(opt.section, opt.name, ctx.catalog):
                yield opt.value
                yield opt.raw
        if ctx.ini is not None:
            for entry in ctx.ini.entries:
                if option_sensitive(entry.section, entry.name, ctx.catalog):
                    yield entry.value
                yield from url_secrets(entry.value)
    for source in sources:
        if source.loaded is None:
            continue
        if source.kind == "spec":
            from airspec.validate import secret_path  # pydantic: only when a spec is among the inputs

            yield from tree_secrets(source.loaded.data, secret_path)
        else:
            yield from tree_secrets(source.loaded.data, Masker(False).path_sensitive)


def _groups(specs: list[SpecContext], files: list[FileContext], one: bool) -> list[Project]:
    """Deployments: the inputs of one folder (or, with `project`, all inputs) are compared with each other."""
    if one:
        return [Project(specs, files)]
    folders: dict[str, Project] = {}
    for spec in specs:
        folders.setdefault(os.path.dirname(os.path.abspath(spec.file)), Project([], [])).specs.append(spec)
    for ctx in files:
        folders.setdefault(os.path.dirname(os.path.abspath(ctx.file)), Project([], [])).files.append(ctx)
    return list(folders.values())


def _check(
    rule: Rule, specs: list[SpecContext], files: list[FileContext], groups: list[Project]
) -> Iterable[Diagnostic]:
    if rule.spec is not None:
        yield from _spec_findings(rule, specs)
    for ctx in files:
        check = rule.files.get(ctx.kind)
        if check is not None and (ctx.catalog is not None or ctx.kind == "workflow"):
            yield from (_diag(rule, hit) for hit in check(ctx))
    if rule.project is not None:
        for group in groups:
            yield from (_diag(rule, hit) for hit in rule.project(group))


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
    return _once_per_file(kept), hidden


def _once_per_file(findings: list[Diagnostic]) -> list[Diagnostic]:
    """One fact about one file is one finding: the same rule saying the same thing at several places of a file
    (the executor every compose service sets) is reported at the first, with the others listed."""
    places: dict[tuple[str, str, str, str], list[Span]] = {}
    for d in findings:
        places.setdefault((d.span.file, d.code, d.severity, d.message), []).append(d.span)
    out = []
    for (_, code, severity, message), spans in places.items():
        if len(spans) > 1 and code != META_RULE:
            lines = ", ".join(str(s.line) for s in spans[1:])
            message += f"{ALSO_AT}{'s' if len(spans) > 2 else ''} {lines})"
        out.append(Diagnostic(spans[0], severity, message, code))
    return sorted(out, key=_order)


# How a finding lists the other places it stands for; a baseline matches findings without it.
ALSO_AT = " (also at line"


def _lines(source: inputs.Source) -> list[str]:
    """Lines as the file's positions count them: an airflow.cfg's as Airflow splits it (cfgfile.lines)."""
    if source.kind == "airflow.cfg":
        return lines(source.text)
    return source.text.splitlines()


def _order(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.span.file, d.span.line, d.span.col, d.code, d.message)


def _diag(rule: Rule, hit: Hit) -> Diagnostic:
    return Diagnostic(hit.span, hit.severity or rule.severity, hit.message, rule.id)


# --------------------------------------------------------------------------------------------------- reading


def _read_all(request: Request) -> tuple[list[inputs.Source], list[str], list[Diagnostic], list[str]]:
    """The inputs that could be read; the paths that could not, or whose kind is unknown (exit 2, the others are
    still linted); as AS000 findings, files whose content is unusable (malformed YAML, not UTF-8: a problem in
    the file, exit 1); and what folder arguments skipped."""
    expanded = inputs.expand(list(request.paths))
    sources: list[inputs.Source] = []
    errors: list[str] = list(expanded.errors)
    broken: list[Diagnostic] = []
    notices = list(expanded.skipped)
    for path, sniffed in expanded.paths:
        try:
            sources.append(_read(path, request.kind))
        except InputError as exc:
            if sniffed:
                notices.append(f"{path}: skipped: {exc.bare.removeprefix(path + ': ')}")
            else:
                errors.append(str(exc))
        except ContentError as exc:
            if sniffed:
                notices.append(f"{path}: skipped: {exc.bare}")
            else:
                broken.append(_unusable(path, exc))
    return sources, errors, broken, notices


def _unusable(path: str, exc: ContentError) -> Diagnostic:
    return Diagnostic(exc.span or Span(path, 1, 1), "error", exc.bare, META_RULE)


def _read(path: str, forced: str | None) -> inputs.Source:
    text = read_text(path)
    kind = forced or inputs.kind_by_name(path)
    structured = path.lower().endswith((*inputs.YAML_SUFFIXES, inputs.JSON_SUFFIX))
    if kind == "airflow.cfg" or (kind is None and not structured and inputs.looks_like_ini(text)):
        return inputs.Source(path, "airflow.cfg", text)
    loaded = load_text(text, path)
    return inputs.Source(path, forced or inputs.kind_of_yaml(path, loaded.data), text, loaded)


def _file(source: inputs.Source) -> FileContext:
    if source.kind == "airflow.cfg":
        ctx = FileContext("airflow.cfg", source.path, source.text, ini=read(source.text, source.path))
        ctx.options = inputs.cfg_options(ctx)  # read again once the version is known ([DEFAULT] options)
        return ctx
    loaded = source.loaded
    assert loaded is not None
    ctx = FileContext(source.kind, source.path, source.text, data=loaded.data, source=loaded.source)
    if source.kind == "helm-values":
        root = inputs.wrapped_root(loaded.data)
        if root is not None:  # a wrapper chart: lint the official chart's part, at its own positions
            ctx.data = loaded.data[root]
            ctx.source = _rooted(loaded.source, root)
            ctx.root = (root,)
        ctx.stated_version = inputs.helm_version(ctx.data)[0]
        ctx.options = inputs.helm_options(ctx)
    elif source.kind == "compose":
        ctx.stated_version = inputs.compose_version(loaded.data)[0]
        ctx.options = inputs.compose_options(ctx)
    return ctx


def read_files(paths: Sequence[str], kind: str | None, version: str | None) -> list[FileContext]:
    """Raw inputs (not specs) read the way lint reads them, each with its version, catalog, options and executors:
    for other commands (`import`) that start from the files a team already has. Content that cannot be read
    (malformed YAML, not UTF-8) raises ContentError with its position."""
    expanded = inputs.expand(list(paths))
    if expanded.errors:
        raise InputError(expanded.errors[0].removeprefix("error: "))
    files = [_file(_read(path, kind)) for path, _ in expanded.paths]
    _give_versions(files, version)
    return files


def _rooted(source: SourceMap, root: str) -> SourceMap:
    rebased = source.rebased((root,), ())
    keys = rebased["keys"]
    keys[()] = source.key((root,))
    return SourceMap(source.file, keys, rebased["values"])


def _give_versions(files: list[FileContext], flag: str | None) -> list[Target]:
    """Each raw file its own version (airspec/lint/versions.py), the catalog that stands in for it, and its
    executors."""
    versions.neighbours.cache_clear()  # files may change between runs of one process
    targets: list[Target] = []
    for ctx in files:
        if ctx.kind == "workflow":
            continue
        chosen = versions.target(ctx, flag)
        targets.append(chosen)
        ctx.catalog = load_line(chosen.line)
        ctx.version = chosen.version
        if ctx.kind == "airflow.cfg":
            ctx.options = inputs.cfg_options(
                ctx
            )  # with the catalog: the [DEFAULT] options each section reads
        ctx.executors = inputs.file_executors(ctx)
    return targets


# ------------------------------------------------------------------------------------------------------ specs


def _specs(source: inputs.Source, env: str | None) -> tuple[list[SpecContext], list[Diagnostic]]:
    from airspec.pipeline import resolved_from  # pydantic and the models: only specs need them

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
            resolved = resolved_from(loaded, name)
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
