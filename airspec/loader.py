"""YAML text -> plain data + source map.

Built on a YAML composer (node graph with positions, YAML 1.2: `on`/`yes` stay strings) rather than a constructor,
so that every key and value keeps its position, duplicate keys name both lines, only the standard tags are
accepted, and alias expansion, nesting depth and file size are bounded before anything large is built. The graph
comes from libyaml's events (ruamel.yaml.clib) where libyaml reads the text, otherwise from ruamel.yaml's
pure-Python composer, which also words every refusal (see _compose).
"""

from __future__ import annotations

import functools
import math
import os
import re
import stat
from typing import Any, NamedTuple

from airspec.errors import ContentError, InputError
from airspec.source import Path, SourceMap, Span
from airspec.terminal import printable

MAX_BYTES = 4 * 1024 * 1024
BOM = "\ufeff"  # a UTF-8 byte-order mark, as decoded text
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_COMMENT_RUN = 10_000
# Text after alias expansion (the file itself is at most MAX_BYTES).
MAX_EXPANDED_CHARS = 16 * 1024 * 1024

_STD = "tag:yaml.org,2002:"
_BRACKETS = re.compile(r"[\[\]{}]")
_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*|0[0-9_]+)$")
# Rare text the two parsers read differently, left to the pure parser alone so that both give one answer:
# libyaml counts NEL, LS and PS as line breaks (YAML 1.1; 1.2 does not), skips byte order marks that ruamel reads
# as text, and takes a repeated document end marker (`...`) that ruamel refuses.
_PURE_ONLY = re.compile("[\x85\u2028\u2029\ufeff]|^\\.\\.\\.", re.MULTILINE)


class Loaded(NamedTuple):
    """A YAML document as plain Python data, with where each part of it was written."""

    # A NamedTuple (like Masker): dataclasses' import and class builds were ~3.5 ms of every raw-file lint.
    data: Any
    source: SourceMap
    text: str
    # What a reader derives from the document once and reuses (validation's split of the positions by
    # environment): kept with the document, so that it lives exactly as long as the document. Each load makes it.
    derived: dict[str, Any]


def read_text(path: str) -> str:
    """Read a regular file as UTF-8 text, or raise one clear InputError.

    Anything else is refused before it is opened (a FIFO or a terminal would block the read forever, a device may
    never end); the file is opened without blocking and checked again, in case the path changed in between."""
    shown = printable(path)
    special = {
        stat.S_IFIFO: "a FIFO (named pipe)",
        stat.S_IFSOCK: "a socket",
        stat.S_IFCHR: "a character device",
    }
    special[stat.S_IFBLK] = "a block device"
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{shown}: is a directory, expected a file")
        fd = -1
        if stat.S_ISREG(mode):
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
            mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            if fd >= 0:
                os.close(fd)
            kind = special.get(stat.S_IFMT(mode), "a special file")
            raise InputError(f"{shown}: is {kind}, not a regular file")
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        raise InputError(f"{shown}: no such file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    return decode(raw, shown)


def decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:
        raise ContentError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB", Span(name, 1, 1))
    if b"\0" in raw:
        raise ContentError(
            "binary data (NUL byte): expected a UTF-8 text file", _span_at(raw, raw.index(b"\0"), name)
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError("not valid UTF-8 text", _span_at(raw, exc.start, name)) from None
    return text  # a byte-order mark stays: YAML and .env readers skip it, Airflow's airflow.cfg reader refuses it


def _text_span(text: str, offset: int, name: str) -> Span:
    before = text[:offset]
    return Span(name, before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


def _span_at(raw: bytes, offset: int, name: str) -> Span:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return Span(name, line, col)


def load_file(path: str) -> Loaded:
    return load_text(read_text(path), path)


def load_text(text: str, name: str) -> Loaded:
    """Parse one YAML document; raise InputError with a position for anything unusable."""
    text = text.removeprefix(BOM)  # YAML allows one at the start of a stream
    node, by_libyaml = _parse(text, name, pure=False)
    if node is None:
        return Loaded({}, SourceMap(name, {}, {}), text, {})
    # Only an alias (`*name`) makes the document larger than its text, whose nodes composing counted: the walk is
    # skipped without one (~1 ms of each spec read).
    if "*" in text or len(text) > MAX_EXPANDED_CHARS:
        size = _expanded_size(node, {}, name)
        if size > MAX_NODES:
            raise ContentError(
                f"document expands to more than {MAX_NODES} nodes (alias expansion is bounded)",
                Span(name, node.start_mark.line + 1, node.start_mark.column + 1),
            )
    try:
        return _built(node, name, text)
    except ContentError:
        if not by_libyaml:
            raise
    # libyaml read it and something in it is refused (a tag, a duplicate key, a merge): the pure parser reads it
    # again, so that the message is the same whichever parser read the text.
    return _built(_parse(text, name, pure=True)[0], name, text)


def _built(node: Any, name: str, text: str) -> Loaded:
    source = SourceMap(name, {}, {})
    return Loaded(_Builder(source).build(node, (), 0), source, text, {})


def _parse(text: str, name: str, pure: bool) -> tuple[Any, bool]:
    """The node graph (None for an empty document), and whether libyaml composed it."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        _check_brackets(text, name)
        _check_comment_runs(text, name)
        return _compose(text, pure)
    except _TooDeep as exc:
        raise ContentError(
            f"nesting deeper than {MAX_DEPTH} levels", Span(name, exc.mark.line + 1, exc.mark.column + 1)
        ) from None
    except _OtherVersion as exc:
        raise ContentError(
            f"%YAML {exc.version}: airspec reads YAML 1.2 (where yes/no/on/off are strings); remove the directive",
            Span(name, exc.mark.line + 1, exc.mark.column + 1),
        ) from None
    except _TooManyNodes as exc:
        where = Span(name, exc.mark.line + 1, exc.mark.column + 1)
        raise ContentError(f"document has more than {MAX_NODES} nodes", where) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Span(name, mark.line + 1, mark.column + 1) if mark else Span(name, 1, 1)
        if type(exc).__name__ == "MaxDepthExceededError":
            raise ContentError(f"nesting deeper than {MAX_DEPTH} levels", where) from None
        raise ContentError(
            f"{_invalid(name)}: {exc.problem or exc.context or 'cannot parse'}", where
        ) from None
    except YAMLError as exc:
        raise ContentError(
            f"{_invalid(name)}: {str(exc).splitlines()[0] if str(exc) else 'cannot parse'}"
        ) from None


def _invalid(name: str) -> str:
    """A JSON file (a Grafana dashboard) is read as the YAML it is; the parser's words are YAML's."""
    return "invalid JSON (read as YAML)" if name.lower().endswith(".json") else "invalid YAML"


def _compose(text: str, pure: bool = False) -> tuple[Any, bool]:
    """The document's node graph, and whether libyaml made it: from libyaml (ruamel.yaml.clib) where it reads the
    text, else from ruamel's pure-Python parser. Both give the same graph (tests compare them); libyaml is ~8x
    faster. Any text libyaml refuses is parsed again by the pure parser, so that every YAML error reads the same
    whichever is installed."""
    from ruamel.yaml.error import YAMLError

    try:
        if pure or _PURE_ONLY.search(text):
            raise _NoCParser
        return _compose_c(text), True
    except _NoCParser:
        pass
    except YAMLError:
        pass
    yaml = _yaml_class()(typ="rt", pure=True)
    yaml.max_depth = MAX_DEPTH  # ruamel's composer counts the levels it recurses into
    return yaml.compose(text), False


class _NoCParser(Exception):
    pass


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__(str(mark))
        self.mark = mark


def _compose_c(text: str) -> Any:
    """Compose from libyaml's events, as ruamel's composer does, with the same bounds (MAX_DEPTH levels,
    MAX_NODES nodes, counted where ruamel counts them) but with a stack rather than recursion. Raises YAMLError
    for anything the pure composer would refuse (more than one document, an undefined alias)."""
    try:
        # The public path finds libyaml in either build of it (ruamel.yaml.clib, or the newer clibz).
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]  # re-exported from the C module
    except ImportError:
        raise _NoCParser from None
    from ruamel.yaml import events
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    parser = CParser(text)
    parser.get_event()  # stream start
    event = parser.get_event()
    if isinstance(event, events.StreamEndEvent):
        return None
    version = getattr(event, "version", None)
    if version is not None and tuple(version) != (1, 2):
        raise _OtherVersion(".".join(str(part) for part in version), event.start_mark)
    anchors: dict[Any, Any] = {}
    stack: list[list[Any]] = []  # [collection node, key waiting for its value]
    root = None
    nodes = 0
    while True:
        event = parser.get_event()
        kind = type(event)
        if kind is events.SequenceEndEvent or kind is events.MappingEndEvent:
            node = stack.pop()[0]
            node.end_mark = event.end_mark
        elif kind is events.DocumentEndEvent:
            break
        else:
            nodes += 1
            if nodes > MAX_NODES:
                raise _TooManyNodes(event.start_mark)
            if kind is events.AliasEvent:
                if event.anchor not in anchors:
                    raise YAMLError(f"found undefined alias {event.anchor!r}")
                node = anchors[event.anchor]
            else:
                if len(stack) >= MAX_DEPTH:
                    raise _TooDeep(event.start_mark)
                tag = event.tag
                if kind is events.ScalarEvent:
                    if tag is None or tag == "!":
                        tag = _implicit_tag(ScalarNode, event.value, event.implicit)
                    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
                else:
                    cls = SequenceNode if kind is events.SequenceStartEvent else MappingNode
                    if tag is None or tag == "!":
                        tag = _implicit_tag(cls, None, event.implicit)
                    node = cls(tag, [], event.start_mark, None, flow_style=event.flow_style)
                if event.anchor is not None:
                    anchors[event.anchor] = node
                if kind is not events.ScalarEvent:
                    stack.append([node, None])
                    continue
        if not stack:
            root = node
            continue
        parent = stack[-1]
        if type(parent[0]) is SequenceNode:
            parent[0].value.append(node)
        elif parent[1] is None:
            parent[1] = node
        else:
            parent[0].value.append((parent[1], node))
            parent[1] = None
    if not isinstance(parser.get_event(), events.StreamEndEvent):
        raise YAMLError("expected a single document in the stream")
    return root


@functools.lru_cache(maxsize=1 << 14)
def _implicit_tag(kind: type, value: str | None, implicit: Any) -> Any:
    """The tag YAML 1.2 gives an untagged node: the resolver's answer, remembered (specs repeat their scalars, and
    ruamel's resolve costs more than libyaml's parse)."""
    return _resolver().resolve(kind, value, implicit)


@functools.cache
def _resolver() -> Any:
    """YAML 1.2 implicit typing (`on`/`yes` are strings), the resolver the pure path uses."""
    from ruamel.yaml.resolver import VersionedResolver

    return VersionedResolver(version=(1, 2))


class _OtherVersion(Exception):
    def __init__(self, version: str, mark: Any) -> None:
        super().__init__(version)
        self.version = version
        self.mark = mark


class _TooManyNodes(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__(str(mark))
        self.mark = mark


@functools.cache
def _yaml_class() -> type[Any]:
    """ruamel's YAML, with three changes to how it reads a document:
    - a `%YAML` directive other than 1.2 is refused as soon as it is scanned: under 1.1 the resolver makes `yes` a
      boolean (that the builder would read as false), and on 1.3 ruamel fails with an assertion or a KeyError;
    - composing stops at MAX_NODES nodes: building a million-item list first would take a minute;
    - an anchor defined again is no warning (YAML allows it; later aliases take the new one): ruamel's multi-line
      warning would reach the user's terminal."""
    from ruamel.yaml import YAML
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.scanner import RoundTripScanner

    class Yaml12Scanner(RoundTripScanner):
        def scan_yaml_directive_value(self, start_mark: Any) -> Any:
            version = super().scan_yaml_directive_value(start_mark)
            if tuple(version) != (1, 2):
                raise _OtherVersion(".".join(str(part) for part in version), start_mark)
            return version

    class BoundedComposer(Composer):
        def __init__(self, loader: Any = None) -> None:
            super().__init__(loader)
            self.warn_double_anchors = False
            self.nodes = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _TooManyNodes(self.parser.peek_event().start_mark)
            return super().compose_node(parent, index)

    class Yaml12(YAML):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.Scanner = Yaml12Scanner
            self.Composer = BoundedComposer

    return Yaml12


def _check_brackets(text: str, name: str) -> None:
    """The scanner slows down on thousands of unclosed '[': count brackets first, generously (strings may
    hold brackets too); the composer then counts levels exactly (`max_depth`)."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(0, depth - 1)
        if depth > 4 * MAX_DEPTH:
            raise ContentError(
                f"nesting deeper than {MAX_DEPTH} levels", _text_span(text, match.start(), name)
            )


def _check_comment_runs(text: str, name: str) -> None:
    """ruamel's round-trip scanner joins a run of comment lines into one string a line at a time, in quadratic
    time: a 4 MiB file of `#` lines would take minutes. No spec needs this many in a row (blank lines between them
    count as part of the run)."""
    run = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" \t")
        if stripped.startswith("#"):
            run += 1
            if run > MAX_COMMENT_RUN:
                raise ContentError(
                    f"more than {MAX_COMMENT_RUN} comment lines in a row", Span(name, number, 1)
                )
        elif stripped.strip():
            run = 0


class _Expanded(NamedTuple):
    nodes: int
    chars: int


def _expanded_size(node: Any, memo: dict[int, _Expanded], name: str) -> int:
    """Node count after alias expansion, computed on the shared graph so a 'billion laughs' costs nothing. The text
    the expansion would hold is bounded too (MAX_EXPANDED_CHARS): one large value aliased a few hundred times is as
    costly as many nodes. Raises ContentError at the repeated value when that bound is passed."""
    known = memo.get(id(node))
    if known is not None:
        return known.nodes
    memo[id(node)] = _Expanded(MAX_NODES + 1, 0)  # a cycle counts as unbounded
    nodes, chars = 1, 0
    if isinstance(node.value, list):
        for item in node.value:
            parts = item if isinstance(item, tuple) else (item,)
            for part in parts:
                nodes += _expanded_size(part, memo, name)
                chars += memo[id(part)].chars
                if chars > MAX_EXPANDED_CHARS:
                    where = Span(name, part.start_mark.line + 1, part.start_mark.column + 1)
                    raise ContentError(
                        f"document expands to more than {MAX_EXPANDED_CHARS // (1024 * 1024)} MiB of text "
                        f"(this value, {_size(memo[id(part)].chars)}, is repeated through aliases; alias "
                        "expansion is bounded)",
                        where,
                    )
                if nodes > MAX_NODES:
                    break
    elif isinstance(node.value, str):
        chars = len(node.value)
    memo[id(node)] = _Expanded(nodes, chars)
    return nodes


def _size(chars: int) -> str:
    return f"{chars / (1024 * 1024):.1f} MiB" if chars >= 1024 * 1024 else f"{chars} characters"


class _Builder:
    def __init__(self, source: SourceMap) -> None:
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        self.source = source
        self.mapping_node, self.sequence_node = MappingNode, SequenceNode

    def span(self, node: Any) -> Span:
        return Span(self.source.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: Any, path: Path, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ContentError(f"nesting deeper than {MAX_DEPTH} levels", self.span(node))
        self.source.values.setdefault(path, self.span(node))
        tag = node.tag or ""  # a str (or None) in every ruamel.yaml this supports
        if isinstance(node, self.mapping_node):
            if tag not in (_STD + "map", "", "?"):
                raise ContentError(f"unsupported YAML tag {tag!r}", self.span(node))
            return self._mapping(node, path, depth)
        if isinstance(node, self.sequence_node):
            if tag not in (_STD + "seq", "", "?"):
                raise ContentError(f"unsupported YAML tag {tag!r}", self.span(node))
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, tag)

    def _mapping(self, node: Any, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, Span] = {}
        merges: list[Any] = []
        for key_node, value_node in node.value:
            key_tag = key_node.tag or ""
            if key_tag == _STD + "merge":
                merges.append(value_node)  # built after the mapping's own keys, whose positions win
                continue
            if not isinstance(key_node.value, str) or key_tag not in (
                _STD + "str",
                _STD + "int",
                _STD + "bool",
            ):
                raise ContentError("mapping keys must be plain strings", self.span(key_node))
            key = key_node.value
            here = self.span(key_node)
            if key in first:
                raise ContentError(f"duplicate key {key!r} (first defined at line {first[key].line})", here)
            first[key] = here
            self.source.keys.setdefault((*path, key), here)
            out[key] = self.build(value_node, (*path, key), depth + 1)
        merged: dict[str, Any] = {}
        for value_node in merges:
            merged.update(self._merge_sources(value_node, path, depth))
        for key, value in merged.items():
            out.setdefault(key, value)
        return out

    def _merge_sources(self, node: Any, path: Path, depth: int) -> dict[str, Any]:
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        sources = node.value if isinstance(node, SequenceNode) else [node]
        out: dict[str, Any] = {}
        for src in reversed(sources):
            if not isinstance(src, MappingNode):
                raise ContentError("a merge key (<<) takes a mapping or a list of mappings", self.span(src))
            out.update(self._mapping(src, path, depth + 1))
        return out

    def _scalar(self, node: Any, tag: str) -> Any:
        text: str = node.value
        if node.style == ">":  # ruamel's pure round-trip scanner marks each fold with a BEL, which YAML text
            text = text.replace("\a", "")  # cannot hold itself: the value is the text without them
        if tag in (_STD + "str", _STD + "timestamp", "!", ""):
            return text
        if tag == _STD + "null":
            return None
        if tag == _STD + "bool":
            return text.lower() == "true"
        if tag == _STD + "int":
            return _to_int(text)
        if tag == _STD + "float":
            return _to_float(text)
        raise ContentError(f"unsupported YAML tag {tag!r}", self.span(node))


def _to_int(text: str) -> int | str:
    clean = text.replace("_", "")
    try:
        if clean.lower().startswith(("0x", "+0x", "-0x")):
            return int(clean, 16)
        if clean.lower().startswith(("0o", "+0o", "-0o")):
            return int(clean.replace("0o", "").replace("0O", ""), 8)
        if _INT.match(text):
            return int(clean, 10)
    except ValueError:
        pass
    return text


def _to_float(text: str) -> float | str:
    low = text.lower().lstrip("+")
    if low in (".inf", "-.inf"):
        return -math.inf if low.startswith("-") else math.inf
    if low == ".nan":
        return math.nan
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return text
