"""The REST API lets anyone in: `[api] auth_backends = airflow.api.auth.backend.default` on Airflow 2.

Catches: `auth_backends` (or the older `auth_backend`) naming `airflow.api.auth.backend.default` on Airflow 2,
in any input that sets Airflow options.

Why: the `default` backend authenticates nobody: every request to /api/v1 is allowed, so anyone who reaches the
webserver can read connections and variables and trigger DAGs.

Bad:

    [api]
    auth_backends = airflow.api.auth.backend.default

Good:

    [api]
    auth_backends = airflow.providers.fab.auth_manager.api.auth.backend.session
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule

_OPEN = "airflow.api.auth.backend.default"


def check(ctx: FileContext) -> Iterator[Hit]:
    if (
        ctx.catalog is None or ctx.catalog.runtime.web_command != "webserver"
    ):  # Airflow 3 has no such backends
        return
    for name in ("auth_backends", "auth_backend"):
        opt = ctx.option("api", name)
        if opt is not None and opt.value and _OPEN in [p.strip() for p in opt.value.split(",")]:
            yield Hit(
                opt.at,
                f"{opt.label} uses {_OPEN}, which lets every request in; use a session or basic_auth backend",
            )


RULE = Rule(
    id="AS111",
    name="api-without-auth",
    severity="error",
    category="security",
    files={"airflow.cfg": check, "helm-values": check, "compose": check},
)
