"""XCom values are stored with pickle.

Catches: `[core] enable_xcom_pickling = True` on versions that still have the option (Airflow 2).

Why: unpickling runs code. Anyone who can write an XCom row (a task, a compromised worker, the REST API) can
make the scheduler, webserver or another task execute arbitrary Python. Airflow 3 removed the option.

Bad:

    [core]
    enable_xcom_pickling = True

Good:

    [core]
    enable_xcom_pickling = False
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import airflow_bool
from airspec.lint.model import Context, Hit, Rule


def _check(ctx: Context) -> Iterator[Hit]:
    opt = ctx.option("core", "enable_xcom_pickling")
    known = ctx.catalog is not None and ctx.catalog.option("core", "enable_xcom_pickling") is not None
    if opt is not None and known and airflow_bool(opt.value) is True:
        yield Hit(
            opt.at, f"{opt.label} is True: reading an XCom unpickles it, which runs code; set it to False"
        )


RULE = Rule(
    id="AS107",
    name="xcom-pickling",
    severity="warning",
    category="security",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
