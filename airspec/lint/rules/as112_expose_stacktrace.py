"""Error pages show Python stack traces to the UI's users.

Catches: `[api] expose_stacktrace` (Airflow 3) or `[webserver] expose_stacktrace` (Airflow 2) set to a true value,
in any input that sets Airflow options.

Why: a stack trace names files, modules, library versions and often values from the request or the database:
what an attacker needs to aim a next request. Airflow shows a generic error page with a reference to the log
when the option is off (its default).

Bad:

    [api]
    expose_stacktrace = True

Good:

    [api]
    expose_stacktrace = False
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import airflow_bool
from airspec.lint.model import Context, Hit, Rule


def _check(ctx: Context) -> Iterator[Hit]:
    for opt in ctx.options:
        on = airflow_bool(opt.value) is True
        if on and opt.name == "expose_stacktrace" and opt.section in ("api", "webserver"):
            yield Hit(
                opt.at, f"{opt.label} is on: error pages show stack traces to every user; set it to False"
            )


RULE = Rule(
    id="AS112",
    name="expose-stacktrace",
    severity="warning",
    category="security",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
