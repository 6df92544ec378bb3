"""The few error types a user may see. Each prints as one line per problem."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from airspec.source import Span


class Diagnostic(NamedTuple):
    span: Span
    severity: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"{self.span}: {self.severity}{code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class AirspecError(Exception):
    """Base of errors the CLI turns into messages and exit codes."""

    exit_code = 2


class InputError(AirspecError):
    """Input that cannot be read at all: missing, binary, malformed YAML, too large. Exit 2."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(f"{span}: error: {message}" if span else f"error: {message}")
        self.span = span
        self.bare = message


class ContentError(AirspecError):
    """A file that was read but whose content is unusable (an airflow.cfg Airflow's parser refuses). Exit 1."""

    exit_code = 1

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(f"{span}: error: {message}" if span else f"error: {message}")
        self.span = span
        self.bare = message


class SpecInvalid(AirspecError):
    """A spec that was read but does not validate. Exit 1."""

    exit_code = 1

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class UsageError(AirspecError):
    """Bad command-line usage (unknown environment, conflicting flags). Exit 2."""
