"""`airspec compile`: specs -> jobs (each spec's artifacts, in memory, and the folder they belong in), then either
written (write.write_trees) or compared with what OUT holds (`--check`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from airspec import pipeline
from airspec.artifacts import Artifact, build
from airspec.errors import Diagnostic, InputError, SpecInvalid, UsageError
from airspec.resolve import Resolved


class Job(NamedTuple):
    """One spec compiled in memory, and the folder its artifacts belong in."""

    spec: str
    out: str
    resolved: Resolved
    artifacts: list[Artifact]


def plan(specs: Sequence[str], out: str, env: str | None, only: frozenset[str] | None) -> list[Job]:
    """Load, validate, resolve and render every spec before anything is written. One spec compiles into OUT;
    several compile into OUT/<spec name>. Every invalid spec's problems are reported together."""
    several = len(specs) > 1
    compiled: list[tuple[str, Resolved]] = []
    problems: list[Diagnostic] = []
    for spec in specs:
        try:
            # Artifacts name their spec relative to the folder they land in: the spec's name is only known after
            # loading, so several specs are labelled from OUT/<any name>, which is the same depth.
            compiled.append((spec, pipeline.resolved(spec, env, f"{out}/_" if several else out)))
        except SpecInvalid as exc:
            problems += exc.diagnostics
    if problems:
        raise SpecInvalid(problems)
    if not several:
        spec, resolved = compiled[0]
        return [Job(spec, out, resolved, build(resolved, only))]
    owners: dict[str, str] = {}
    for spec, resolved in compiled:
        name = resolved.spec.name
        if name in owners:
            raise UsageError(f"{owners[name]} and {spec} are both named {name!r}; OUT/{name} would hold both")
        owners[name] = spec
    return [Job(spec, f"{out}/{r.spec.name}", r, build(r, only)) for spec, r in compiled]


def stale(out: str, artifacts: list[Artifact]) -> list[str]:
    """Artifacts whose file under OUT is missing or differs, as 'missing PATH' / 'stale PATH'."""
    problems = []
    for a in artifacts:
        target = Path(out) / a.path
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            problems.append(f"missing {a.path}")
            continue
        except OSError as exc:
            raise InputError(f"cannot read {target}: {exc.strerror or exc}") from None
        if current != a.text.encode("utf-8"):
            problems.append(f"stale {a.path}")
    return problems
