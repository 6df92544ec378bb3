"""Production logs at DEBUG level.

Catches: a production spec with `logging.level: DEBUG`; `[logging] logging_level = DEBUG` in airflow.cfg, Helm
`config:` or AIRFLOW__LOGGING__LOGGING_LEVEL.

Why: DEBUG logs every SQL statement and scheduler decision: log volume (and remote log storage cost) grows by
orders of magnitude, the scheduler slows down, and the few lines that matter drown. It can also log request
details that INFO keeps out.

Bad:

    [logging]
    logging_level = DEBUG

Good:

    [logging]
    logging_level = INFO
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule, SpecContext


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    if ctx.production and ctx.resolved.spec.logging.level == "DEBUG":
        yield Hit(
            ctx.value("logging", "level"),
            "production logs at DEBUG: huge log volume, slower scheduler; use INFO",
        )


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    opt = ctx.option("logging", "logging_level")
    if opt is not None and (opt.value or "").upper() == "DEBUG":
        yield Hit(
            opt.at, f"{opt.label} is DEBUG: huge log volume, slower scheduler; use INFO outside debugging"
        )


RULE = Rule(
    id="AS304",
    name="debug-logging",
    severity="info",
    category="observability",
    spec=check_spec,
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
