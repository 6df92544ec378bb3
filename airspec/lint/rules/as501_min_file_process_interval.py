"""DAG files are re-parsed more often than the default.

Catches: `min_file_process_interval` (`[dag_processor]` on Airflow 3, `[scheduler]` on 2) below the target
version's default, from a spec's `core.min_file_process_interval` or any raw input.

Why: every parse imports each DAG file again: with many DAGs, a short interval keeps the dag-processor's CPUs
busy and adds database writes, while DAG changes rarely need to show up faster than the default.

Bad:

    core:
      min_file_process_interval: 5s

Good:

    core:
      min_file_process_interval: 60s
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import parse_number
from airspec.lint.model import Context, Hit, Rule


def _check(ctx: Context) -> Iterator[Hit]:
    assert ctx.catalog is not None
    for opt in ctx.options:
        if opt.name != "min_file_process_interval" or opt.section not in ("dag_processor", "scheduler"):
            continue
        known = ctx.catalog.option(opt.section, opt.name)
        default, value = parse_number(known.default if known else None), parse_number(opt.value)
        if default is not None and value is not None and value < default:
            yield Hit(
                opt.at,
                f"{opt.label} is {value:g} s, below the default {default:g} s: every DAG file is re-imported that "
                "often, which keeps the dag-processor busy",
            )


RULE = Rule(
    id="AS501",
    name="min-file-process-interval",
    severity="info",
    category="performance",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
