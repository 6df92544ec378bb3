"""An executor, auth manager or auth backend that the target Airflow version does not have.

Catches: in `[core] executor`, a short name that is not one of the version's executors (`SequentialExecutor` or
`CeleryKubernetesExecutor` on Airflow 3; on Airflow 2, which also looks for a plugin executor by that name, a
misspelling of one; the old default `SequentialExecutor`, which Airflow 3 rewrites to `LocalExecutor` as it loads,
is AS403's); in any option, an import path under Airflow's or a bundled provider's executor, auth manager
or auth backend packages that is not in that version (`airflow.executors.celery_executor.CeleryExecutor` or
`airflow.api.auth.backend.basic_auth` on Airflow 3), with the path that has the same name now. A path Airflow 2
still reaches through a deprecated redirect is a warning. In airflow.cfg, Helm `config:` and AIRFLOW__ variables.
Paths of other packages (plugins, your own code, providers whose facts airspec does not read) are not judged.

Why: Airflow imports these when a component starts, and stops ("The module/attribute could not be loaded") when
the path is gone; provider code moved out of `airflow.executors` and `airflow.api.auth` between versions, so a
configuration carried over keeps a path that no longer exists.

Bad:

    [core]
    executor = airflow.executors.celery_executor.CeleryExecutor

Good:

    [core]
    executor = CeleryExecutor
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airspec.lint.model import FileContext, Hit, Opt, Rule
from airspec.lint.rules.as213_quoted_value import quoted

if TYPE_CHECKING:
    from airspec.catalog.names import Imports


def _read(ctx: FileContext, opt: Opt) -> bool:
    """The target version reads the option (defines it, or still reads it under this old name)."""
    assert ctx.catalog is not None
    change = ctx.catalog.change(opt.section, opt.name)
    return ctx.catalog.reads(opt.section, opt.name) or (change is not None and change.still_read)


def _entries(value: str) -> list[str]:
    """`[core] executor`: `team=A,B;C` (3.x teams), each entry `alias:path` or a name or a path."""
    out = []
    for team in value.split(";"):
        for entry in team.rpartition("=")[2].split(","):
            if entry.strip():
                out.append(entry.strip().rpartition(":")[2].strip())
    return out


def _paths(ctx: FileContext, opt: Opt) -> list[str]:
    assert opt.value is not None
    if (opt.section, opt.name) == ("core", "executor"):
        return _entries(opt.value)
    return [p.strip() for p in opt.value.split(",") if p.strip().startswith("airflow.")]


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    facts: Imports | None = None
    for opt in ctx.options:
        if not opt.value or ("airflow." not in opt.value and (opt.section, opt.name) != ("core", "executor")):
            continue  # cheap: most options name no path, and only these need the facts file read
        if quoted(opt.value) or not _read(ctx, opt):
            continue  # AS213's; or an option this version ignores (AS401/AS402 say so)
        if facts is None:
            from airspec.catalog.names import imports

            facts = imports(ctx.catalog.line)
        for path in _paths(ctx, opt):
            hit = _judge(ctx, facts, opt, path)
            if hit is not None:
                yield hit


def _judge(ctx: FileContext, facts: Imports, opt: Opt, path: str) -> Hit | None:
    line = f"Airflow {ctx.catalog.line if ctx.catalog else ''}"
    if "." not in path:
        return _executor_name(ctx, facts, opt, path, line)
    verdict = facts.judge(path)
    if verdict.kind == "deprecated":
        return Hit(
            opt.at,
            f"{opt.label} names {path}, which {line} only redirects (deprecated; Airflow 3 removed it); "
            f"use {verdict.other}",
            "warning",
        )
    if verdict.kind != "missing":
        return None
    package = facts.package(path) or "airflow"
    release = facts.packages.get(package, "")
    where = line if package == "airflow" else f"{package} {release} (the release airspec reads with {line})"
    instead = f"; {verdict.other} has that name" if verdict.other else ""
    return Hit(opt.at, f"{opt.label} names {path}, which is not in {where}{instead}")


def _executor_name(ctx: FileContext, facts: Imports, opt: Opt, name: str, line: str) -> Hit | None:
    if facts.executors is None or name in facts.executors:
        return None
    assert ctx.catalog is not None
    old = ctx.catalog.change("core", "executor")
    if old is not None and old.kind == "default_change" and name == old.old_value:
        return None  # the old default: Airflow 3 rewrites it to the new one as it loads (AS403 says so)
    import difflib

    close = difflib.get_close_matches(name, list(facts.executors), n=1, cutoff=0.8)
    if facts.executor_plugins and not close:
        return None  # perhaps a plugin's executor: Airflow 2 looks it up by this name
    known = ", ".join(sorted(facts.executors))
    advice = f"did you mean {close[0]}?" if close else f"its executors are {known}, or a class path"
    return Hit(opt.at, f"{opt.label} names the executor {name}, which {line} does not have; {advice}")


RULE = Rule(
    id="AS214",
    name="import-path-missing",
    severity="error",
    category="reliability",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
