"""A compose file runs Airflow 3 without a part it needs.

Catches: when services run the Airflow 3 image, no service runs `dag-processor` (nothing parses DAGs), none
runs `triggerer` (deferred tasks never resume), nothing migrates the database (`airflow db migrate`, or
`_AIRFLOW_DB_MIGRATE: 'true'` on an init service), and a separate `api-server` service while the services that
run tasks do not set `AIRFLOW__CORE__EXECUTION_API_SERVER_URL` (they call http://localhost:8080/execution/, which
is nobody in their container).

Why: Airflow 3 split the scheduler: the scheduler no longer parses DAG files, tasks report through the
api-server's execution API, and the database schema is not created by any long-running component. A compose
file carried over from Airflow 2 starts, shows no DAGs, and its tasks fail to start.

Bad:

    services:
      airflow-apiserver: {image: apache/airflow:3.3.2, command: api-server}
      airflow-scheduler: {image: apache/airflow:3.3.2, command: scheduler}

Good:

    services:
      airflow-apiserver: {image: apache/airflow:3.3.2, command: api-server}
      airflow-scheduler: {image: apache/airflow:3.3.2, command: scheduler}
      airflow-dag-processor: {image: apache/airflow:3.3.2, command: dag-processor}
      airflow-triggerer: {image: apache/airflow:3.3.2, command: triggerer}
      airflow-init: {image: apache/airflow:3.3.2, command: db migrate}
    # and AIRFLOW__CORE__EXECUTION_API_SERVER_URL: http://airflow-apiserver:8080/execution/ on the scheduler
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.compose import environment, runs_airflow, services, words
from airspec.lint.model import FileContext, Hit, Rule

_TASK_RUNNERS = ("scheduler", "worker")  # LocalExecutor runs tasks in the scheduler, Celery in the workers
_URL = "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    if ctx.catalog is None or not ctx.catalog.runtime.dag_processor_always_separate:
        return
    airflow = [(n, s) for n, s in services(ctx) if runs_airflow(s)]
    if not airflow:
        return
    commands = {n: words(s.get("command")) + words(s.get("entrypoint")) for n, s in airflow}
    every = [w for ws in commands.values() for w in ws]
    where = ctx.key("services")
    if "dag-processor" not in every:
        yield Hit(where, "no service runs `airflow dag-processor`: Airflow 3 parses DAGs only there; add one")
    if "triggerer" not in every:
        yield Hit(
            where, "no service runs `airflow triggerer`: deferred tasks never resume; add one", "warning"
        )
    migrates = any(
        (environment(s).get(v) or "").lower() in ("true", "1")
        for _, s in airflow
        for v in ("_AIRFLOW_DB_MIGRATE", "_AIRFLOW_DB_UPGRADE")
    ) or any(
        " db migrate" in " " + " ".join(ws) or " db upgrade" in " " + " ".join(ws) for ws in commands.values()
    )
    if not migrates:
        yield Hit(
            where,
            "nothing migrates the metadata database (`airflow db migrate` or _AIRFLOW_DB_MIGRATE on an init "
            "service): the other services fail on an empty database",
        )
    if "api-server" not in every:
        return
    for name, service in airflow:
        runs_tasks = any(w in _TASK_RUNNERS for w in commands[name])
        if runs_tasks and _URL not in environment(service) and "api-server" not in commands[name]:
            yield Hit(
                ctx.key("services", name),
                f"service {name} runs tasks but has no {_URL}: they call the api-server at localhost, which is "
                "not in this container; set it to http://<api-server service>:8080/execution/",
            )


RULE = Rule(
    id="AS212",
    name="compose-airflow3-parts",
    severity="error",
    category="reliability",
    files={"compose": check_compose},
)
