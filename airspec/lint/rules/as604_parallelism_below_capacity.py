"""parallelism is lower than what the Celery workers can run.

Catches: `[core] parallelism` (set, or the version's default) below Celery worker replicas times each worker's
task slots (`concurrency`, or the autoscale maximum), in a spec and in Helm values (`workers.replicas`, or
KEDA's `maxReplicaCount`, times `config.celery.worker_concurrency`).

Why: the scheduler never queues more than parallelism task instances, so the extra worker slots stay idle
while tasks wait: you pay for workers that cannot be used.

Bad:

    celery:
      workers:
        replicas: 4
        concurrency: 16
    core:
      parallelism: 32

Good:

    celery:
      workers:
        replicas: 4
        concurrency: 16
    core:
      parallelism: 64
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import effective, parse_number
from airspec.lint.model import FileContext, Hit, Rule, SpecContext


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    r = ctx.resolved
    if not r.uses_celery:
        return
    workers = r.celery.workers
    slots = workers.autoscale.max if workers.autoscale else workers.concurrency
    capacity = workers.replicas * slots
    value, _ = effective(ctx, "core", "parallelism")
    parallelism = parse_number(value)
    if parallelism is None or parallelism >= capacity:
        return
    where = (
        ctx.value("core", "parallelism") if ctx.has("core", "parallelism") else ctx.key("celery", "workers")
    )
    yield Hit(
        where,
        f"parallelism {parallelism:g} is below the Celery workers' {capacity} slots ({workers.replicas} replicas x "
        f"{slots}); raise core.parallelism to {capacity} or run fewer workers",
    )


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    if not any("Celery" in e for e in ctx.executors):
        return
    base = ("workers", "celery") if isinstance(ctx.get("workers", "celery"), dict) else ("workers",)
    replicas = ctx.get(*base, "replicas")
    if ctx.get(*base, "keda", "enabled") is True:
        replicas = ctx.get(*base, "keda", "maxReplicaCount")
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        return
    scale = ctx.option("celery", "worker_autoscale")
    per_worker = parse_number(scale.value.split(",")[0]) if scale and scale.value else None
    if per_worker is None:
        per_worker = parse_number(effective(ctx, "celery", "worker_concurrency")[0])
    value, opt = effective(ctx, "core", "parallelism")
    parallelism = parse_number(value)
    if per_worker is None or parallelism is None or parallelism >= replicas * per_worker:
        return
    capacity = int(replicas * per_worker)
    where = opt.at if opt is not None else ctx.value(*base, "replicas")
    yield Hit(
        where,
        f"parallelism {parallelism:g} is below the Celery workers' {capacity} task slots; raise config.core.parallelism",
    )


RULE = Rule(
    id="AS604",
    name="parallelism-below-capacity",
    severity="warning",
    category="consistency",
    spec=check_spec,
    files={"helm-values": check_helm},
)
