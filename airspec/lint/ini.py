"""airflow.cfg text -> sections and options with the line and column of each, read the way Airflow's parser
(Python's ConfigParser with its defaults) reads it.

Those defaults: `=` or `:` separates name and value; `#` and `;` start comment lines only (inline comments are
not enabled, so `x = 1  # note` has the value `1  # note`); a more indented line continues the value above;
option names are case-insensitive; a repeated section or option, or an option outside any section, stops
Airflow from starting (ConfigParser is strict), so each is reported here as unreadable input with its line.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from airspec.errors import ContentError
from airspec.source import Span

_SECTION = re.compile(r"\[(?P<name>.+)\]")
_OPTION = re.compile(r"(?P<name>.*?)\s*(?P<sep>[=:])\s*(?P<value>.*)$")


class Entry(NamedTuple):
    section: str
    name: str  # lower-cased, as Airflow looks it up
    value: str  # as written, continuation lines joined with "\n" (before %-interpolation)
    key: Span
    at: Span  # where the value starts


class Ini(NamedTuple):
    file: str
    sections: dict[str, Span]
    entries: list[Entry]

    def get(self, section: str, name: str) -> Entry | None:
        return next((e for e in self.entries if e.section == section and e.name == name), None)


class _Pending(NamedTuple):
    section: str
    name: str
    parts: list[str]
    key: Span
    at: Span
    indent: int


def parse(text: str, file: str) -> Ini:
    ini = Ini(file, {}, [])
    section: str | None = None
    seen: dict[tuple[str, str], int] = {}
    current: _Pending | None = None

    def finish(entry: _Pending | None) -> None:
        if entry is None:
            return
        parts = entry.parts
        while parts and not parts[-1]:
            parts.pop()
        ini.entries.append(Entry(entry.section, entry.name, "\n".join(parts), entry.key, entry.at))

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(("#", ";")):
            continue
        indent = len(line) - len(line.lstrip())
        if not stripped:
            if current is not None:
                current.parts.append("")
            continue
        if current is not None and indent > current.indent:
            current.parts.append(stripped)
            continue
        finish(current)
        current = None
        where = Span(file, number, indent + 1)
        header = _SECTION.match(stripped)
        if header:
            section = header.group("name")
            if section in ini.sections:
                first = ini.sections[section].line
                raise ContentError(
                    f"section [{section}] appears twice (first at line {first}); Airflow refuses the file",
                    where,
                )
            ini.sections[section] = where
            continue
        if section is None:
            raise ContentError("an option before any [section] header; Airflow refuses the file", where)
        option = _OPTION.match(stripped)
        if option is None or not option.group("name"):
            raise ContentError(f"expected 'name = value' or a [section] header, got {stripped[:60]!r}", where)
        name = option.group("name").lower()
        if (section, name) in seen:
            raise ContentError(
                f"[{section}] {name} is set twice (first at line {seen[(section, name)]}); Airflow refuses the file",
                where,
            )
        seen[(section, name)] = number
        value_at = Span(file, number, indent + option.start("value") + 1)
        current = _Pending(section, name, [option.group("value")], where, value_at, indent)
    finish(current)
    return ini


def comment_lines_above(text_lines: list[str], line: int) -> list[str]:
    """The block of comment lines directly above `line` (1-based), nearest first."""
    out: list[str] = []
    index = line - 2
    while index >= 0 and text_lines[index].strip().startswith(("#", ";")):
        out.append(text_lines[index].strip())
        index -= 1
    return out


def interpolated(value: str) -> str:
    """The value as Airflow's get() returns it for the common case: `%%` stands for `%`."""
    return value.replace("%%", "%")
