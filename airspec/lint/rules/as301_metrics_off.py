"""Production sends no metrics.

Catches: a production spec with `metrics.statsd.enabled: false`; `[metrics] statsd_on = False` in airflow.cfg,
Helm `config:` or AIRFLOW__METRICS__STATSD_ON with OpenTelemetry metrics (`otel_on`) off as well.

Why: without metrics there is no signal for a stuck scheduler (scheduler_heartbeat), a full pool, DAG parse
times or queued tasks piling up: problems show up as user complaints instead of alerts.

Bad:

    metrics:
      statsd:
        enabled: false

Good:

    metrics:
      statsd:
        enabled: true
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import airflow_bool, effective
from airspec.lint.model import FileContext, Hit, Rule, SpecContext


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    if ctx.production and not ctx.resolved.spec.metrics.statsd.enabled:
        yield Hit(
            ctx.value("metrics", "statsd", "enabled"),
            "production sends no metrics (StatsD is off): no alert for a stuck scheduler or a full pool",
        )


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    statsd = ctx.option("metrics", "statsd_on")
    otel, _ = effective(ctx, "metrics", "otel_on")
    if statsd is not None and airflow_bool(statsd.value) is False and airflow_bool(otel) is not True:
        yield Hit(
            statsd.at, f"{statsd.label} is off and so are OpenTelemetry metrics: Airflow sends no metrics"
        )


RULE = Rule(
    id="AS301",
    name="metrics-off",
    severity="info",
    category="observability",
    spec=check_spec,
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
