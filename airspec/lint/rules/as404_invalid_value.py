"""An option is set to a value the target version no longer accepts.

Catches: what `airflow config lint` reports as "Invalid value", e.g. `[core] parallelism = 0` (unlimited on
Airflow 2, refused on Airflow 3), in every input kind; in a spec, `core.parallelism: 0`.

Why: the value meant something before the upgrade and is an error after it: Airflow refuses it or the
component that reads it fails.

Bad:

    [core]
    parallelism = 0

Good:

    [core]
    parallelism = 128
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import Context, Hit, Rule
from airspec.lint.upgrade import change_of, same


def _check(ctx: Context) -> Iterator[Hit]:
    assert ctx.catalog is not None
    if not ctx.catalog.runtime.airflow3_changes_apply:
        return  # these are Airflow 3 rules; Airflow 2 still accepts the values
    for opt in ctx.options:
        change = change_of(ctx, opt)
        if change is not None and change.kind == "invalid_value" and same(opt.value, change.old_value):
            yield Hit(
                opt.at,
                f"Airflow {ctx.catalog.line} does not accept {opt.value!r} for {opt.label} (it meant something "
                "else on Airflow 2); set a supported value",
            )


RULE = Rule(
    id="AS404",
    name="invalid-value",
    severity="error",
    category="upgrade",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
