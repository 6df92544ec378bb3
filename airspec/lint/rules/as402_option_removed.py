"""An option the target Airflow version removed.

Catches: options the target version no longer has and that have no new place: those `airflow config lint`
reports as removed, and those it misses but the version's option list no longer has
(`[scheduler] schedule_after_task_execution`, `[scheduler] standalone_dag_processor`, `[core] donot_pickle` on
3.1+, ...), back to 1.10: `[webserver] rbac` and `authenticate` and whole sections such as `[mesos]` and `[ldap]`
are gone from 2.0 on. The message names the release that removed it, and says so when the target version reads
no such section at all. In airflow.cfg, Helm `config:` and AIRFLOW__ variables; specs get it from validation.

Why: Airflow ignores the option: whatever it used to control now behaves the new way, regardless of the
value written here, and the file misleads its readers.

Bad:

    [scheduler]
    standalone_dag_processor = True

Good:

    [dag_processor]
    # Airflow 3 always runs the dag-processor separately
    refresh_interval = 300
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule
from airspec.lint.upgrade import change_of, known


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    for opt in ctx.options:
        change = change_of(ctx, opt)
        if change is not None and change.kind == "removed" and not known(ctx, opt):
            since = change.since or ctx.catalog.line
            if opt.section not in ctx.catalog.sections():
                message = (
                    f"{opt.label} was removed in Airflow {since}: Airflow {ctx.catalog.line} reads no "
                    f"[{opt.section}] section at all; delete it"
                )
            else:
                message = f"{opt.label} was removed in Airflow {since} and is ignored; delete it"
            yield Hit(opt.key, message)


RULE = Rule(
    id="AS402",
    name="option-removed",
    severity="error",
    category="upgrade",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
