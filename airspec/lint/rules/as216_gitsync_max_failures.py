"""git-sync is told to give up at the first failed sync (`dags.gitSync.maxFailures: 0`).

Catches: Helm values that turn git-sync on and set `dags.gitSync.maxFailures` to 0 (the chart's values describe
it as "the number of consecutive failures allowed before aborting").

Why: one failed fetch (the git server restarting, a DNS hiccup, a rate limit) then stops git-sync: the sidecar
container restarts with Kubernetes' growing back-off while the scheduler and workers keep old DAG files, and the
init container fails the pod it belongs to, so a worker pod for a task cannot start.

Bad:

    dags:
      gitSync:
        enabled: true
        maxFailures: 0

Good:

    dags:
      gitSync:
        enabled: true
        maxFailures: 5
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    if ctx.get("dags", "gitSync", "enabled") is not True or not ctx.has("dags", "gitSync", "maxFailures"):
        return
    value = ctx.get("dags", "gitSync", "maxFailures")
    if not isinstance(value, bool) and str(value).strip() == "0":
        yield Hit(
            ctx.value("dags", "gitSync", "maxFailures"),
            "dags.gitSync.maxFailures is 0: git-sync aborts at the first failed sync, so a passing network "
            "error stops DAG updates and fails pods' init containers; allow a few (e.g. 5)",
        )


RULE = Rule(
    id="AS216",
    name="gitsync-max-failures",
    severity="warning",
    category="reliability",
    files={"helm-values": check_helm},
)
