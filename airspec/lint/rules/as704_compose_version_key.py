"""A compose file still has the top-level `version:` key.

Catches: `version: "3.8"` (any value) at the top of a docker-compose file.

Why: the Compose Specification ignores it and `docker compose` warns that it is obsolete on every run; it
suggests features of a file format that no longer decides anything.

Bad:

    version: "3.8"
    services: {}

Good:

    services: {}
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    if isinstance(ctx.data, dict) and "version" in ctx.data:
        yield Hit(ctx.key("version"), "the top-level `version:` is obsolete: Compose ignores it; remove it")


RULE = Rule(
    id="AS704",
    name="compose-version-key",
    severity="info",
    category="delivery",
    files={"compose": check_compose},
)
