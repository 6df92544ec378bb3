"""Settle a draft against what compile writes, and validate it: an invalid spec never leaves the importer.

- an imported `config:` option that compile writes anyway with the same value is dropped (reported);
- one that compile writes from other keys with another value needs a person;
- a modelled key that compile would not write for this spec (celery keys without Celery) goes to `config:`;
- a key validation refuses is removed and listed for a person, with the refusal.
"""

from __future__ import annotations

from typing import Any

from airspec.errors import SpecInvalid
from airspec.importer.check import written
from airspec.importer.draft import CONFIG, DROPPED, MODELLED, PERSON, Draft
from airspec.importer.options import same
from airspec.lint.model import Opt
from airspec.loader import Loaded
from airspec.source import Path, SourceMap, Span

_NAME = "imported.yaml"


def settled(draft: Draft, configured: list[Opt]) -> Any:
    """The draft, settled, as it resolves; `configured` are the options `route` put into `config:`."""
    config: dict[str, dict[str, Any]] = draft.get(("config",)) or {}
    draft.drop(("config",))
    writes = written(valid(draft))
    for dotted, opt in list(draft.opts.items()):
        done = writes.get((opt.section, opt.name))
        if done is not None and opt.value is not None and not same(done, opt.value):
            # compile would write another value than the file's: never a silent change
            draft.drop(tuple(dotted.split(".")))
            draft.rows = [r for r in draft.rows if not (r.at == opt.key and r.key == dotted)]
            draft.person(
                opt.key, opt.label, f"compile would write another value for it from {dotted}; set it by hand"
            )
            continue
        if done is not None or opt.value is None:
            continue
        draft.drop(tuple(dotted.split(".")))
        config.setdefault(opt.section, {})[opt.name] = opt.value
        draft.rows = [
            r._replace(
                went=CONFIG,
                key=f"config.{opt.section}.{opt.name}",
                why="compile writes it only with other settings",
            )
            if r.at == opt.key and r.key == dotted
            else r
            for r in draft.rows
        ]
        configured.append(opt)
    kept: dict[str, dict[str, Any]] = {}
    for opt in configured:
        value = config.get(opt.section, {}).get(opt.name)
        if value is None:
            continue
        done = writes.get((opt.section, opt.name))
        if done is None:
            kept.setdefault(opt.section, {})[opt.name] = value
            continue
        index = next(i for i, r in enumerate(draft.rows) if r.at == opt.key and r.went == CONFIG)
        if same(done, str(value)):
            draft.rows[index] = draft.rows[index]._replace(
                went=DROPPED, key="", why="compile writes the same value"
            )
        else:
            draft.rows.pop(index)
            draft.person(
                opt.key, opt.label, f"compile writes [{opt.section}] {opt.name} itself from other spec keys"
            )
    if kept:
        draft.put(("config",), kept)
    return _derived(draft, valid(draft))


# Keys compile derives from others (the release from the name, the StatsD host from the release and namespace):
# an imported value equal to the derived one is left to compile, so that renaming the deployment keeps them right.
DERIVED = (("metrics", "statsd", "host"), ("kubernetes_executor", "namespace"), ("kubernetes", "release"))


def _derived(draft: Draft, resolved: Any) -> Any:
    """Drop the derived keys when compile writes the same options without them; otherwise keep them all. Returns
    the draft as it resolves then."""
    kept = {path: draft.get(path) for path in DERIVED if draft.get(path) is not None}
    if not kept:
        return resolved
    for path in kept:
        draft.drop(path)
    try:
        without = valid(draft, quiet=True)
        same_output = _places(without) == _places(resolved)
    except SpecInvalid:
        same_output = False
    if not same_output:
        for path, value in kept.items():
            draft.put(path, value)
        return resolved
    dropped = {".".join(path) for path in kept}
    draft.rows = [
        r._replace(went=DROPPED, key="", why=f"equal to what compile derives for {r.key}")
        if r.key in dropped
        else r
        for r in draft.rows
    ]
    return without


def _places(resolved: Any) -> dict[tuple[str, str], str]:
    from airspec.options import modelled

    return {(o.section, o.name): o.value for o in modelled(resolved.spec, resolved.catalog)}


def valid(draft: Draft, quiet: bool = False) -> Any:
    """The draft validated and resolved, after removing (and listing for a person) every key validation refuses.
    Each refusal names a spec key the import wrote; one it cannot tie to a key is a bug in the importer. (Validated
    as data, each key at a line of its own: the YAML text is written and read back once, at the end.)"""
    from airspec.resolve import resolve
    from airspec.validate import validate

    for _ in range(100):
        loaded = as_loaded(draft.data)
        try:
            return resolve(validate(loaded), spec_file=_NAME)
        except SpecInvalid as exc:
            if quiet:
                raise
            at_line = {span.line: path for path, span in loaded.source.keys.items()}
            for diag in exc.diagnostics:
                path = at_line.get(diag.span.line)
                if not path or (
                    len(path) < 2
                    and path[0] in ("name", "airflow", "executor", "targets", "database", "secrets")
                ):
                    raise AssertionError(
                        f"the imported spec does not validate: {diag.message}"[:300]
                    ) from None
                _refused(draft, tuple(str(p) for p in path), diag.message)
    raise AssertionError("the imported spec does not validate")


def final(draft: Draft) -> tuple[Any, str]:
    """The spec text, validated as it is written (the YAML read back), and what it resolves to. A refusal there
    (which the passthroughs' own checks keep out) is settled as `valid` settles one, and the text written again."""
    from airspec.importer.emit import spec_text
    from airspec.pipeline import from_text

    for _ in range(2):
        text = spec_text(draft)
        try:
            return from_text(text, _NAME), text
        except SpecInvalid:
            valid(draft)
    raise AssertionError("the imported spec does not validate as written")


def as_loaded(data: Any) -> Loaded:
    """Spec data as the loader would give it, every key and value at a line of its own."""
    keys: dict[Path, Span] = {}
    values: dict[Path, Span] = {}
    stack: list[tuple[Path, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if path:
            keys[path] = values[path] = Span(_NAME, len(keys) + 1, 1)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(node))))
    return Loaded(data, SourceMap(_NAME, keys, values), "", {})


def _refused(draft: Draft, path: tuple[str, ...], message: str) -> None:
    dotted = ".".join(path)
    why = f"the spec refused it: {message}"[:200]
    for i, row in enumerate(draft.rows):
        if row.key and (
            row.key == dotted or dotted.startswith(row.key + ".") or row.key.startswith(dotted + ".")
        ):
            draft.rows[i] = row._replace(went=PERSON, key="", why=why)
            draft.todos.append(f"{row.at.file}:{row.at.line}: {row.setting}: {why}")
    draft.drop(path)


def unset_defaults(
    draft: Draft, resolved: Any, set_by_files: set[str], chart_config: dict[str, Any] | None
) -> bool:
    """A modelled option that no file sets runs at its default (the chart's `config:` default in a Helm
    deployment, else Airflow's): where compile would write another value from the spec's own default (StatsD on,
    examples off), the spec key is set to that default, and reported. Returns whether the draft changed."""
    from airspec.importer.options import SPEC_KEYS, effective_default, is_default
    from airspec.options import place

    changed = False
    first = draft.rows[0].at.file if draft.rows else _NAME
    off: set[str] = set()
    for setting, (path, convert) in SPEC_KEYS.items():
        where = place(resolved.catalog, setting)
        written = resolved.option(*where) if where is not None else None
        if where is None or written is None or setting in set_by_files or draft.get(path) is not None:
            continue
        if _GATED.get(setting) in off:
            continue  # written only while the option that turns it on is on
        default, whose = effective_default(resolved.catalog, *where, chart_config)
        if default is None or "{" in default or is_default(default, written):
            continue
        try:
            value = convert(default.replace("%%", "%"))
        except ValueError:
            continue
        draft.put(path, value)
        draft.row(
            Span(first, 1, 1),
            f"[{where[0]}] {where[1]}",
            MODELLED,
            ".".join(path),
            f"not in the files: {whose}",
        )
        changed = True
        if value is False:
            off.add(setting)
    return changed


# Settings compile writes only while another one is on.
_GATED = {"statsd_host": "statsd_on", "statsd_port": "statsd_on", "statsd_prefix": "statsd_on"}
