"""One `airspec lint` invocation: settings from the project file and the command line, the run, the baseline,
the chosen format, and the exit code. Returns text; airspec/cli.py prints it and exits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from airspec import __version__
from airspec.errors import Diagnostic, UsageError, WriteError
from airspec.lint import baseline as baselines
from airspec.lint import config
from airspec.lint.engine import Request, all_rules, run
from airspec.lint.model import rank
from airspec.report import Report, formatter


class Invocation(NamedTuple):
    paths: tuple[str, ...]
    airflow_version: str | None = None
    env: str | None = None
    fmt: str = "text"
    select: str | None = None
    ignore: str | None = None
    fail_on: str | None = None
    baseline: str | None = None
    write_baseline: bool = False
    kind: str | None = None
    project: bool = False


class Result(NamedTuple):
    output: str  # for stdout
    messages: list[str]  # for stderr
    code: int


def execute(inv: Invocation) -> Result:
    settings = config.find()
    fail_on = inv.fail_on or settings.fail_on or "warning"
    baseline = inv.baseline or settings.baseline
    if inv.write_baseline and not baseline:
        raise UsageError("--write-baseline needs --baseline FILE")
    request = Request(
        paths=inv.paths,
        airflow_version=inv.airflow_version,
        env=inv.env,
        kind=inv.kind,
        select=config.split(inv.select) if inv.select is not None else settings.select,
        ignore=settings.ignore + (config.split(inv.ignore) if inv.ignore else ()),
        severity=settings.severity,
        project=inv.project or settings.project,
    )
    outcome = run(request)
    messages = list(outcome.errors) + list(outcome.notices) + [t.notice() for t in outcome.targets]
    findings = outcome.findings
    known = 0
    if inv.write_baseline:
        assert baseline is not None
        from airspec.write import write_file  # shutil and ctypes (~5 ms): only a run that writes needs them

        try:
            write_file(baseline, baselines.render(findings, baseline))
        except WriteError as exc:
            raise UsageError(exc.bare) from None
        messages.append(f"wrote {len(findings)} finding(s) to {baseline}")
        return Result("", messages, 2 if outcome.errors else 0)
    if baseline:
        fresh = baselines.new_only(findings, baselines.load(baseline), baseline)
        known = len(findings) - len(fresh)
        findings = fresh
    report = Report(findings, outcome.files, all_rules(), __version__, outcome.targets)
    output = formatter(inv.fmt)(report)
    if inv.fmt == "text" and outcome.files and not outcome.errors:
        messages.append(_summary(findings, outcome.suppressed, known, len(outcome.files)))
    failing = any(rank(d.severity) >= rank(fail_on) for d in findings)
    code = 2 if outcome.errors else (1 if failing else 0)
    return Result(output, messages, code)


def _summary(findings: Sequence[Diagnostic], suppressed: int, known: int, files: int) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    for d in findings:
        counts[d.severity] += 1
    text = (
        f"{files} file(s): {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
    )
    extra = [f"{suppressed} suppressed inline"] if suppressed else []
    extra += [f"{known} in the baseline"] if known else []
    return text + (f" ({', '.join(extra)})" if extra else "")
