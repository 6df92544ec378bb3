"""Celery autoscaling allows more task slots than the worker concurrency.

Catches: `[celery] worker_autoscale` (a spec's `celery.workers.autoscale`) whose maximum is above
`[celery] worker_concurrency` (set, or the default 16).

Why: with autoscale set, Celery ignores worker_concurrency and grows each worker to the autoscale maximum;
everything sized from worker_concurrency (memory limits, KEDA's scaling query, parallelism) is then too small,
and workers get OOM-killed under load.

Bad:

    celery:
      workers:
        concurrency: 8
        autoscale: {max: 32, min: 4}

Good:

    celery:
      workers:
        concurrency: 16
        autoscale: {max: 16, min: 4}
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import effective, parse_number
from airspec.lint.model import Context, Hit, Rule


def _check(ctx: Context) -> Iterator[Hit]:
    scale = ctx.option("celery", "worker_autoscale")
    if scale is None or not scale.value or "," not in scale.value:
        return
    top = parse_number(scale.value.split(",")[0])
    value, _ = effective(ctx, "celery", "worker_concurrency")
    concurrency = parse_number(value)
    if top is not None and concurrency is not None and top > concurrency:
        yield Hit(
            scale.at,
            f"{scale.label} lets each worker grow to {top:g} tasks, above worker_concurrency {concurrency:g}, "
            "which everything else is sized by; make them equal",
        )


RULE = Rule(
    id="AS603",
    name="autoscale-above-concurrency",
    severity="warning",
    category="consistency",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
