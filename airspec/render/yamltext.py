"""Deterministic YAML text for artifacts.

Keys keep the order the renderer built them in (renderers sort what has no meaning of order). A string that any
YAML 1.1 or 1.2 reader could take for something else (`on`, `yes`, `3.10`, `null`, `0o17`) is quoted, because the
consumers differ: Helm reads YAML 1.1, Compose and Kubernetes 1.2. Multi-line strings become literal blocks.

The emitter is our own, for exactly the data renderers build (dict, list, str, int, float, bool, None): ruamel's
pure-Python emitter took most of a compile. It writes what ruamel wrote with the settings this module used to give
it (block style, mapping indent 2, sequences indented 4 with the dash at offset 2, width 65536), byte for byte,
except where ruamel's text did not read back as the data:
- a string holding NEL (U+0085) is double-quoted: single-quoted, the NEL reads back as a line break or a space;
- at the top level, a literal block whose last line is `---` or `...` is indented, and a quoted or folded scalar
  is not broken before such a line: there the line would start a new document;
- where a line passes 64 KiB and ruamel folds it: a double-quoted scalar folded right after an escape gets a `\\`
  (without, the reader adds a space), and a plain one is not folded after two spaces (the reader would keep one);
And a list or dict that appears twice is written out twice, where ruamel wrote an anchor and an alias.
tests/test_yamltext.py keeps the old implementation as an oracle and checks all of this.
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

_STR = "tag:yaml.org,2002:str"
_WIDTH = 1 << 16  # ruamel folds a scalar whose line would pass this column (see _fold)
# A key this long (ruamel's 128 less the `!!str` or `!!int` it counts too), or with a line break, is written as
# `? key` and `: value`.
_MAX_SIMPLE_KEY = 123
_BREAKS = "\n\x85\u2028\u2029"
_WS = "\0 \t\r\n\x85\u2028\u2029"
# A character that must be escaped (ruamel writes unicode as it is, apart from the BOM).
# Written as the complement of what is printable (`\n`, 20-7E, 85, A0-D7FF, E000-FEFE, FF00-FFFD, 10000-10FFFF):
# the negated class with those wide ranges takes the regex compiler milliseconds; tests check both are one set.
_SPECIAL = "[\x00-\x09\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]"


class _Patterns(NamedTuple):
    """The emitter's regexes, built from the character classes of the text they read (see _patterns)."""

    # What keeps a string from being plain in block context, as ruamel's analyze_scalar decides: a document marker
    # or an indicator at the start, `: ` or a final `:`, ` #`, a space at either end, a line break, a special
    # character.
    not_plain: re.Pattern[str]
    # What keeps it from being single-quoted: a space beside a line break, a special character, NEL.
    not_single: re.Pattern[str]
    break_run: re.Pattern[str]
    double_escape: re.Pattern[str]
    # Document markers: a line a top-level scalar was folded or broken before.
    folded_marker: re.Pattern[str]
    broken_marker: re.Pattern[str]


def _patterns(breaks: str, ws: str, special: str, escape: str) -> _Patterns:
    return _Patterns(
        re.compile(
            rf"\A(?:---|\.\.\.|[-?](?:[{ws}]|\Z)|[#,\[\]{{}}&*!|>'\"%@`])"
            rf"|:(?:[{ws}]|\Z)|[{ws}]#|\A |\ \Z|[{breaks}]|{special}"
        ),
        re.compile(rf"[{breaks}] | [{breaks}]|{special}|\x85"),
        re.compile(f"[{breaks}]+"),
        re.compile(escape),
        re.compile(rf"\n(?:---|\.\.\.)(?:[{ws}]|\Z)"),
        re.compile(rf"[{breaks}](?:---|\.\.\.)[{ws}]"),
    )


# A character that must be escaped in double quotes: `"`, `\\`, NEL, LS, PS and the BOM, and what is not 20-7E,
# A0-D7FF, E000-FFFD or 10000-10FFFF.
_DOUBLE_ESCAPE = '["\\\\\x85\u2028\u2029\ufeff]|[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]'
# Text of ASCII only can meet only the ASCII members of each class, so the same patterns built from those
# members read it exactly as the full ones do; they compile in a fraction of the time (the full classes took
# ~6 ms of every compile), and the full ones are built for the first string that needs them.
_ASCII = _patterns("\n", "\0 \t\r\n", "[\x00-\x09\x0b-\x1f\x7f]", '["\\\\]|[\x00-\x1f\x7f]')


@functools.cache
def _unicode() -> _Patterns:
    return _patterns(_BREAKS, _WS, _SPECIAL, _DOUBLE_ESCAPE)


def _rx(text: str) -> _Patterns:
    """The patterns for reading `text`."""
    return _ASCII if text.isascii() else _unicode()


_ESCAPES = {
    "\0": "0",
    "\x07": "a",
    "\x08": "b",
    "\t": "t",
    "\n": "n",
    "\x0b": "v",
    "\x0c": "f",
    "\r": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\x85": "N",
    "\u2028": "L",
    "\u2029": "P",
}
# A line of a top-level literal block that is a document marker.
_LITERAL_MARKER = re.compile(r"(?:\A|\n)(?:---|\.\.\.)(?:[ \r\n]|\Z)")


class Document(NamedTuple):
    """What a renderer decided, before it is YAML text: `dump(*document)` writes it."""

    data: Any
    header: str


def dump(data: Any, header: str = "") -> str:
    """YAML text with `header` as leading `# ` comment lines, `\\n` endings and a final newline."""
    emitter = _Emitter()
    kind = type(data)
    if kind is dict and data:
        emitter.mapping(data, 0, "")
    elif kind is list and data:
        emitter.sequence(data, 0, "")
    else:
        emitter.out.append(emitter.leaf(data, 0, None))
    if emitter.open_ended:
        emitter.out.append("...\n")
    prefix = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) if header else ""
    return prefix + "".join(emitter.out)


def _ambiguous(text: str) -> bool:
    """Could a YAML 1.1 or 1.2 reader take this plain string for something else?

    It asks ruamel's implicit resolvers of both versions, as VersionedResolver.resolve does (by first character),
    without resolve's per-call overhead: a string is ambiguous if any resolver's pattern matches it.
    """
    first = text[:1]
    return any(
        tag != _STR and pattern.match(text)
        for table in _resolver_tables()
        for tag, pattern in (*table.get(first, ()), *table.get(None, ()))
    )


@functools.cache
def _resolver_tables() -> tuple[dict[Any, Any], ...]:
    """ruamel's implicit resolver tables of YAML 1.1 and 1.2 (by first character), built once per process."""
    from ruamel.yaml.resolver import VersionedResolver

    return tuple(VersionedResolver(version=v).versioned_resolver for v in ((1, 1), (1, 2)))


class _Emitter:
    """Block-style YAML into `out`. Each method continues the line its caller began and ends with a line break.

    Indents follow ruamel: a mapping's entries at `indent`, a nested mapping 2 deeper; a sequence's dashes 2 past
    `indent`, its items at `indent + 4`; a sequence under a key at the key's own indent.
    """

    def __init__(self) -> None:
        self.out: list[str] = []
        self.open_ended = False  # the last scalar was `|+` or plain at the top level: ruamel ends with `...`

    def mapping(self, data: dict[Any, Any], indent: int, lead: str) -> None:
        """Entries at `indent`; `lead` goes before the first key (the indent, or a space after `- ` or `: `)."""
        out = self.out
        pad = " " * indent
        for key, value in data.items():
            simple = self.simple_key(key, indent)
            kind = type(value)
            if simple is not None:
                out.append(lead + simple + ":")
                if kind is dict and value:
                    out.append("\n")
                    self.mapping(value, indent + 2, pad + "  ")
                elif kind is list and value:
                    out.append("\n")
                    self.sequence(value, indent, pad)
                else:
                    out.append(" " + self.leaf(value, indent + len(simple) + 2, indent + 2))
            else:
                out.append(lead + "? " + self.leaf(key, indent + 2, indent + 2) + pad + ":")
                if kind is dict and value:
                    self.mapping(value, indent + 2, " ")
                elif kind is list and value:
                    self.sequence(value, indent + 2, " ")
                else:
                    out.append(" " + self.leaf(value, indent + 2, indent + 2))
            lead = pad

    def sequence(self, data: list[Any], indent: int, lead: str) -> None:
        """Items `  - ` at `indent`; `lead` goes before the first dash."""
        out = self.out
        pad = " " * indent
        for item in data:
            kind = type(item)
            if kind is dict and item:
                out.append(lead + "  -")
                self.mapping(item, indent + 4, " ")
            elif kind is list and item:
                out.append(lead + "  -")
                self.sequence(item, indent + 4, " ")
            else:
                out.append(lead + "  - " + self.leaf(item, indent + 4, indent + 4))
            lead = pad

    def simple_key(self, key: Any, indent: int) -> str | None:
        """The key as written before `:`, or None when it is too long or has a line break (an explicit `? key`)."""
        if type(key) is str:
            text = _simple_key(key)
            if text is None:
                return None
            if indent + len(text) <= _WIDTH:  # else folded, as scalar() does
                self.open_ended = False
                return text
        text = self.scalar(key, indent, indent + 2, split=False)
        return text if len(text) < _MAX_SIMPLE_KEY or type(key) is str else None  # an int may be as long

    def leaf(self, value: Any, column: int, indent: int | None) -> str:
        """A scalar or an empty container, ending in a line break."""
        kind = type(value)
        if kind is dict or kind is list:
            self.open_ended = False
            return "{}\n" if kind is dict else "[]\n"
        text = self.scalar(value, column, indent)
        return text if text.endswith("\n") else text + "\n"

    def scalar(self, value: Any, column: int, indent: int | None, split: bool = True) -> str:
        """A scalar written from `column`; only a literal block ends in a line break.

        `indent` is where ruamel continues a broken line (None at the top level); `split` is False for a key.
        """
        kind = type(value)
        if kind is str:
            style, text = _string(value)
            if text is None:  # written across lines, at `indent`
                if style == "|":
                    self.open_ended = value == "\n" or value.endswith("\n\n")
                    return _literal(value, indent)
                if indent is None and _rx(value).broken_marker.search(value):
                    style, text = '"', _double_quoted(value)
                else:
                    text = _single_quoted(value, indent)
        else:
            style = ""
            if value is None:
                text = "null"
            elif kind is bool:
                text = "true" if value else "false"
            elif kind is int:
                text = str(value)
            elif kind is float:
                text = _float(value)
            else:
                raise TypeError(
                    f"YAML artifacts hold dict, list, str, int, float, bool and None, not {kind.__name__}"
                )
        if column + len(text) > _WIDTH:
            folded = _fold(style, value if kind is str else text, column, indent, split)
            if indent is not None or _rx(folded).folded_marker.search(folded) is None:
                text = folded
        self.open_ended = indent is None and style == ""
        return text


@functools.lru_cache(maxsize=1 << 14)
def _simple_key(key: str) -> str | None:
    """A string key as written before `:` where it fits on the line, or None when it is too long or has a line
    break. Memoised: artifacts repeat their keys."""
    if len(key) >= _MAX_SIMPLE_KEY or _rx(key).break_run.search(key):
        return None
    return _string(key)[1]  # not None: only text with a line break is written across lines


@functools.lru_cache(maxsize=1 << 14)
def _string(value: str) -> tuple[str, str | None]:
    """The style ruamel chose with the old Representer ('' plain, `'`, `"` or `|` literal), and the text when it
    does not depend on where it is written. Memoised: artifacts repeat their strings, and so do specs."""
    rx = _rx(value)
    if "\n" in value and value.replace("\n", "").isprintable() and not value.endswith(" "):
        style = "|"
    elif _ambiguous(value):
        style = '"' if rx.not_single.search(value) else "'"
    elif rx.not_plain.search(value) is None:
        style = ""
    elif "'" in value or "\n" in value or rx.not_single.search(value):
        style = '"'
    else:
        style = "'"
    text: str | None = None
    if style == "":
        text = value
    elif style == '"':
        text = _double_quoted(value)
    elif style == "'" and rx.break_run.search(value) is None:
        text = "'" + value.replace("'", "''") + "'"
    return style, text


def _single_quoted(text: str, indent: int | None) -> str:
    """Single quotes around a text with line breaks (LS or PS: ruamel writes them as they are, then the indent)."""
    pad = " " * (indent or 0)
    quoted = "'" + text.replace("'", "''") + "'"
    return _rx(text).break_run.sub(lambda m: ("\n" if m.group()[0] == "\n" else "") + m.group() + pad, quoted)


def _double_quoted(text: str) -> str:
    return '"' + _rx(text).double_escape.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    short = _ESCAPES.get(ch)
    if short is not None:
        return "\\" + short
    code = ord(ch)
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _literal(text: str, indent: int | None) -> str:
    """`|`, an indentation hint when the text starts with a space or break, chomping, then the lines."""
    hints = "2" if text[0] in " \n" else ""
    if indent is None:  # a top-level block sits at column 0 unless it must not
        indent = 2 if hints or _LITERAL_MARKER.search(text) else 0
    hints += "-" if not text.endswith("\n") else "+" if text == "\n" or text.endswith("\n\n") else ""
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    pad = " " * indent
    # No empty line to leave unindented: one join (a dashboard's JSON is a thousand lines).
    if "" not in lines:
        return "|" + hints + "\n" + pad + ("\n" + pad).join(lines) + "\n"
    return "|" + hints + "\n" + "".join(pad + line + "\n" if line else "\n" for line in lines)


def _float(value: float) -> str:
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def _fold(style: str, text: str, column: int, indent: int | None, split: bool) -> str:
    """A scalar whose line would pass the width, folded where ruamel's write_plain, write_single_quoted and
    write_double_quoted fold it. Only lines of 64 KiB get here; the code follows ruamel's step by step."""
    width, pad = _WIDTH, "\n" + " " * (indent or 0)
    out: list[str] = []
    size = len(text)
    start = 0
    if style == "":
        spaces = False
        for end in range(size + 1):
            ch = text[end] if end < size else None
            if spaces:
                if ch != " ":
                    fold = start + 1 == end and column >= width and split
                    column = _spaces(out, text[start:end], pad, column, fold)
                    start = end
            elif ch is None or ch == " ":
                data = text[start:end]
                # a word that would pass the width starts a new line; not after two spaces, where ruamel's
                # break leaves the reader one space of the two
                if (
                    len(data) + column > width
                    and indent is not None
                    and column > indent
                    and text[start - 2 : start] != "  "
                ):
                    out.append(pad)
                    column = len(pad) - 1
                out.append(data)
                column += len(data)
                start = end
            spaces = ch == " "
        return "".join(out)
    if style == "'":
        out.append("'")
        column += 1
        spaces = breaks = False
        for end in range(size + 1):
            ch = text[end] if end < size else None
            if spaces:
                if ch != " ":
                    fold = start + 1 == end and column > width and split and start != 0 and end != size
                    column = _spaces(out, text[start:end], pad, column, fold)
                    start = end
            elif breaks:
                if ch is None or ch not in _BREAKS:
                    out.append(("\n" if text[start] == "\n" else "") + text[start:end] + pad[1:])
                    column = len(pad) - 1
                    start = end
            elif (ch is None or ch in " '" + _BREAKS) and start < end:
                out.append(text[start:end])
                column += end - start
                start = end
            if ch == "'":
                out.append("''")
                column += 2
                start = end + 1
            if ch is not None:
                spaces, breaks = ch == " ", ch in _BREAKS
        return "".join(out) + "'"
    escaped = _rx(text).double_escape
    out.append('"')
    column += 1
    for end in range(size + 1):
        ch = text[end] if end < size else None
        if ch is None or escaped.match(ch):
            if start < end:
                out.append(text[start:end])
                column += end - start
                start = end
            if ch is not None:
                data = escaped.sub(_escape, ch)
                out.append(data)
                column += len(data)
                start = end + 1
        if 0 < end < size - 1 and (ch == " " or start >= end) and column + (end - start) > width and split:
            # no `\` when the line break can stand for the space at the fold (ruamel's rule, less its bug)
            backslash = text[max(start, end)] != " "
            try:
                space = text.index(" ", end)
                newline = text.find("\n", end, space)
                space = space if newline == -1 else newline
                if (
                    (text[space] == "\n" and text[space + 1] != " ")
                    or '"' in text[end:space]
                    or "'" in text[end:space]
                    or text[space + 1] in " \n"
                    or text[end - 1 : end + 1] == "  "
                    or start == end
                ):
                    backslash = True
            except (ValueError, IndexError):
                backslash = True
            out.append(text[start:end] + ("\\" if backslash else "") + pad)
            start = max(start, end)
            column = len(pad) - 1
            if text[start] == " ":
                if backslash:
                    out.append("\\")
                    column += 1
                else:
                    start += 1
    return "".join(out) + '"'


def _spaces(out: list[str], run: str, pad: str, column: int, fold: bool) -> int:
    """Write a run of spaces inside a quoted or plain scalar: a fold (a line break and the indent, `pad`) where
    `fold`, else the spaces themselves. Returns the column after it."""
    if fold:
        out.append(pad)
        return len(pad) - 1
    out.append(run)
    return column + len(run)
