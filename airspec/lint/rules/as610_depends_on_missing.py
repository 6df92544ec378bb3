"""A compose service depends on a service the file does not define.

Catches: a name under a service's `depends_on` (list or mapping form) that is not a service of the file.

Why: `docker compose up` refuses the whole file ("depends on undefined service"); it usually means a service
was renamed (`airflow-webserver` to `airflow-apiserver` on Airflow 3) and one reference was left behind.

Bad:

    services:
      airflow-scheduler:
        depends_on: [airflow-init, postgress]
      postgres: {image: postgres:16}

Good:

    services:
      airflow-scheduler:
        depends_on: [postgres]
      postgres: {image: postgres:16}
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from airspec.lint.compose import services
from airspec.lint.model import FileContext, Hit, Rule


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    names = [n for n, _ in services(ctx)]
    for name, service in services(ctx):
        deps = service.get("depends_on")
        entries = (
            list(enumerate(deps))
            if isinstance(deps, list)
            else list(deps.items())
            if isinstance(deps, dict)
            else []
        )
        for key, value in entries:
            target = str(value) if isinstance(deps, list) else str(key)
            if target in names:
                continue
            at = (
                ctx.value("services", name, "depends_on", key)
                if isinstance(deps, list)
                else ctx.key("services", name, "depends_on", key)
            )
            close = difflib.get_close_matches(target, names, n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]}?" if close else ""
            yield Hit(at, f"service {name} depends on {target!r}, which this file does not define{hint}")


RULE = Rule(
    id="AS610",
    name="depends-on-missing",
    severity="error",
    category="consistency",
    files={"compose": check_compose},
)
