"""An Airflow component on Kubernetes runs without resource limits.

Catches: in a spec that targets Helm (and is not development_only), each component that runs (api-server,
scheduler, dag-processor, triggerer, Celery workers, KubernetesExecutor worker pods) without
`resources.limits.cpu` or `resources.limits.memory`; in Helm values, each component section present without
`resources.limits` (but `webserver:` of Airflow 3 values, which the chart does not run: AS408 says so).

Why: a component without limits can take a node's memory (a DAG that loads a large file into the scheduler or a
worker) and get other pods evicted, or be the first to be OOM-killed; limits also make capacity planning and
autoscaling possible.

Bad:

    scheduler:
      replicas: 2

Good:

    scheduler:
      replicas: 2
      resources:
        requests: {cpu: 500m, memory: 1Gi}
        limits: {cpu: "1", memory: 2Gi}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airspec.lint.model import FileContext, Hit, Rule, SpecContext
from airspec.lint.rules.as408_webserver_on_airflow3 import webserver_keys

if TYPE_CHECKING:
    from airspec.model.types import Resources


_HELM = (
    ("scheduler",),
    ("apiServer",),
    ("webserver",),
    ("triggerer",),
    ("dagProcessor",),
    ("workers", "celery"),
    ("workers", "kubernetes"),
    ("workers",),
)
_WORKER_KINDS = ("celery", "kubernetes")  # the chart's per-executor worker sections, over `workers:`


def _unlimited(resources: Resources) -> bool:
    return resources.limits.cpu is None or resources.limits.memory is None


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    r = ctx.resolved
    spec = r.spec
    if "helm" not in spec.targets or spec.development_only:
        return
    parts: list[tuple[tuple[str, ...], Resources]] = [
        (("api_server",), spec.api_server.resources),
        (("scheduler",), spec.scheduler.resources),
    ]
    if r.runs_dag_processor:
        parts.append((("dag_processor",), spec.dag_processor.resources))
    if r.runs_triggerer:
        parts.append((("triggerer",), spec.triggerer.resources))
    if r.uses_celery:
        parts.append((("celery", "workers"), r.celery.workers.resources))
    if r.uses_kubernetes:
        parts.append((("kubernetes_executor", "worker"), r.kubernetes_executor.worker.resources))
    absent = []
    for path, resources in parts:
        if not _unlimited(resources):
            continue
        if ctx.has(*path):
            yield Hit(ctx.key(*path), f"{'.'.join(path)} has no resources.limits (cpu and memory); set both")
        else:
            absent.append(".".join(path))
    if absent:
        yield Hit(
            ctx.value("targets"),
            f"these components run on Kubernetes without resource limits: {', '.join(absent)}; "
            "give each resources.limits (cpu and memory)",
        )


def _limited(ctx: FileContext, path: tuple[str, ...]) -> bool:
    limits = ctx.get(*path, "resources", "limits")
    return isinstance(limits, dict) and "cpu" in limits and "memory" in limits


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    ignored = {(k,) for k in webserver_keys(ctx)}  # AS408: the chart does not run them on Airflow 3
    for path in _HELM:
        if path in ignored:
            continue
        section = ctx.get(*path)
        if not isinstance(section, dict) or (
            path == ("workers",) and any(isinstance(section.get(k), dict) for k in _WORKER_KINDS)
        ):
            continue
        if section.get("enabled") is False:
            continue
        if path[0] == "workers" and len(path) == 2 and _limited(ctx, ("workers",)):
            continue  # the per-executor section inherits `workers.resources`
        if not _limited(ctx, path):
            where = ctx.key(*path, "resources") if ctx.has(*path, "resources") else ctx.key(*path)
            yield Hit(where, f"{'.'.join(path)} has no resources.limits (cpu and memory); set both")


RULE = Rule(
    id="AS202",
    name="no-resource-limits",
    severity="warning",
    category="reliability",
    spec=check_spec,
    files={"helm-values": check_helm},
)
