"""A value is wrapped in quotes that Airflow keeps as part of it.

Catches: a string option whose whole value is in quotes: `executor = "CeleryExecutor"` or
`dags_folder = '/opt/airflow/dags'` in airflow.cfg, the same in Helm `config:` (the chart writes it into
airflow.cfg as it is), and AIRFLOW__ variables whose value holds the quotes (`- AIRFLOW__CORE__EXECUTOR="CeleryExecutor"`
in a compose `environment:` list, which compose keeps as written, or `'"CeleryExecutor"'`). Options Airflow reads as
booleans or numbers are AS210's, options with a fixed set of values this rule's (AS211 leaves quoted values to it).

Why: neither Airflow's configparser nor its reading of AIRFLOW__ variables strips quotes, so the quotes become part
of the value: `"CeleryExecutor"` is no executor (Airflow stops with "doesn't look like a module path"), a quoted path
names a folder that does not exist, a quoted list's first and last items carry a quote each.

Bad:

    [core]
    executor = "CeleryExecutor"

Good:

    [core]
    executor = CeleryExecutor
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule
from airspec.optvalue import shown

_QUOTES = ("'", '"')


def quoted(value: str | None) -> bool:
    """Whether a whole value is in one pair of matching quotes (`"x"`, `''`)."""
    text = (value or "").strip()
    return len(text) >= 2 and text[0] in _QUOTES and text[-1] == text[0]


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    for opt in ctx.options:
        known = ctx.catalog.option(opt.section, opt.name)
        text = opt.raw if opt.value is None else opt.value  # `"${VAR}"`: the quotes stay around what it holds
        if known is None or known.type != "string" or not quoted(text):
            continue
        what = "" if known.sensitive else f" (it reads {shown(text.strip())})"
        yield Hit(
            opt.at,
            f"{opt.label} is wrapped in quotes, which Airflow keeps as part of the value{what}; remove them",
        )


RULE = Rule(
    id="AS213",
    name="quoted-value",
    severity="error",
    category="reliability",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
