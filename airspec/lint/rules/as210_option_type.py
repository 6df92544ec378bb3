"""An option's value is not of the type Airflow reads it as.

Catches: values of options the target version declares boolean, integer or float that Airflow's getboolean,
getint or getfloat would refuse (`True`, `t` and `1` are booleans, `yes` and `on` are not; `16.0` is an integer,
`16.5` is not), in airflow.cfg, Helm `config:` and AIRFLOW__ variables. Specs get the same check (airspec/optvalue.py)
from validation. A sensitive option's value is not quoted.

Why: Airflow converts the value when the code first reads it, so a bad value passes start-up and fails later
with "Failed to convert value", often in the scheduler loop or in every task.

Bad:

    [core]
    parallelism = thirty-two

Good:

    [core]
    parallelism = 32
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule
from airspec.optvalue import check


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    for opt in ctx.options:
        known = ctx.catalog.option(opt.section, opt.name)
        if known is None or opt.value is None:
            continue
        problem = check(known, opt.value)
        if problem is not None:
            yield Hit(opt.at, f"{opt.label}: {problem}")


RULE = Rule(
    id="AS210",
    name="option-type",
    severity="error",
    category="reliability",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
