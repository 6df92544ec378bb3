"""The web UI gives anonymous users a role with rights: `AUTH_ROLE_PUBLIC = 'Admin'`.

Catches: `AUTH_ROLE_PUBLIC` set to `Admin`, `Op` or `User` in the chart's `webserver.webserverConfig` or
`apiServer.apiServerConfig` (Flask AppBuilder's webserver_config.py), or in a misplaced top-level
`webserverConfig`.

Why: every visitor who reaches the UI gets that role without logging in: with Admin they read connections,
trigger and clear DAG runs, and change variables.

Bad:

    webserver:
      webserverConfig: |
        AUTH_ROLE_PUBLIC = 'Admin'

Good:

    webserver:
      webserverConfig: |
        AUTH_ROLE_PUBLIC = 'Public'
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule
from airspec.source import Span

_PUBLIC = re.compile(r"^\s*AUTH_ROLE_PUBLIC\s*=\s*['\"](?P<role>Admin|Op|User)['\"]", re.M)


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    for path in (("webserver", "webserverConfig"), ("apiServer", "apiServerConfig"), ("webserverConfig",)):
        text = ctx.get(*path)
        match = _PUBLIC.search(text) if isinstance(text, str) else None
        if match is None:
            continue
        at = ctx.value(*path)
        block = re.search(r"[|>][-+]?\d*\s*$", ctx.lines[at.line - 1]) is not None
        line = at.line + text[: match.start()].count("\n") + (1 if block else 0)
        col = ctx.lines[line - 1].find("AUTH_ROLE_PUBLIC") + 1 if line <= len(ctx.lines) else 0
        yield Hit(
            Span(at.file, line, col) if col > 0 else at,
            f"AUTH_ROLE_PUBLIC = {match.group('role')!r} gives every anonymous visitor the {match.group('role')} "
            "role; use 'Public' (or remove it)",
        )


RULE = Rule(
    id="AS110",
    name="public-role",
    severity="error",
    category="security",
    files={"helm-values": check_helm},
)
