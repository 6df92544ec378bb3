"""An option is set to an old default that the target version dropped.

Catches: what `airflow config lint` reports when an option still holds a value the new version removed
(`[logging] log_filename_template` with an Airflow 2 template, `[core] hostname = :`,
`[email] email_backend = airflow.contrib.utils.sendgrid.send_email`, `[elasticsearch] log_id_template`), in
every raw input kind and a spec's `config:`.

Why: the value names code or placeholders that no longer exist; Airflow ignores or rewrites it at start-up
with a warning, and tools that read the file see something else than Airflow uses.

Bad:

    [email]
    email_backend = airflow.contrib.utils.sendgrid.send_email

Good:

    [email]
    email_backend = airflow.utils.email.send_email_smtp
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import Context, Hit, Rule
from airspec.lint.upgrade import change_of, from_config, same


def _check(ctx: Context) -> Iterator[Hit]:
    assert ctx.catalog is not None
    for opt in ctx.options:
        change = change_of(ctx, opt)
        if change is None or change.kind != "removed_if_equals" or not from_config(opt, ctx):
            continue
        current = ctx.catalog.option(opt.section, opt.name)
        if current is not None and same(current.default, change.old_value):
            continue  # still this version's default
        if same(opt.value, change.old_value):
            default = f" (now {current.default!r})" if current is not None and current.default else ""
            yield Hit(
                opt.at,
                f"{opt.label} holds a value Airflow {ctx.catalog.line} no longer uses; delete the line to get the "
                f"new default{default}",
            )


RULE = Rule(
    id="AS405",
    name="removed-value",
    severity="warning",
    category="upgrade",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
