"""The few error types a user may see. Each prints as one line per problem, `error: ` added here and only here.

Which stream and exit code each one gets is decided in one table in the CLI (`cli.OUTCOMES`):
- a problem in the content of a file (YAML syntax, a duplicate key, a schema error): exit 1, like a finding;
- bad usage, a path that is missing or cannot be read, and failed writes: exit 2.
"""

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
        """`file:line:col: error: message`; with a rule id, as linters print it: `file:line:col: error AS101 message`."""
        if self.code:
            return f"{self.span}: {self.severity} {self.code} {self.message}"
        return f"{self.span}: {self.severity}: {self.message}"

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
    """Base of errors the CLI turns into messages and exit codes. The message is bare; str() adds `error: `
    (and the position, when there is one)."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(f"{span}: error: {message}" if span else f"error: {message}")
        self.span = span
        self.bare = message


class InputError(AirspecError):
    """A path that cannot be read at all: missing, a directory where a file is expected, not a regular file,
    unreadable. Exit 2."""


class ContentError(AirspecError):
    """A file that was read but whose content is unusable: not UTF-8, binary, too large, malformed YAML, a
    duplicate key, an alias bomb. Exit 1 (a problem in the file, as a schema error is)."""


class WriteError(AirspecError):
    """An output that cannot be written. Exit 2."""


class UsageError(AirspecError):
    """Bad command-line usage (unknown environment, conflicting flags). Exit 2."""


class SpecInvalid(AirspecError):
    """A spec that was read but does not validate. Exit 1; every problem on its own line."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics))
        Exception.__init__(self, "\n".join(str(d) for d in self.diagnostics))
        self.span = None
        self.bare = str(self)
