"""A SQLite metadata database with an executor that runs tasks elsewhere.

Catches: `sql_alchemy_conn` (`[database]`, `[core]` on old versions) written as a SQLite URL while the executor is
Celery or Kubernetes; in airflow.cfg, Helm `config:` and AIRFLOW__ variables. (An input that does not set the
option is not reported: the URL usually arrives as a secret in an environment variable.)

Why: SQLite is a file on one machine and allows one writer; workers in other containers or pods cannot reach
it, and the scheduler locks up under concurrent writes. Airflow supports it only for the local
single-process set-up.

Bad:

    [core]
    executor = CeleryExecutor
    [database]
    sql_alchemy_conn = sqlite:////opt/airflow/airflow.db

Good:

    [core]
    executor = CeleryExecutor
    [database]
    sql_alchemy_conn_cmd = cat /run/secrets/airflow-db-url
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import first_place
from airspec.lint.model import FileContext, Hit, Rule


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    remote = [e for e in ctx.executors if "Celery" in e or "Kubernetes" in e]
    place = first_place(ctx, ("database", "sql_alchemy_conn"), ("core", "sql_alchemy_conn"))
    if not remote or place is None:
        return
    opt = ctx.option(*place)
    if opt is not None and (opt.value or "").startswith("sqlite"):
        yield Hit(
            opt.at,
            f"the metadata database is SQLite but {', '.join(remote)} runs tasks in other processes and hosts; "
            "use PostgreSQL or MySQL",
        )


RULE = Rule(
    id="AS607",
    name="sqlite-distributed",
    severity="error",
    category="consistency",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
