"""What compile writes for the imported spec that a file does not have, or has with another value, where no row
of the report says why already: one row each ("written by compile"), so that the report names every difference
between the files imported and what compile makes of the spec (what `airspec diff` against those files shows).

Compared as `airspec diff` compares: airflow.cfg by option, at the place the target version reads it, an option
absent from the file being Airflow's default; Helm values and compose files by key (numbers by value, Helm
`config:` and compose variables as Airflow reads option text, lists that are sets by nature as sets); a `.env` by the
variables the compiled compose file reads from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from airspec.envopt import compose_environment, env_option
from airspec.importer import tree
from airspec.importer.draft import CARRIED, COMPILED, Draft, Row
from airspec.importer.options import is_default as options_default
from airspec.importer.options import same
from airspec.lint.model import FileContext
from airspec.resolve import Resolved
from airspec.source import Span

_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_OPTION_NAME = re.compile(r"[a-z0-9_]{1,128}")
_WHY = {
    "written": "compile writes it; the file does not set it",
    "absent": "compile does not write it",
    "changed": "compile writes another value",
}


def rows(files: list[FileContext], dotenvs: list[str], draft: Draft, resolved: Resolved) -> None:
    """Add a row for each difference no row explains, per file of a kind compile writes for the spec."""
    targets = set(resolved.spec.targets)
    for ctx in files:
        if ctx.kind == "airflow.cfg":
            _cfg(ctx, draft, resolved)
        elif ctx.kind == "helm-values" and "helm" in targets:
            from airspec.catalog import charts
            from airspec.render import helm_values

            defaults = charts.defaults(resolved.chart_version)
            _tree(ctx, draft, helm_values.document(resolved).data, resolved, defaults)
        elif ctx.kind == "compose" and "compose" in targets:
            from airspec.render import compose

            _tree(ctx, draft, compose.document(resolved).data, resolved)
    if "compose" in targets and dotenvs:
        _dotenv(dotenvs, draft, resolved)


class _Explained:
    """The rows of one file that say why compile's output differs from it (all but those that carry a setting)."""

    def __init__(self, draft: Draft, file: str) -> None:
        mine = [r for r in draft.rows if r.at.file == file and r.env == draft.env and r.went not in CARRIED]
        self.paths = {path_of(r.setting) for r in mine}
        self.labels = {r.setting for r in mine}
        # an Airflow option variable, as the report names it: in every compose service, and in Helm's env list
        self.variables = {r.setting for r in mine if _ENV_NAME.fullmatch(r.setting)}
        self.paths |= {("env", name) for name in self.variables}

    def covers(self, path: tree.Path, whole: bool, below: Any = tree.MISSING) -> bool:
        """Whether a row is at `path` or above it (or anywhere below it, for a value compared `whole`: a list);
        for a mapping of the file that compile does not write (`below`), whether rows cover each of its leaves."""
        steps = tuple(str(p) for p in path)
        if any(tree.covers(p, steps) or (whole and tree.covers(steps, p)) for p in self.paths):
            return True
        if isinstance(below, dict) and below:
            return all(self.covers((*path, *leaf), isinstance(v, list)) for leaf, v in tree.leaves(below))
        return (
            len(steps) == 4
            and steps[0] == "services"
            and steps[2] == "environment"
            and steps[3] in self.variables
        )


# Helm lists compared item by item, each by the field that names it (as `airspec diff` keys them: `env[TZ]`).
KEYED = {"env": "name", "secret": "envName"}


def keyed(values: Any) -> Any:
    """Helm values with the KEYED lists as mappings by name (when every item has a distinct name)."""
    if not isinstance(values, dict):
        return values
    out = dict(values)
    for key, field in KEYED.items():
        items = values.get(key)
        if isinstance(items, list) and items:
            names = [item.get(field) if isinstance(item, dict) else None for item in items]
            if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
                out[key] = dict(zip(names, items, strict=True))
    return out


def setting_of(path: tree.Path) -> str:
    """A path as the report names it: `env[TZ].value`, `scheduler.replicas`."""
    if len(path) > 1 and path[0] in KEYED:
        rest = tree.dotted(path[2:])
        return f"{path[0]}[{path[1]}]" + (f".{rest}" if rest else "")
    return tree.dotted(path)


def path_of(setting: str) -> tree.Path:
    """The inverse of setting_of."""
    named = re.fullmatch(r"([A-Za-z]+)\[([^\]]+)\](?:\.(.*))?", setting)
    if named:
        return (named.group(1), named.group(2), *(named.group(3).split(".") if named.group(3) else ()))
    return tuple(setting.split("."))


def _tree(ctx: FileContext, draft: Draft, compiled: Any, resolved: Resolved, defaults: Any = None) -> None:
    """`defaults`: the chart's values.yaml, to say where compile writes what the chart would fill in anyway."""
    explained = _Explained(draft, ctx.file)
    variables: dict[tuple[str, str], list[tree.Path]] = {}
    helm = ctx.kind == "helm-values"
    ours, theirs = (keyed(compiled), keyed(ctx.data)) if helm else (compiled, ctx.data)
    for path, kind in _walk(ours, theirs, (), ctx.kind):
        value = tree.at(theirs, path) if kind != "written" else tree.at(ours, path)
        if explained.covers(path, isinstance(value, list), value if kind == "absent" else tree.MISSING):
            continue
        if ctx.kind == "compose" and len(path) == 4 and path[2] == "environment" and env_option(str(path[3])):
            variables.setdefault((str(path[3]), kind), []).append(path)  # one row per Airflow option
            continue
        why = _WHY[kind]
        default = tree.at(keyed(defaults), path) if defaults is not None else tree.MISSING
        if (
            kind == "written"
            and default is not tree.MISSING
            and tree.equal(default, value, path, path[0] == "config")
        ):
            why += f"; the chart's default is the same ({resolved.chart_version})"
        span = _span(ctx, path if not (helm and path[0] in KEYED) else path[:1])
        draft.rows.append(
            Row(span, setting_of(path) if helm else tree.dotted(path), COMPILED, "", why, draft.env)
        )
    for (name, kind), paths in variables.items():
        services = ", ".join(str(p[1]) for p in paths)
        why = f"{_WHY[kind]} (services {services})"
        place = env_option(name)
        option = resolved.catalog.option(*place) if place is not None else None
        value = tree.at(compiled, paths[0])
        if (
            kind == "written"
            and option is not None
            and not option.sensitive
            and isinstance(value, str)
            and is_default(option.default, value)
        ):
            why += "; the same as Airflow's default"
        draft.rows.append(Row(_span(ctx, paths[0]), name, COMPILED, "", why, draft.env))


def _walk(ours: Any, theirs: Any, path: tree.Path, kind: str) -> Iterator[tuple[tree.Path, str]]:
    if kind == "compose" and len(path) == 3 and path[0] == "services" and path[2] == "environment":
        theirs = compose_environment(theirs)
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in ours:
            if key not in theirs:  # each leaf compile writes there
                yield from (
                    ((*path, key, *leaf), "written")
                    for leaf, _ in list(tree.leaves(ours[key])) or [((), None)]
                )
            else:
                yield from _walk(ours[key], theirs[key], (*path, key), kind)
        for key in theirs:
            if key not in ours:
                yield (*path, key), "absent"
        return
    options = (kind == "helm-values" and len(path) == 3 and path[0] == "config") or (
        kind == "compose" and len(path) == 4 and path[2] == "environment"
    )
    if options and isinstance(ours, str):
        ours = ours.replace('{{ "{{" }}', "{{").replace("%%", "%") if kind == "helm-values" else ours
    if options and isinstance(theirs, str) and kind == "helm-values":
        theirs = theirs.replace("%%", "%")
    if not tree.equal(ours, theirs, path, options):
        yield path, "changed"


def _cfg(ctx: FileContext, draft: Draft, resolved: Resolved) -> None:
    catalog = resolved.catalog
    explained = _Explained(draft, ctx.file)
    theirs: dict[tuple[str, str], tuple[str, str | None, Span]] = {}
    for opt in ctx.options:
        if not (_OPTION_NAME.fullmatch(opt.section) and _OPTION_NAME.fullmatch(opt.name)):
            continue  # a malformed line (listed for a person without its text: it may hold a secret)
        place = (opt.section, opt.name)
        change = catalog.change(*place) if catalog.option(*place) is None else None
        if change is not None and change.target is not None:
            place = (change.new_section or opt.section, change.new_option or opt.name)
        theirs[place] = (opt.label, opt.value, opt.key)
    ours = {(s, n): v for s, options in resolved.sections().items() for n, v in options.items()}
    secrets = {(s.section, s.name) for s in resolved.secrets}
    for place, value in ours.items():
        label = f"[{place[0]}] {place[1]}"
        found = theirs.get(place)
        if found is None:
            option = catalog.option(*place)
            if (
                not (option is not None and is_default(option.default, value))
                and label not in explained.labels
            ):
                draft.rows.append(Row(Span(ctx.file, 1, 1), label, COMPILED, "", _WHY["written"], draft.env))
        elif found[1] is not None and not same(value, found[1]) and found[0] not in explained.labels:
            draft.rows.append(Row(found[2], found[0], COMPILED, "", _WHY["changed"], draft.env))
    for place, (label, deployed, key) in theirs.items():
        option = catalog.option(*place)
        quiet = option is not None and deployed is not None and is_default(option.default, deployed)
        if place not in ours and place not in secrets and not quiet and label not in explained.labels:
            draft.rows.append(Row(key, label, COMPILED, "", _WHY["absent"], draft.env))


def is_default(default: str | None, value: str) -> bool:
    """Whether `value` is Airflow's default as the catalog records it (None: no default, so empty)."""
    return value.strip() == "" if default is None else options_default(default, value)


def _dotenv(paths: list[str], draft: Draft, resolved: Resolved) -> None:
    """The variables the compiled compose file reads from .env (its .env.example) that no .env imported sets."""
    from airspec.render import compose

    needed = [
        line.split("=", 1)[0].strip()
        for line in compose.render_env_example(resolved).splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    ]
    for path in paths:
        have = {r.setting for r in draft.rows if r.at.file == path}
        for name in needed:
            if name not in have:
                why = "the compiled compose file reads it from .env; this file does not set it"
                draft.rows.append(Row(Span(path, 1, 1), name, COMPILED, "", why, draft.env))


def _span(ctx: FileContext, path: tree.Path) -> Span:
    assert ctx.source is not None
    for end in range(len(path), 0, -1):
        found = ctx.source.keys.get(path[:end]) or ctx.source.values.get(path[:end])
        if found is not None:
            return found
    return Span(ctx.file, 1, 1)
