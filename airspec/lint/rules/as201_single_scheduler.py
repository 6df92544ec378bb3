"""Production runs a single scheduler.

Catches: a production spec (an environment named `prod` or `production`, or a spec without environments that
is not development_only) with `scheduler.replicas` below 2; Helm values whose `scheduler.replicas` is below 2.

Why: with one scheduler, nothing is scheduled while it restarts, is rescheduled to another node or is killed
for memory; every node drain becomes an outage. Airflow runs several schedulers side by side (active-active).

Bad:

    environments:
      production:
        scheduler:
          replicas: 1

Good:

    environments:
      production:
        scheduler:
          replicas: 2
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import spec_span
from airspec.lint.model import FileContext, Hit, Rule, SpecContext


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    replicas = ctx.resolved.spec.scheduler.replicas
    if ctx.production and replicas < 2:
        yield Hit(
            spec_span(ctx, "scheduler", "replicas"),
            f"production runs {replicas} scheduler(s): nothing is scheduled while it restarts; set scheduler.replicas to 2 or more",
        )


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    replicas = ctx.get("scheduler", "replicas")
    if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas < 2:
        yield Hit(
            ctx.value("scheduler", "replicas"),
            f"scheduler.replicas is {replicas}: nothing is scheduled while it restarts; run 2 or more",
        )


RULE = Rule(
    id="AS201",
    name="single-scheduler",
    severity="warning",
    category="reliability",
    spec=check_spec,
    files={"helm-values": check_helm},
)
