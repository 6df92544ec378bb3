"""Findings -> text for people and tools: text, json, sarif, github (workflow annotations), junit.

Each format is one module with `render(report) -> str`; FORMATS names them, and a module is imported only when
its format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from airspec.errors import Diagnostic

if TYPE_CHECKING:  # types only: the CLI imports FORMATS for every command, and lint.versions costs ~4 ms
    from airspec.lint.model import Rule
    from airspec.lint.versions import Target

FORMATS = ("text", "json", "sarif", "github", "junit")


class Report(NamedTuple):
    findings: list[Diagnostic]
    files: list[str]
    rules: tuple[Rule, ...]
    tool_version: str = ""
    targets: tuple[Target, ...] = ()  # the Airflow version each raw file was linted for, and why

    def target(self, file: str) -> Target | None:
        return next((t for t in self.targets if t.file == file), None)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def formatter(name: str) -> Callable[[Report], str]:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    module = importlib.import_module(f"airspec.report.{name}")
    render: Callable[[Report], str] = module.render
    return render
