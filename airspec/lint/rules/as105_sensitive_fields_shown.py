"""Airflow is told to show the values of sensitive variables and connection fields.

Catches: `[core] hide_sensitive_var_conn_fields = False` in any input.

Why: with it off, the UI, the API and the logs show passwords, tokens and keys stored in Variables and
Connection extras in clear text to everyone who can see them.

Bad:

    [core]
    hide_sensitive_var_conn_fields = False

Good:

    [core]
    hide_sensitive_var_conn_fields = True
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import airflow_bool
from airspec.lint.model import Context, Hit, Rule


def _check(ctx: Context) -> Iterator[Hit]:
    opt = ctx.option("core", "hide_sensitive_var_conn_fields")
    if opt is not None and airflow_bool(opt.value) is False:
        yield Hit(
            opt.at, f"{opt.label} is False: sensitive Variable and Connection values show in the UI and logs"
        )


RULE = Rule(
    id="AS105",
    name="sensitive-fields-shown",
    severity="warning",
    category="security",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
