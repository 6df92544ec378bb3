"""A log template uses `execution_date`, which Airflow 3 no longer gives it.

Catches: on Airflow 3, `execution_date` (also `ti.execution_date`, `prev_execution_date`, ...) in
`[logging] log_filename_template`, `[elasticsearch] log_id_template` or `[opensearch] log_id_template`, in every
input that sets options.

Why: Airflow 3 renders `log_filename_template` with `dag_id`, `task_id`, `run_id`, `data_interval_start`,
`data_interval_end`, `logical_date` and `try_number` (`{...}` form) or with `ti`, `ts` and `try_number` (Jinja form):
`{execution_date}` stops task log writing and reading with a KeyError, `{{ execution_date }}` renders as nothing,
so every run of a task writes to the same file. In log ids the date is the run's logical date, which Airflow 3 runs
may not have (manual and asset-triggered runs), so the logs of different runs share one id.

Bad:

    [logging]
    log_filename_template = {{ ti.dag_id }}/{{ ti.task_id }}/{{ execution_date }}/{{ try_number }}.log

Good:

    [logging]
    log_filename_template = dag_id={{ ti.dag_id }}/run_id={{ ti.run_id }}/task_id={{ ti.task_id }}/attempt={{ try_number }}.log
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import Context, Hit, Rule

_TEMPLATES = (
    ("logging", "log_filename_template"),
    ("elasticsearch", "log_id_template"),
    ("opensearch", "log_id_template"),
)


def _check(ctx: Context) -> Iterator[Hit]:
    if ctx.catalog is None or not ctx.catalog.runtime.airflow3_changes_apply:
        return
    for opt in ctx.options:
        if (opt.section, opt.name) not in _TEMPLATES or "execution_date" not in (opt.value or ""):
            continue
        assert opt.value is not None
        if opt.name == "log_filename_template" and "{{" not in opt.value:
            effect = "Airflow 3 fails to write and read task logs (KeyError: 'execution_date')"
        elif opt.name == "log_filename_template":
            effect = "Airflow 3 renders it as nothing, so every run of a task writes the same log file"
        else:
            effect = "Airflow 3 runs may have no logical date, so the logs of different runs share one id"
        yield Hit(opt.at, f"{opt.label} uses execution_date: {effect}; use run_id instead")


RULE = Rule(
    id="AS409",
    name="execution-date-template",
    severity="error",
    category="upgrade",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
