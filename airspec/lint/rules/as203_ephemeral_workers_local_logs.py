"""Task logs stay on workers that come and go.

Catches: remote logging off while workers are ephemeral: the KubernetesExecutor (a pod per task), or Celery
worker pods that the chart scales in and out (Helm `workers.keda`/`workers.hpa`), with no persistent log
volume either.

Why: each task writes its log to the local disk of the pod that ran it. When the pod is deleted or scaled
down, the log is gone, and the UI shows "could not read logs" for exactly the failures you need to debug.

Bad:

    executor: KubernetesExecutor
    logging:
      level: INFO

Good:

    executor: KubernetesExecutor
    logging:
      remote:
        provider: s3
        base_folder: s3://example-airflow-logs/prod
        conn_id: aws_default
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import logs_leave_pods, spec_span
from airspec.lint.model import FileContext, Hit, Rule, SpecContext


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    r = ctx.resolved
    spec = r.spec
    if spec.logging.remote is not None or spec.logging.persistence is not None:
        return
    if r.uses_kubernetes:
        yield Hit(
            spec_span(ctx, "executor"),
            "task logs are written only inside the worker pods, and the KubernetesExecutor deletes each pod with "
            "its log; set logging.remote (or logging.persistence)",
        )


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    if "KubernetesExecutor" not in ctx.executors or logs_leave_pods(ctx):
        return
    opt = ctx.option("core", "executor")
    if opt is not None:
        yield Hit(
            opt.at,
            "the KubernetesExecutor deletes each task's pod and its log with it, and remote logging is off; "
            "set [logging] remote_logging = True and remote_base_log_folder",
        )


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    if logs_leave_pods(ctx):
        return
    if "KubernetesExecutor" in ctx.executors and ctx.has("executor"):
        yield Hit(
            ctx.value("executor"),
            "the KubernetesExecutor deletes each task's pod and its log with it; enable remote logging "
            "(config.logging.remote_logging) or logs.persistence",
        )
        return
    for base in (("workers", "celery"), ("workers",)):
        for scaler in ("keda", "hpa"):
            if ctx.get(*base, scaler, "enabled") is True:
                yield Hit(
                    ctx.value(*base, scaler, "enabled"),
                    f"{'.'.join(base)}.{scaler} scales workers down, and their task logs go with them; enable "
                    "remote logging (config.logging.remote_logging) or logs.persistence",
                )
                return


RULE = Rule(
    id="AS203",
    name="ephemeral-workers-local-logs",
    severity="warning",
    category="reliability",
    spec=check_spec,
    files={"airflow.cfg": check_cfg, "helm-values": check_helm, "compose": check_cfg},
)
