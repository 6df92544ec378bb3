"""GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=ID::message` become annotations on the
pull request. info findings become notices."""

from __future__ import annotations

from airspec.report import Report

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    out = []
    for d in report.findings:
        props = f"file={_property(d.span.file)},line={d.span.line},col={d.span.col},title={_property(d.code)}"
        out.append(f"::{_LEVEL[d.severity]} {props}::{_data(f'{d.code} {d.message}')}\n")
    return "".join(out)
