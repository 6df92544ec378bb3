"""A `%` in an airflow.cfg value stops Airflow from reading the file.

Catches: a `%` that is not written `%%` and does not start a `%(name)s` reference, and `%(name)s` references to
options the section does not have, in airflow.cfg and in Helm `config:` (the chart copies those values into
airflow.cfg as they are).

Why: Airflow reads airflow.cfg with ConfigParser's interpolation, so a single `%` (a log format, a URL-encoded
password, a strftime pattern) raises InterpolationSyntaxError when the option is read: the component crashes
at start-up or when it first needs the value.

Bad:

    [logging]
    log_format = %(asctime)s %(message)s 100%

Good:

    [logging]
    log_format = %%(asctime)s %%(message)s 100%%
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule
from airspec.source import Span

_TOKEN = re.compile(r"%%|%\((?P<ref>[^)]*)\)s|%")


def problems(value: str, names: set[str]) -> Iterator[tuple[int, str]]:
    """(offset, message) of each interpolation problem in a raw value."""
    for match in _TOKEN.finditer(value):
        token = match.group()
        if token == "%%":
            continue
        ref = match.group("ref")
        if ref is None:
            yield match.start(), "a single '%' makes Airflow fail to read this option; write it as '%%'"
        elif ref.lower() not in names:
            yield (
                match.start(),
                f"'%({ref})s' refers to an option this section does not set, so reading it fails; write '%%({ref})s' for a literal",
            )


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    sections: dict[str, set[str]] = {}
    for opt in ctx.options:
        sections.setdefault(opt.section, set()).add(opt.name)
    defaults = sections.get("DEFAULT", set())
    for opt in ctx.options:
        if ctx.kind == "helm-values" and (not opt.label.startswith("config.") or "{{" in opt.raw):
            continue  # env entries are not interpolated; Go templates are rendered by the chart first
        raw = opt.raw
        for offset, message in problems(raw, sections[opt.section] | defaults):
            head = raw[:offset]
            line = opt.at.line + head.count("\n")
            col = (opt.at.col + offset) if "\n" not in head else 1
            span = Span(opt.at.file, line, col) if ctx.kind == "airflow.cfg" else opt.at
            yield Hit(span, f"{opt.label}: {message}")


RULE = Rule(
    id="AS208",
    name="cfg-percent",
    severity="error",
    category="reliability",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg},
)
