"""An option's value is not of the type Airflow reads it as.

Catches: values of options the target version declares boolean, integer or float that Airflow's getboolean,
getint or getfloat would refuse (`True` and `1` are booleans; `yes` and `on` are not), in airflow.cfg, Helm
`config:` and AIRFLOW__ variables. Specs get the same check from validation.

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

from airspec.lint.helpers import airflow_bool
from airspec.lint.model import FileContext, Hit, Rule


def refused(kind: str, value: str) -> bool:
    """Whether Airflow's getter for `kind` raises on `value`."""
    if kind == "boolean":
        return airflow_bool(value) is None
    if kind == "integer":
        try:
            int(value)
            return False
        except ValueError:
            pass
        try:
            as_float = float(value)
            return as_float != int(as_float)
        except (ValueError, OverflowError):
            return True
    if kind == "float":
        try:
            float(value)
            return False
        except ValueError:
            return True
    return False


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    for opt in ctx.options:
        known = ctx.catalog.option(opt.section, opt.name)
        if known is None or opt.value is None or known.type not in ("boolean", "integer", "float"):
            continue
        if opt.value == "" and not known.default:
            continue  # empty means unset where the default is empty too
        if refused(known.type, opt.value):
            word = {"boolean": "True or False", "integer": "an integer", "float": "a number"}[known.type]
            yield Hit(opt.at, f"{opt.label} is {opt.value!r}, but Airflow reads it as {word}")


RULE = Rule(
    id="AS210",
    name="option-type",
    severity="error",
    category="reliability",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
