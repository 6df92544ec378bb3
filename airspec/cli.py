"""The command line. The only module that prints, reads argv or sets exit codes; the work happens elsewhere."""

from __future__ import annotations

import json
import os
import sys
from typing import NoReturn

import click

from airspec import __version__
from airspec.errors import AirspecError, ContentError, InputError, SpecInvalid, UsageError, WriteError
from airspec.lint import KINDS as LINT_KINDS
from airspec.report import FORMATS as LINT_FORMATS

FORMATS = click.Choice(["text", "json"])

# Every error a user may see, by what it means: (exit code, stream). A problem in a file's content is a finding
# (exit 1, stdout, like a lint finding or a schema error); usage, unreadable paths and failed writes are errors
# (exit 2, stderr). Exit 1 also means "drift" (diff), "findings" (lint) and "stale" (compile --check).
OUTCOMES: dict[type[AirspecError], tuple[int, str]] = {
    SpecInvalid: (1, "stdout"),
    ContentError: (1, "stdout"),
    InputError: (2, "stderr"),
    WriteError: (2, "stderr"),
    UsageError: (2, "stderr"),
}


def _outcome(exc: AirspecError) -> tuple[int, str]:
    return OUTCOMES.get(type(exc), (2, "stderr"))


def exit_code(exc: AirspecError) -> int:
    return _outcome(exc)[0]


def report(exc: AirspecError) -> None:
    """Print an error where the table says, one line per problem."""
    click.echo(str(exc), err=_outcome(exc)[1] == "stderr")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="airspec")
def cli() -> None:
    """One airflow-spec.yaml in; airflow.cfg, Helm values, docker-compose and the rest out."""


@cli.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option(
    "--env", "env", help="Validate with this environment overlay (default: the base and every overlay)"
)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def validate(specs: tuple[str, ...], env: str | None, fmt: str) -> None:
    """Check specs (or folders of airflow-spec.yaml files) against the schema and the target Airflow version;
    every problem with file:line:col."""
    from airspec import pipeline  # pydantic and the models: only commands that read specs load them

    results: list[dict[str, object]] = []
    worst = 0
    entries: list[tuple[str, AirspecError | None]] = []  # a folder stands for its specs, in argument order
    for given in specs:
        try:
            entries += [(path, None) for path in pipeline.expand_specs([given])]
        except AirspecError as exc:
            entries.append((given, exc))
    for path, unreadable in entries:
        try:
            if unreadable is not None:
                raise unreadable
            problems = pipeline.problems(pipeline.load_spec(path), env)
        except SpecInvalid as exc:
            problems = list(exc.diagnostics)
        except UsageError:
            raise
        except AirspecError as exc:
            worst = max(worst, exit_code(exc))
            if fmt == "json":
                results.append({"file": path, "valid": False, "error": str(exc), "diagnostics": []})
            else:
                report(exc)
            continue
        worst = max(worst, 1 if problems else 0)
        if fmt == "json":
            results.append(
                {"file": path, "valid": not problems, "diagnostics": [d.as_dict() for d in problems]}
            )
        else:
            for d in problems:
                click.echo(str(d))
            if not problems:
                click.echo(f"{path}: valid")
    if fmt == "json":
        click.echo(json.dumps(results, indent=2))
    sys.exit(worst)


@cli.command(name="compile")
@click.argument("specs", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("-o", "--out", "out", default="build", show_default=True, help="Output directory")
@click.option("--env", "env", help="Environment overlay to apply")
@click.option(
    "--only", help="Comma-separated artifact kinds to produce (airflow.cfg, helm-values, compose, ...)"
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if OUT is missing or has stale artifacts")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def compile_(
    specs: tuple[str, ...], out: str, env: str | None, only: str | None, check: bool, fmt: str
) -> None:
    """Compile specs into every artifact they call for: one spec into OUT, several (or a folder of
    airflow-spec.yaml files) into OUT/<spec name>."""
    from airspec import pipeline
    from airspec.artifacts import NAMES
    from airspec.compile import plan, stale
    from airspec.write import write_tree

    kinds = None
    if only:
        kinds = frozenset(k.strip() for k in only.split(",") if k.strip())
        unknown = sorted(kinds - set(NAMES))
        if unknown:
            raise UsageError(f"--only: unknown kind {', '.join(unknown)} (kinds: {', '.join(NAMES)})")
    jobs = plan(pipeline.expand_specs(specs), out, env, kinds)
    problems = {job.out: stale(job.out, job.artifacts) for job in jobs} if check else {}
    unchanged: set[str] = set()
    if not check:
        prefix = {job.out: os.path.relpath(job.out, out) for job in jobs}
        files = [
            (os.path.normpath(os.path.join(prefix[job.out], a.path)).replace(os.sep, "/"), a.text)
            for job in jobs
            for a in job.artifacts
        ]
        unchanged = write_tree(out, files)
    manifests: list[dict[str, object]] = []
    lines: list[str] = []  # echoed at once: click.echo costs a terminal check per call
    for job in jobs:
        manifest: dict[str, object] = {
            "spec": job.spec,
            "environment": env,
            "airflow_version": job.resolved.airflow_version,
            "out": job.out,
            "artifacts": [{"kind": a.kind, "path": a.path} for a in job.artifacts],
        }
        if check:
            manifest["stale"] = problems[job.out]
        manifests.append(manifest)
        if fmt == "text" and check:
            lines += (f"{job.out}: {line}" for line in problems[job.out])
            if not problems[job.out]:
                lines.append(f"{job.out}: {len(job.artifacts)} artifacts are current")
        elif fmt == "text":
            here = os.path.relpath(job.out, out)
            for a in job.artifacts:
                rel = os.path.normpath(os.path.join(here, a.path)).replace(os.sep, "/")
                lines.append(f"{'unchanged' if rel in unchanged else 'wrote'} {job.out}/{a.path}")
    if fmt == "json":
        click.echo(json.dumps(manifests[0] if len(manifests) == 1 else manifests, indent=2))
    elif lines:
        click.echo("\n".join(lines))
    sys.exit(1 if any(problems.values()) else 0)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout")
def schema(output: str | None) -> None:
    """Print the JSON Schema of airflow-spec.yaml (for editors and other tools)."""
    from airspec.schema import schema_text
    from airspec.write import write_file

    text = schema_text()
    if output:
        write_file(output, text)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("path", default="airflow-spec.yaml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file")
def init(path: str, force: bool) -> None:
    """Write a commented starter spec that validates."""
    from airspec.starter import starter_spec
    from airspec.write import write_file

    if os.path.lexists(path) and not force:
        raise UsageError(f"{path} exists; pass --force to overwrite it")
    write_file(path, starter_spec())
    click.echo(f"wrote {path}; next: airspec validate {path}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--airflow-version",
    help="Airflow version of raw files (default: each file's own, from it or its folder, else the newest line)",
)
@click.option(
    "--env", "env", help="Lint specs with this environment overlay (default: the base and every overlay)"
)
@click.option("--format", "fmt", type=click.Choice(LINT_FORMATS), default="text", show_default=True)
@click.option("--select", help="Comma-separated rule ids, id prefixes (AS4), categories or names to run")
@click.option("--ignore", help="Comma-separated rules not to run (same forms as --select)")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that fails (default warning)",
)
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not recorded in FILE")
@click.option(
    "--write-baseline", is_flag=True, help="Record today's findings in the --baseline FILE and exit 0"
)
@click.option("--kind", type=click.Choice(LINT_KINDS), help="Treat every PATH as this kind of file")
@click.option(
    "--project",
    is_flag=True,
    help="Compare all PATHS as one deployment (default: the files of each folder are one deployment; "
    "`project = true` in the lint settings does the same)",
)
def lint(
    paths: tuple[str, ...],
    airflow_version: str | None,
    env: str | None,
    fmt: str,
    select: str | None,
    ignore: str | None,
    fail_on: str | None,
    baseline: str | None,
    write_baseline: bool,
    kind: str | None,
    project: bool,
) -> None:
    """Check specs, airflow.cfg, Helm values, compose and workflow files against the rules (`airspec rules`)."""
    from airspec.lint.session import Invocation, execute

    invocation = Invocation(
        paths, airflow_version, env, fmt, select, ignore, fail_on, baseline, write_baseline, kind, project
    )
    result = execute(invocation)
    click.echo(result.output, nl=False)
    for message in result.messages:
        click.echo(message, err=True)
    sys.exit(result.code)


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o", "--output", default="airflow-spec.yaml", show_default=True, type=click.Path(dir_okay=False)
)
@click.option("--airflow-version", help="Target Airflow version (default: the one the files name)")
@click.option("--name", help="Deployment name (default: the release or compose project name)")
@click.option("--kind", type=click.Choice(LINT_KINDS), help="Treat every PATH as this kind of file")
@click.option(
    "--env",
    "envs",
    multiple=True,
    metavar="NAME=FILE",
    help="Import FILE as environment overlay NAME (environments.NAME: what differs from the base); repeatable",
)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing output file")
def import_(
    paths: tuple[str, ...],
    output: str,
    airflow_version: str | None,
    name: str | None,
    kind: str | None,
    envs: tuple[str, ...],
    fmt: str,
    force: bool,
) -> None:
    """Write a spec from airflow.cfg, Helm values, compose and .env files, and report where every setting went.
    Exit 0 imported, 1 imported with settings that need a person (listed), 2 unreadable input or usage."""
    from airspec.importer import run
    from airspec.importer.report import as_json, as_text
    from airspec.write import write_file

    overlays = []
    for given in envs:
        env, sep, path = given.partition("=")
        if not sep or not env or not path:
            raise UsageError(
                f"--env {given[:80]!r}: expected NAME=FILE, e.g. --env local=docker-compose.yaml"
            )
        overlays.append((env, path))
    if os.path.lexists(output) and not force:
        raise UsageError(f"{output} exists; pass --force to overwrite it")
    result = run(list(paths), airflow_version, name, kind, overlays)
    write_file(output, result.text)
    click.echo(as_json(result, output) if fmt == "json" else as_text(result, output), nl=False)
    sys.exit(1 if any(r.went == "needs a person" for r in result.rows) else 0)


@cli.command()
def rules() -> None:
    """List every lint rule: id, severity, category, name, what it catches."""
    from airspec.lint.docs import table
    from airspec.lint.engine import all_rules

    click.echo(table(all_rules()), nl=False)


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Explain a lint rule: what it catches, why, a bad and a good example, how to suppress it."""
    from airspec.lint.docs import explain as text
    from airspec.lint.engine import all_rules

    found = next((r for r in all_rules() if rule_id.upper() in (r.id, r.name.upper())), None)
    if found is None:
        raise UsageError(f"no rule {rule_id!r} (see `airspec rules`)")
    click.echo(text(found), nl=False)


@cli.command()
@click.argument("spec", type=click.Path(dir_okay=True))
@click.option(
    "--against",
    "source",
    required=True,
    metavar="SOURCE",
    help="A folder of artifacts, one artifact file, a ConfigMap manifest, `helm get values` output, "
    "k8s://NAMESPACE/RELEASE, or http(s)://HOST:PORT of a running Airflow",
)
@click.option("--env", "env", help="Environment overlay to apply")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option(
    "--ignore",
    multiple=True,
    metavar="PATH",
    help="A location not to report (`[core] parallelism`, `helm-values:scheduler.replicas`, `*` wildcards); repeatable",
)
@click.option("--show-secrets", is_flag=True, help="Show sensitive values instead of ***")
@click.option(
    "--timeout",
    type=float,
    metavar="SECONDS",
    help="Seconds a live source may take in all (default 60; k8s:// 120)",
)
def diff(
    spec: str,
    source: str,
    env: str | None,
    fmt: str,
    ignore: tuple[str, ...],
    show_secrets: bool,
    timeout: float | None,
) -> None:
    """Compare what is deployed with what SPEC compiles to. Exit 0 no drift, 1 drift, 2 error.

    A live API's credentials come from AIRSPEC_AIRFLOW_TOKEN, or AIRSPEC_AIRFLOW_USERNAME and
    AIRSPEC_AIRFLOW_PASSWORD; k8s:// uses kubectl and helm with the current context."""
    from airspec.diff import run
    from airspec.diff.output import as_json, as_text

    found = run(spec, source, env=env, ignore=ignore, show_secrets=show_secrets, timeout=timeout)
    click.echo(as_json(found) if fmt == "json" else as_text(found), nl=False)
    sys.exit(1 if found.drift else 0)


def main() -> None:
    try:
        cli.main(prog_name="airspec", standalone_mode=True)
    except AirspecError as exc:  # what a command raised: the table says where it goes and how it exits
        report(exc)
        _leave(exit_code(exc))
    except SystemExit as exc:
        if isinstance(exc.code, str):
            click.echo(exc.code, err=True)
        _leave(exc.code if isinstance(exc.code, int) else int(exc.code is not None))
    except (
        Exception
    ) as exc:  # a bug: one line and exit 2, never a traceback or an exit code that means findings
        # The exception's text may quote a value from the inputs (a secret among them): name the place instead.
        import traceback  # only a crash needs it

        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" at {os.path.basename(frame.filename)}:{frame.lineno}" if frame else ""
        click.echo(f"error: internal error, please report it: {type(exc).__name__}{where}", err=True)
        _leave(2)
    _leave(0)


def _leave(code: int) -> NoReturn:
    """Exit without tearing the interpreter down: freeing every module and object takes ~20 ms of each run, a
    tenth of a compile. Nothing is left to finish by then: files airspec writes are closed as they are written,
    subprocesses have been waited for, and stdout and stderr are flushed here."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # the reader went away (`airspec rules | head -1`), or it is closed
        code = code or 1
    os._exit(code)
