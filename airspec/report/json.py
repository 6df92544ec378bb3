"""A JSON list of findings: {"rule", "severity", "message", "file", "line", "column"}, and for raw files
"airflow_version": {"version", "catalog_line", "facts_from", "reason", "note"} (what the file was linted for)."""

from __future__ import annotations

import json

from airspec.lint.versions import Target
from airspec.report import Report


def render(report: Report) -> str:
    items = []
    for d in report.findings:
        item: dict[str, object] = {
            "rule": d.code,
            "severity": d.severity,
            "message": d.message,
            "file": d.span.file,
            "line": d.span.line,
            "column": d.span.col,
        }
        target = report.target(d.span.file)
        if target is not None:
            item["airflow_version"] = describe(target)
        items.append(item)
    return json.dumps(items, indent=2) + "\n"


def describe(target: Target) -> dict[str, str | None]:
    return {
        "version": target.version,
        "catalog_line": target.line,
        "facts_from": target.release,
        "reason": target.reason,
        "note": target.note,
    }
