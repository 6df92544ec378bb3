"""The DAG import timeout is not shorter than the file processor timeout.

Catches: `[core] dagbag_import_timeout` at or above `dag_file_processor_timeout` (`[dag_processor]` on Airflow 3,
`[core]` on 2), when either is set (the defaults, 30 and 50 seconds, are fine).

Why: the file processor is killed at its timeout before the import timeout can fire, so a slow DAG file is
never reported as an import error: the DAG silently disappears or stays stale, with only a processor timeout
in the dag-processor's log.

Bad:

    [core]
    dagbag_import_timeout = 120
    [dag_processor]
    dag_file_processor_timeout = 50

Good:

    [core]
    dagbag_import_timeout = 120
    [dag_processor]
    dag_file_processor_timeout = 180
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import effective, first_place, parse_number
from airspec.lint.model import Context, Hit, Rule


def _check(ctx: Context) -> Iterator[Hit]:
    place = first_place(
        ctx, ("dag_processor", "dag_file_processor_timeout"), ("core", "dag_file_processor_timeout")
    )
    if place is None:
        return
    bag_value, bag = effective(ctx, "core", "dagbag_import_timeout")
    proc_value, proc = effective(ctx, *place)
    bag_s, proc_s = parse_number(bag_value), parse_number(proc_value)
    where = bag or proc
    if where is None or bag_s is None or proc_s is None or bag_s < proc_s:
        return
    yield Hit(
        where.at,
        f"dagbag_import_timeout ({bag_s:g} s) is not below [{place[0]}] {place[1]} ({proc_s:g} s): the processor "
        "is killed first and a slow DAG file never shows as an import error",
    )


RULE = Rule(
    id="AS606",
    name="dagbag-timeout",
    severity="warning",
    category="consistency",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
