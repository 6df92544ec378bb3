"""Airflow loads its example DAGs.

Catches: `[core] load_examples = True` written in airflow.cfg, Helm `config:` or AIRFLOW__CORE__LOAD_EXAMPLES
(the official docker-compose file sets it), and `core.load_examples: true` in a spec that is not
development_only.

Why: some eighty example DAGs are parsed again and again, fill the DAG list, the database and the metrics,
and some of them can be triggered by any user with run access (they run Bash commands).

Bad:

    environment:
      AIRFLOW__CORE__LOAD_EXAMPLES: 'true'

Good:

    environment:
      AIRFLOW__CORE__LOAD_EXAMPLES: 'false'
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import airflow_bool
from airspec.lint.model import FileContext, Hit, Rule, SpecContext


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    spec = ctx.resolved.spec
    if spec.core.load_examples and not spec.development_only:
        yield Hit(
            ctx.value("core", "load_examples"),
            "core.load_examples is true: ~80 example DAGs are parsed and listed",
        )


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    opt = ctx.option("core", "load_examples")
    if opt is not None and airflow_bool(opt.value) is True:
        yield Hit(opt.at, f"{opt.label} is on: ~80 example DAGs are parsed, listed and runnable; turn it off")


RULE = Rule(
    id="AS503",
    name="load-examples",
    severity="warning",
    category="performance",
    spec=check_spec,
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
