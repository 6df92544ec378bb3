"""An option that Airflow 3 moves, renames or removes (reported while the target is still Airflow 2).

Catches: on an Airflow 2 target, options the version still has but that `airflow config lint` lists as changed
in Airflow 3 (`[webserver] expose_config` -> `[api] expose_config`, `[core] dag_concurrency` ->
`max_active_tasks_per_dag`, `[scheduler] dag_dir_list_interval` -> `[dag_processor] refresh_interval`...), in
airflow.cfg, Helm `config:`, AIRFLOW__ variables and a spec's `config:`.

Why: it is fine today, and an upgrade blocker tomorrow; fixing it early (both names may be set during a
migration) keeps the Airflow 3 upgrade a version bump.

Bad:

    [scheduler]
    dag_dir_list_interval = 300

Good:

    [scheduler]
    # airspec: ignore[AS407] migrating in Q3
    dag_dir_list_interval = 300
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import Context, Hit, Rule
from airspec.lint.upgrade import change_of, from_config, known


def _check(ctx: Context) -> Iterator[Hit]:
    assert ctx.catalog is not None
    if ctx.catalog.runtime.airflow3_changes_apply:
        return
    for opt in ctx.options:
        change = change_of(ctx, opt)
        if change is None or not known(ctx, opt) or not from_config(opt, ctx):
            continue
        if change.kind in ("moved", "renamed") and change.target:
            yield Hit(
                opt.key, f"Airflow 3 reads {opt.label} as {change.target}; plan the move before upgrading"
            )
        elif change.kind == "removed":
            yield Hit(opt.key, f"Airflow 3 removes {opt.label}; plan to drop it before upgrading")


RULE = Rule(
    id="AS407",
    name="airflow3-preview",
    severity="info",
    category="upgrade",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
