"""Helm values set one Airflow option twice: in `config:` and as an AIRFLOW__ variable in `env:`.

Catches: an option given both under `config:` and as `AIRFLOW__<SECTION>__<OPTION>` in `env:` of the same
values file, with different values.

Why: Airflow gives environment variables precedence over airflow.cfg, so the `config:` value is dead, yet it is
the one people read (and the one `airflow config get-value` in a debug pod does not show).

Bad:

    config:
      core:
        parallelism: 64
    env:
      - name: AIRFLOW__CORE__PARALLELISM
        value: "32"

Good:

    config:
      core:
        parallelism: 64
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import same_value
from airspec.lint.model import FileContext, Hit, Rule


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    config = {(o.section, o.name): o for o in ctx.options if o.label.startswith("config.")}
    for opt in ctx.options:
        if opt.label.startswith("config."):
            continue
        other = config.get((opt.section, opt.name))
        if other is not None and not same_value(opt.value, other.value):
            yield Hit(
                opt.key,
                f"{opt.label} overrides {other.label} (line {other.at.line}) with a different value; "
                "Airflow uses the variable, so keep one",
            )


RULE = Rule(
    id="AS608",
    name="option-set-twice",
    severity="warning",
    category="consistency",
    files={"helm-values": check_helm},
)
