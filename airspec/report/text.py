"""`file:line:col: severity ID message`, one finding a line, as editors and grep expect."""

from __future__ import annotations

from airspec.report import Report


def line(d: object) -> str:
    from airspec.errors import Diagnostic

    assert isinstance(d, Diagnostic)
    return f"{d.span}: {d.severity} {d.code} {d.message}"


def render(report: Report) -> str:
    return "".join(line(d) + "\n" for d in report.findings)
