"""The Celery visibility timeout is shorter than the longest task may run.

Catches: `celery.visibility_timeout` (`[celery_broker_transport_options] visibility_timeout`) below the task
execution timeout (`task_defaults.execution_timeout`, `[core] default_task_execution_timeout`).

Why: with Redis or SQS, a task not acknowledged within the visibility timeout is handed to another worker. A task
that runs longer than it is started a second time while the first copy still runs: duplicate side effects,
and both copies race to record the result.

Bad:

    celery:
      visibility_timeout: 1h
    task_defaults:
      execution_timeout: 4h

Good:

    celery:
      visibility_timeout: 6h
    task_defaults:
      execution_timeout: 4h
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import parse_number
from airspec.lint.model import Context, Hit, Rule


def _check(ctx: Context) -> Iterator[Hit]:
    visibility = ctx.option("celery_broker_transport_options", "visibility_timeout")
    timeout = ctx.option("core", "default_task_execution_timeout")
    if visibility is None or timeout is None:
        return
    shown, limit = parse_number(visibility.value), parse_number(timeout.value)
    if shown is None or limit is None or limit <= 0:
        return
    if shown < limit:
        yield Hit(
            visibility.at,
            f"{visibility.label} ({shown:g} s) is shorter than {timeout.label} ({limit:g} s): a task still running "
            "after it is delivered to a second worker; make it longer than the longest task",
        )


RULE = Rule(
    id="AS205",
    name="visibility-timeout",
    severity="error",
    category="reliability",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
