"""Text from elsewhere (a deployed value, a server's answer, a tool's stderr, a file name) made safe to print.

A terminal acts on what it is sent: ESC and CSI (C1 `\\x9b`) sequences clear the screen, move the cursor, or conceal
text (`ESC[8m`), OSC 8 makes links, `\\r` overwrites the line, and bidi controls (U+202E) reorder it, so that what is
read is not what is there. `printable` shows every such character as an escape instead, in the style of repr():
`\\x1b`, `\\r`, `\\u202e`. What counts is what `str.isprintable()` refuses (controls, format characters, line and
paragraph separators, spaces other than ' ', surrogates, private-use and unassigned code points); other text,
non-ASCII included, is left as it is. Backslashes are not doubled: the result is for reading, not for parsing back.
"""

from __future__ import annotations

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    """`text` with every character a terminal could act on, or that would not show, written as an escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
