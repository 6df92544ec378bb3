"""Failed worker pods are kept as the only record of their failure.

Catches: the KubernetesExecutor with `delete_worker_pods_on_failure` off (the default) and neither remote
logging nor a log volume.

Why: with remote logging off, a failed task's log exists only inside its pod, so the pod must be kept to debug
it: failed pods pile up in the namespace (quota, IP addresses, etcd objects) until someone deletes them by
hand, and then the logs are gone too. Ship logs off the pod, and failed pods can be deleted like the others.

Bad:

    executor: KubernetesExecutor
    kubernetes_executor:
      delete_worker_pods_on_failure: false

Good:

    executor: KubernetesExecutor
    kubernetes_executor:
      delete_worker_pods_on_failure: true
    logging:
      remote: {provider: s3, base_folder: s3://example-airflow-logs/prod, conn_id: aws_default}
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import airflow_bool, effective, logs_leave_pods, spec_span
from airspec.lint.model import FileContext, Hit, Rule, SpecContext

_ADVICE = "keep logs elsewhere (remote logging or a log volume), then delete failed pods too"


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    r = ctx.resolved
    spec = r.spec
    if not r.uses_kubernetes or spec.logging.remote is not None or spec.logging.persistence is not None:
        return
    if not r.kubernetes_executor.delete_worker_pods_on_failure:
        path = ("kubernetes_executor", "delete_worker_pods_on_failure")
        where = spec_span(ctx, *path) if ctx.has(*path) else spec_span(ctx, "executor")
        yield Hit(where, f"failed worker pods are kept and hold the only copy of their logs; {_ADVICE}")


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    if "KubernetesExecutor" not in ctx.executors:
        return
    if logs_leave_pods(ctx):
        return
    value, opt = effective(ctx, "kubernetes_executor", "delete_worker_pods_on_failure")
    if airflow_bool(value) is not False:
        return
    where = opt or ctx.option("core", "executor")
    if where is not None:
        yield Hit(where.at, f"failed worker pods are kept and hold the only copy of their logs; {_ADVICE}")
    elif ctx.kind == "helm-values" and ctx.has("executor"):
        yield Hit(
            ctx.value("executor"),
            f"failed worker pods are kept and hold the only copy of their logs; {_ADVICE}",
        )


RULE = Rule(
    id="AS206",
    name="failed-pods-no-logs",
    severity="warning",
    category="reliability",
    spec=check_spec,
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
