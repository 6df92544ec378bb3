"""An option's value is not one of the values Airflow accepts for it.

Catches: values of options with a fixed set of values in the target version (`[logging] logging_level`,
`[core] dag_ignore_file_syntax`, `[dag_processor] file_parsing_sort_mode`, ...) outside that set, in
airflow.cfg, Helm `config:` and AIRFLOW__ variables. A value in quotes is AS213's finding.

Why: Airflow checks these when it loads its configuration and refuses to start with "invalid value".

Bad:

    [logging]
    logging_level = VERBOSE

Good:

    [logging]
    logging_level = DEBUG
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule
from airspec.lint.rules.as213_quoted_value import quoted


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    for opt in ctx.options:
        allowed = ctx.catalog.enum_options.get(opt.section, {}).get(opt.name)
        if allowed and opt.value and opt.value not in allowed and not quoted(opt.value):  # AS213's
            shown = ", ".join(a or repr(a) for a in allowed)
            yield Hit(opt.at, f"{opt.label} is {opt.value!r}; Airflow {ctx.catalog.line} accepts {shown}")


RULE = Rule(
    id="AS211",
    name="option-enum",
    severity="error",
    category="reliability",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
