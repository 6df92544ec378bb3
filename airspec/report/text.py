"""`file:line:col: severity ID message`, one finding a line, as editors and grep expect (Diagnostic.__str__)."""

from __future__ import annotations

from airspec.report import Report


def render(report: Report) -> str:
    return "".join(f"{d}\n" for d in report.findings)
