"""Which Airflow version each raw file is linted for, and why: --airflow-version; else what the file names (an
image tag, `airflowVersion`); else what its neighbours in the same folder name (a Dockerfile `FROM
apache/airflow:X`, a requirements or constraints pin, `.env`, a compose or values file beside it); else the line
whose options the file uses when only some lines have them; else the newest line, with a notice. A file never
borrows another folder's version, and a version the catalog has no line for is fitted to the nearest line.

Neighbours are read as text with a few patterns (never parsed), each folder once per run.
"""

from __future__ import annotations

import functools
import os
import re
from typing import NamedTuple

from airspec.errors import UsageError
from airspec.lint.inputs import compose_version, helm_version, version_in
from airspec.lint.model import FileContext

_MAX_NEIGHBOUR = 512 * 1024
_RELEASE = re.compile(r"^\d+\.\d+(\.\d+)?$")
_DOCKER_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*\S*apache/airflow:(?P<tag>[\w.-]+)", re.M | re.I)
_ARG_VERSION = re.compile(r"^\s*(?:ARG|ENV)\s+AIRFLOW_VERSION[= ]\s*(?P<tag>[\d.]+)", re.M)
_PIN = re.compile(r"^\s*apache-airflow(?:\[[^\]]*\])?\s*==\s*(?P<tag>[\d.]+)", re.M | re.I)
_CONSTRAINTS = re.compile(r"constraints-(?P<tag>\d+\.\d+(?:\.\d+)?)/")
_IMAGE = re.compile(r"apache/airflow:(?P<tag>[\w.-]+)")
_ENV_VERSION = re.compile(r"^\s*AIRFLOW_VERSION\s*=\s*[\"']?(?P<tag>[\d.]+)", re.M)
_VALUES_VERSION = re.compile(r"^\s*(?:airflowVersion|defaultAirflowTag)\s*:\s*[\"']?(?P<tag>[\d.]+)", re.M)


class Target(NamedTuple):
    """The version a file is linted for, the catalog line that stands in for it, and why."""

    file: str
    version: str
    line: str
    release: str  # the release the line's facts come from
    reason: str
    note: str | None = None

    def notice(self) -> str:
        facts = f"the {self.line} catalog ({self.release} facts)"
        text = f"{self.file}: linted for Airflow {self.version} with {facts}: {self.reason}"
        return text + (f"; {self.note}" if self.note else "")


def target(ctx: FileContext, flag: str | None) -> Target:
    version, reason, note = _choose(ctx, flag)
    if ctx.root:
        wrapped = (
            f"the values under `{'.'.join(ctx.root)}:` (a wrapper chart) are linted as the official chart's"
        )
        note = f"{note}; {wrapped}" if note else wrapped
    return _fitted(ctx.file, version, reason, note, flag is not None)


def _fitted(file: str, version: str, reason: str, note: str | None, strict: bool) -> Target:
    from airspec.catalog import fit, lint_lines

    if strict and not _RELEASE.match(version):
        raise UsageError(f"--airflow-version: {version!r} is not a version such as 3.3 or 2.10.5")
    fitted = fit(version)
    if strict and fitted.newer:
        raise UsageError(
            f"{file}: Airflow {version} is not in airspec's catalog; supported lines: {', '.join(lint_lines())}"
        )
    notes = [n for n in (note, fitted.note) if n]
    return Target(file, version, fitted.line, lint_lines()[fitted.line], reason, "; ".join(notes) or None)


def _choose(ctx: FileContext, flag: str | None) -> tuple[str, str, str | None]:
    if flag is not None:
        return flag, "--airflow-version", None
    own = _own(ctx)
    if own is not None:
        return own[0], own[1], None
    here = os.path.abspath(ctx.file)
    near = [(v, why) for v, why in neighbours(os.path.dirname(here)) if why[0] != here]
    if near:
        version, (name, how) = near[0]
        others = sorted({v for v, _ in near if _line(v) != _line(version)})
        note = f"other files beside it name {', '.join(others)}" if others else None
        return version, f"{how} in {os.path.basename(name)} beside it", note
    by_options = _by_options(ctx)
    if by_options is not None:
        return by_options
    from airspec.catalog import newest

    return (
        newest(),
        "nothing in the file or its folder names a version",
        "the newest line is assumed; pass --airflow-version to choose",
    )


def _line(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _own(ctx: FileContext) -> tuple[str, str] | None:
    if ctx.kind == "helm-values":
        version, path = helm_version(ctx.data)
        if version:
            return version, f"{'.'.join(path)} (line {ctx.value(*path).line})"
    elif ctx.kind == "compose":
        version, path = compose_version(ctx.data)
        if version:
            image = ctx.get(*path)
            return version, f"the image {image} of service {path[1]} (line {ctx.value(*path).line})"
    elif ctx.kind == "airflow.cfg":
        for opt in ctx.options:
            if opt.name == "worker_container_tag" and version_in(opt.value):
                found = version_in(opt.value)
                assert found is not None
                return found, f"{opt.label} (line {opt.at.line})"
    return None


@functools.cache
def neighbours(folder: str) -> tuple[tuple[str, tuple[str, str]], ...]:
    """(version, (path, how it is named)) of the files in `folder` that name an Airflow version, most telling
    first: Dockerfile, compose, .env, values, requirements, constraints."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return ()
    found: list[tuple[int, str, tuple[str, str]]] = []
    for name in names:
        lower = name.lower()
        patterns: tuple[tuple[re.Pattern[str], str], ...]
        if lower.startswith(("dockerfile", "containerfile")) or lower.endswith(".dockerfile"):
            rank, patterns = (
                0,
                ((_DOCKER_FROM, "FROM apache/airflow:{}"), (_ARG_VERSION, "AIRFLOW_VERSION {}")),
            )
        elif lower.startswith(("docker-compose", "compose")) and lower.endswith((".yaml", ".yml")):
            rank, patterns = 1, ((_IMAGE, "the image apache/airflow:{}"),)
        elif lower == ".env":
            rank, patterns = 2, ((_IMAGE, "apache/airflow:{}"), (_ENV_VERSION, "AIRFLOW_VERSION={}"))
        elif "values" in lower and lower.endswith((".yaml", ".yml")):
            rank, patterns = 3, ((_VALUES_VERSION, "{}"),)
        elif lower.startswith("requirements") and lower.endswith((".txt", ".in")):
            rank, patterns = 4, ((_PIN, "apache-airflow=={}"), (_CONSTRAINTS, "constraints-{}"))
        elif lower.startswith("constraints") and lower.endswith(".txt"):
            rank, patterns = 5, ((_PIN, "apache-airflow=={}"),)
        else:
            continue
        path = os.path.join(folder, name)
        text = _peek(path)
        for pattern, how in patterns:
            match = pattern.search(text)
            tag = match.group("tag") if match else None
            version = version_in(tag) if tag else None
            if version:
                found.append((rank, version, (path, how.format(tag))))
                break
    return tuple((v, why) for _, v, why in sorted(found, key=lambda f: f[0]))


def _peek(path: str) -> str:
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > _MAX_NEIGHBOUR:
            return ""
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _by_options(ctx: FileContext) -> tuple[str, str, str] | None:
    """The newest line that has the most of the file's options, when only some lines have them (asked of
    catalog.option_lines: one small file, not every line's facts)."""
    from airspec.catalog import lint_lines, option_lines

    names = {(o.section, o.name) for o in ctx.options}
    if not names:
        return None
    scores: dict[str, list[tuple[str, str]]] = {line: [] for line in lint_lines()}
    for name in sorted(names):
        for line in option_lines(*name):
            scores[line].append(name)
    best = max(len(found) for found in scores.values())
    winners = [line for line, found in scores.items() if len(found) == best]
    if len(winners) == len(scores) or best == 0:
        return None
    chosen = winners[-1]
    only = sorted(
        set(scores[chosen]) - set().union(*(set(f) for ln, f in scores.items() if ln not in winners))
    )
    named = ", ".join(f"[{s}] {n}" for s, n in only[:3]) or "its options"
    span = f"{winners[0]}..{chosen}" if len(winners) > 1 else chosen
    return (
        chosen,
        f"it sets options that only Airflow {span} has ({named})",
        "the newest such line is assumed",
    )
