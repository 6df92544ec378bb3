"""An option whose default the target version changed is set to something else.

Catches: what `airflow config lint` reports as "Changed default value": `[core] executor`,
`[scheduler] catchup_by_default`, `create_cron_data_intervals`, `create_delta_data_intervals` set to a value
other than the new default, in airflow.cfg, Helm `config:`, AIRFLOW__ variables and a spec's `config:`.

Why: the value was probably written when it was the default; after the upgrade it is a deliberate deviation
from the new behaviour. Keep it only if you mean it (then suppress this finding), or delete the line.

Bad:

    [scheduler]
    catchup_by_default = True

Good:

    [scheduler]
    # catchup_by_default: Airflow 3's default (False)
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import Context, Hit, Rule
from airspec.lint.upgrade import change_of, from_config, same


def _check(ctx: Context) -> Iterator[Hit]:
    assert ctx.catalog is not None
    for opt in ctx.options:
        change = change_of(ctx, opt)
        if (
            change is None
            or change.kind != "default_change"
            or opt.value is None
            or not from_config(opt, ctx)
        ):
            continue
        current = ctx.catalog.option(opt.section, opt.name)
        if current is None or not same(current.default, change.new_value):
            continue  # the change is not in this version yet
        if not same(opt.value, change.new_value):
            yield Hit(
                opt.at,
                f"the default of {opt.label} changed from {change.old_value!r} to {change.new_value!r}; "
                f"this sets {opt.value!r}: keep it only if you mean it",
            )


RULE = Rule(
    id="AS403",
    name="default-changed",
    severity="info",
    category="upgrade",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
