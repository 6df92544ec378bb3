"""More DAG parsing processes than the dag-processor has CPUs.

Catches: `parsing_processes` (set, or the version's default) above the CPU limit of the component that parses
DAGs: the dag-processor (Airflow 3, or Airflow 2 with a standalone dag-processor), else the scheduler; in a
spec, and in Helm values (`config.dag_processor.parsing_processes` against `dagProcessor.resources.limits.cpu`).

Why: the processes fight over the CPU quota and get throttled; parsing gets slower, not faster, and file
processor timeouts start to fire.

Bad:

    core:
      parsing_processes: 8
    dag_processor:
      resources:
        limits: {cpu: "2", memory: 2Gi}

Good:

    core:
      parsing_processes: 2
    dag_processor:
      resources:
        limits: {cpu: "2", memory: 2Gi}
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import cpu, effective, first_place, parse_number
from airspec.lint.model import Context, FileContext, Hit, Opt, Rule, SpecContext


def _processes(ctx: Context) -> tuple[float | None, str, Opt | None]:
    place = first_place(ctx, ("dag_processor", "parsing_processes"), ("scheduler", "parsing_processes"))
    if place is None:
        return None, "", None
    value, opt = effective(ctx, *place)
    return parse_number(value), f"[{place[0]}] {place[1]}", opt


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    r = ctx.resolved
    component = ("dag_processor",) if r.runs_dag_processor else ("scheduler",)
    resources = r.spec.dag_processor.resources if r.runs_dag_processor else r.spec.scheduler.resources
    cores = cpu(resources.limits.cpu)
    processes, name, _opt = _processes(ctx)
    if cores is None or processes is None or processes <= cores:
        return
    where = (
        ctx.value("core", "parsing_processes")
        if ctx.has("core", "parsing_processes")
        else ctx.value(*component, "resources", "limits", "cpu")
    )
    yield Hit(
        where,
        f"{name} is {processes:g} but {'.'.join(component)} is limited to {cores:g} CPU: the parsing processes "
        "throttle each other; lower core.parsing_processes or raise the limit",
    )


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    component = (
        "dagProcessor"
        if ctx.catalog.runtime.dag_processor_always_separate or ctx.get("dagProcessor", "enabled") is True
        else "scheduler"
    )
    cores = cpu(ctx.get(component, "resources", "limits", "cpu"))
    processes, name, opt = _processes(ctx)
    if cores is None or processes is None or processes <= cores:
        return
    where = opt.at if opt is not None else ctx.value(component, "resources", "limits", "cpu")
    yield Hit(
        where,
        f"{name} is {processes:g} but {component} is limited to {cores:g} CPU: the parsing processes throttle "
        "each other",
    )


RULE = Rule(
    id="AS502",
    name="parsing-processes-cpu",
    severity="warning",
    category="performance",
    spec=check_spec,
    files={"helm-values": check_helm},
)
