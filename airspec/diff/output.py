"""A diff report as text (grouped by artifact) or as the JSON document `--format json` prints.

Everything in a report may come from the deployment (values, keys, file names), so the text is printed through
`terminal.printable`: control characters, escape sequences and bidi overrides show as escapes and do nothing. JSON
needs nothing more: json.dumps writes every control and non-ASCII character as a \\u escape.
"""

from __future__ import annotations

import json
from typing import Any

from airspec.diff.model import Report
from airspec.terminal import printable

MAX_SHOWN = 160
_WIDTH = max(len(k) for k in ("changed", "added", "removed", "unverifiable"))


def as_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, default=str) + "\n"


def as_text(report: Report) -> str:
    lines: list[str] = []
    for compared in report.compared:
        changes = [c for c in report.changes if c.path == compared.path]
        lines.append(f"{compared.artifact} ({compared.path}) <- {compared.source}")
        if not changes:
            lines.append("  no drift")
        for c in changes:
            where = f"  [{c.spec_line}]" if c.spec_line else ""
            note = f"; {c.note}" if c.note else ""
            lines.append(
                f"  {c.kind:<{_WIDTH}}  {c.location}: {_values(c.kind, c.spec_value, c.deployed_value)}{note}{where}"
            )
    if report.missing:
        lines.append(f"not in the source: {', '.join(report.missing)}")
    drift = [c for c in report.changes if c.is_drift]
    unverifiable = len(report.changes) - len(drift)
    extra = f", {unverifiable} unverifiable" if unverifiable else ""
    artifacts = len({c.path for c in drift})
    if drift:
        lines.append(
            f"drift: {len(drift)} change{'s' * (len(drift) != 1)} in {artifacts} artifact{'s' * (artifacts != 1)}{extra}"
        )
    else:
        lines.append(
            f"no drift: {len(report.compared)} artifact{'s' * (len(report.compared) != 1)} compared{extra}"
        )
    return "".join(printable(line) + "\n" for line in lines)


def _values(kind: str, spec: Any, deployed: Any) -> str:
    if kind == "added":
        return f"deployed {show(deployed)}, not in what the spec compiles to"
    if kind == "removed":
        return f"spec {show(spec)}, not deployed"
    if kind == "unverifiable":
        return f"spec {show(spec)}, deployed value not visible"
    return f"spec {show(spec)}, deployed {show(deployed)}"


def show(value: Any) -> str:
    """A value on one line, cut at MAX_SHOWN characters (the JSON format has it whole)."""
    if value is None:
        return "(not set)"
    if isinstance(value, str):
        plain = value and value == value.strip() and "\n" not in value
        text = value if plain else json.dumps(value)
    else:
        text = json.dumps(value, sort_keys=True, default=str)
    if len(text) > MAX_SHOWN:
        return f"{text[: MAX_SHOWN - 1]}… ({len(text)} characters)"
    return text
