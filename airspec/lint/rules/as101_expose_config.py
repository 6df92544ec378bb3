"""expose_config is on: the UI shows the deployment's configuration.

Catches: `[api] expose_config` (`[webserver]` on Airflow 2) set to anything but False, including
`non-sensitive-only`, in a spec (`api_server.expose_config`), airflow.cfg, Helm `config:` or an
AIRFLOW__API__EXPOSE_CONFIG variable.

Why: the configuration page lists connection strings, executor and broker settings, secrets backends and
internal host names; `non-sensitive-only` still shows everything Airflow does not mark sensitive. Anyone with
UI access learns how to reach the database and broker.

Bad:

    [api]
    expose_config = non-sensitive-only

Good:

    [api]
    expose_config = False
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import airflow_bool
from airspec.lint.model import Context, Hit, Rule


def _check(ctx: Context) -> Iterator[Hit]:
    for opt in ctx.options:
        if opt.name != "expose_config" or opt.section not in ("api", "webserver") or opt.value is None:
            continue
        if airflow_bool(opt.value) is not False:
            yield Hit(
                opt.at,
                f"{opt.label} is {opt.value!r}: the UI shows the configuration (hosts, backends, settings) "
                "to its users; set it to False",
            )


RULE = Rule(
    id="AS101",
    name="expose-config",
    severity="warning",
    category="security",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
