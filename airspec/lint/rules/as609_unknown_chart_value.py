"""Helm values hold a key the chart does not have, or a value its schema refuses.

Catches: keys of a values file that the official chart's `values.schema.json` does not declare (a typo, a key
written at the wrong level, a key of another chart release), with a did-you-mean; values of the wrong type or
outside an enum. The chart release is the one whose default Airflow version the file names, else the newest
one that supports the file's Airflow version. A wrapper chart's values nested under `airflow:` are checked
as the nested chart's. The webserver keys of Airflow 3 values are left to AS408.

Why: Helm passes unknown keys through without a word (and refuses a values file that breaks the schema only at
install time): a misspelt `replicaz` or `resources` one level too high leaves the chart's default in place
while the file says otherwise.

Bad:

    scheduler:
      replicaz: 2

Good:

    scheduler:
      replicas: 2
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.inputs import version_in
from airspec.lint.model import FileContext, Hit, Rule
from airspec.lint.rules.as408_webserver_on_airflow3 import webserver_keys


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    if not isinstance(ctx.data, dict) or ctx.version is None:
        return
    from airspec.catalog import charts

    named = tuple(
        str(ctx.get(key)) for key in ("airflowVersion", "defaultAirflowTag") if version_in(ctx.get(key))
    )
    release, _ = charts.release_for(ctx.version, named)
    told = {(k,) for k in webserver_keys(ctx)}  # AS408 says why the chart has no such key for Airflow 3
    for problem in charts.values_problems(release, ctx.data):
        if problem.path[:1] in told:
            continue
        where = ctx.key(*problem.path) if problem.unknown else ctx.value(*problem.path)
        yield Hit(where, problem.message)


RULE = Rule(
    id="AS609",
    name="unknown-chart-value",
    severity="warning",
    category="consistency",
    files={"helm-values": check_helm},
)
