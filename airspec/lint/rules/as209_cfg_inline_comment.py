"""An inline comment in airflow.cfg becomes part of the value.

Catches: a value in airflow.cfg with ` #` or ` ;` after it (`parallelism = 32  # per scheduler`).

Why: Airflow's parser does not enable inline comments, so the comment is part of the value: an integer option
fails to convert (`32  # per scheduler`), a path or URL gets a tail. Only booleans happen to survive, because
Airflow's getboolean cuts at `#`. Put comments on their own line.

Bad:

    [core]
    parallelism = 32  # per scheduler

Good:

    [core]
    # per scheduler
    parallelism = 32
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule
from airspec.source import Span

_INLINE = re.compile(r"\s[#;]")


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    for opt in ctx.options:
        first = opt.raw.split("\n", 1)[0]
        match = _INLINE.search(first)
        if match:
            at = Span(opt.at.file, opt.at.line, opt.at.col + match.start() + 1)
            kept = first[: match.start()].rstrip()
            yield Hit(
                at,
                f"{opt.label}: Airflow keeps this comment as part of the value ({first!r}, not {kept!r}); "
                "move it to its own line",
            )


RULE = Rule(
    id="AS209",
    name="cfg-inline-comment",
    severity="warning",
    category="reliability",
    files={"airflow.cfg": check_cfg},
)
