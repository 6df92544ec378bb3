"""GitHub Actions are used by tag instead of by commit.

Catches: a spec's `ci.pin_actions: false`; in a workflow file, each `uses: owner/repo@ref` whose ref is not a
full 40-character commit SHA (`actions/checkout@v4`). Local actions (`./...`) and `docker://...@sha256:`
images are fine.

Why: a tag can be moved to another commit at any time; whoever controls the action (or steals its maintainer's
token) then runs code in your pipeline, with your deploy credentials.

Bad:

    - uses: actions/checkout@v4

Good:

    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule, SpecContext

_SHA = re.compile(r"^[0-9a-f]{40}$")


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    ci = ctx.resolved.spec.ci
    if ci is not None and not ci.pin_actions:
        yield Hit(
            ctx.value("ci", "pin_actions"),
            "ci.pin_actions is false: the generated workflow uses actions by movable tags; set it to true",
        )


def check_workflow(ctx: FileContext) -> Iterator[Hit]:
    jobs = ctx.get("jobs")
    for job_name, job in jobs.items() if isinstance(jobs, dict) else []:
        places: list[tuple[tuple[str | int, ...], object]] = [
            (("jobs", job_name, "uses"), job.get("uses") if isinstance(job, dict) else None)
        ]
        steps = job.get("steps") if isinstance(job, dict) else None
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, dict):
                places.append((("jobs", job_name, "steps", index, "uses"), step.get("uses")))
        for path, uses in places:
            if not isinstance(uses, str) or uses.startswith(("./", "docker://")):
                continue
            ref = uses.rpartition("@")[2] if "@" in uses else ""
            if not _SHA.match(ref):
                yield Hit(
                    ctx.value(*path),
                    f"{uses} is not pinned to a commit; use {uses.partition('@')[0]}@<40-character SHA>",
                )


RULE = Rule(
    id="AS701",
    name="unpinned-actions",
    severity="warning",
    category="delivery",
    spec=check_spec,
    files={"workflow": check_workflow},
)
