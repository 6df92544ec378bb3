"""Settings of an executor the deployment does not use.

Catches: `[celery]`, `[celery_broker_transport_options]` and `[celery_result_backend_transport_options]` options
when no Celery executor runs, and `[kubernetes_executor]` options when no Kubernetes executor runs; in
airflow.cfg (one finding per section), Helm `config:`, AIRFLOW__ variables and a spec's `config:`.

Why: they do nothing, yet readers (and the next engineer) assume they are in effect; often they are left over
from a change of executor and hide that the intended tuning no longer applies.

Bad:

    [core]
    executor = KubernetesExecutor
    [celery]
    worker_concurrency = 32

Good:

    [core]
    executor = KubernetesExecutor
    [kubernetes_executor]
    worker_pods_creation_batch_size = 8
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import executors
from airspec.lint.model import Context, FileContext, Hit, Rule
from airspec.lint.upgrade import from_config

NEEDS = {
    "celery": "Celery",
    "celery_broker_transport_options": "Celery",
    "celery_result_backend_transport_options": "Celery",
    "kubernetes_executor": "Kubernetes",
}


def _check(ctx: Context) -> Iterator[Hit]:
    running = executors(ctx)
    if not running:
        return
    shown = ", ".join(running)
    for opt in ctx.options:
        need = NEEDS.get(opt.section)
        if need is None or any(need in e for e in running) or not from_config(opt, ctx) or opt.value is None:
            continue  # a template (the chart's own defaults) or ${VAR} is not a setting someone wrote here
        if isinstance(ctx, FileContext) and ctx.ini is not None:
            yield Hit(
                ctx.ini.sections[opt.section],
                f"[{opt.section}] configures the {need} executor, which this deployment does not run ({shown})",
            )
        else:
            yield Hit(
                opt.key,
                f"{opt.label} configures the {need} executor, which this deployment does not run ({shown})",
            )


RULE = Rule(
    id="AS601",
    name="unused-executor-options",
    severity="warning",
    category="consistency",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
