"""A JSON list of findings: {"rule", "severity", "message", "file", "line", "column"}."""

from __future__ import annotations

import json

from airspec.report import Report


def render(report: Report) -> str:
    items = [
        {
            "rule": d.code,
            "severity": d.severity,
            "message": d.message,
            "file": d.span.file,
            "line": d.span.line,
            "column": d.span.col,
        }
        for d in report.findings
    ]
    return json.dumps(items, indent=2) + "\n"
