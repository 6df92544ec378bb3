"""A GitHub workflow does not limit its token's permissions.

Catches: a workflow with no top-level `permissions:` in which a job has no `permissions:` either.

Why: without it the job's GITHUB_TOKEN gets the repository's default, which on many repositories is write
access to contents, packages and more: any step (or compromised action) can push code or publish packages.

Bad:

    on: push
    jobs:
      test:
        runs-on: ubuntu-latest

Good:

    on: push
    permissions:
      contents: read
    jobs:
      test:
        runs-on: ubuntu-latest
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule


def check_workflow(ctx: FileContext) -> Iterator[Hit]:
    if not isinstance(ctx.data, dict) or "permissions" in ctx.data:
        return
    jobs = ctx.get("jobs")
    for name, job in jobs.items() if isinstance(jobs, dict) else []:
        if isinstance(job, dict) and "permissions" not in job:
            yield Hit(
                ctx.key("jobs", name),
                f"job {name!r} runs with the repository's default token permissions; set permissions: (e.g. contents: read)",
            )


RULE = Rule(
    id="AS703",
    name="workflow-permissions",
    severity="warning",
    category="delivery",
    files={"workflow": check_workflow},
)
