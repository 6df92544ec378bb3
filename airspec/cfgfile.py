"""The one airflow.cfg reader: text -> sections and options with the line and column of each, read exactly as
Airflow 3.3 reads its file, and the values as its get() returns them (`%`-interpolation).

How Airflow reads airflow.cfg (`airflow/_shared/configuration/parser.py`, `AirflowConfigParser`): a
`configparser.ConfigParser` with the defaults, except that `optionxform` keeps names as written, and
`read(AIRFLOW_CONFIG)` opens the file in text mode. So:

- lines end at `\\n`, `\\r\\n` or `\\r` (universal newlines) and nowhere else: `\\x0c`, `\\x1c`-`\\x1e`, `\\x85`, U+2028
  and U+2029 are ordinary characters inside a line (str.splitlines would split there);
- `#` and `;` start comment lines only, after any white space; there are no inline comments (`x = 1  # note`
  has the value `1  # note`);
- `=` or `:` (the first one) separates name and value; white space around both is dropped;
- a line indented deeper than the option line above continues its value; blank lines inside a value are kept,
  trailing ones dropped; comment lines inside a value are skipped without ending it;
- `[name]` at the start of a line is a section header (anything after the last `]` is ignored);
- section and option names are case-sensitive: Airflow looks options up in lower case, so `[Core]` or
  `Executor = ...` is never read;
- `[DEFAULT]` holds options that every section of the file also has, unless it sets them itself;
- the parser is strict: a repeated section (except DEFAULT) or a repeated option in one section, an option
  before any section, or a line that is neither stops Airflow from starting;
- values are interpolated when read (`BasicInterpolation`): `%%` is `%`, `%(name)s` is the value of option
  `name` of the same section (or DEFAULT), itself interpolated, at most 10 levels deep; any other `%`, a missing
  name, or a loop makes reading that option fail.

Files are bounded like specs (loader.MAX_BYTES) and read in time linear in their size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from airspec.errors import ContentError
from airspec.loader import MAX_BYTES
from airspec.source import Span

DEFAULT = "DEFAULT"
MAX_INTERPOLATION_DEPTH = 10  # configparser.MAX_INTERPOLATION_DEPTH
_SECTION = re.compile(r"\[(?P<header>.+)\]")  # ConfigParser.SECTCRE
_OPTION = re.compile(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$")  # ConfigParser.OPTCRE
_NONSPACE = re.compile(r"\S")
_COMMENT = ("#", ";")
_NEWLINES = re.compile(r"\r\n?")
# How many option values the [DEFAULT] section may add to the other sections (each section has them all).
MAX_INHERITED = 1_000_000
# Steps of the reference analysis (one per option and reference visited) before it gives up on a file built to
# make it explode (many sections each overriding names that [DEFAULT]'s values refer to).
MAX_STEPS = 2_000_000
# Characters all interpolated values together may take (a value that repeats a long one many times, in many
# options, would otherwise fill memory); values past it are left unknown (None), as one past MAX_BYTES is.
MAX_EXPANDED = 4 * MAX_BYTES


class Entry(NamedTuple):
    section: str  # as written between the brackets (DEFAULT for [DEFAULT])
    name: str  # as written, white space around it dropped; Airflow reads only lower-case names
    value: str  # as written, continuation lines joined with "\n" (before %-interpolation)
    key: Span
    at: Span  # where the value starts
    continued: tuple[Span, ...] = ()  # where each further line of a multi-line value starts

    def spans_at(self, offsets: list[int]) -> list[Span]:
        """Where the characters at `offsets` (ascending) in `value` were written: one pass over the value."""
        out: list[Span] = []
        line, start = 0, 0  # the line of the value the last offset is on, and where that line starts in it
        for offset in offsets:
            if self.continued:
                while (end := self.value.find("\n", start, offset)) != -1:
                    line, start = line + 1, end + 1
            where = self.at if line == 0 else self.continued[line - 1]
            out.append(Span(where.file, where.line, where.col + offset - start))
        return out


class Problem(NamedTuple):
    """Why reading an option fails, at `offset` in its raw value."""

    offset: int
    kind: str  # "syntax", "missing", "self", "loop", "depth", "broken"
    ref: str = ""  # the name a reference gives


def lines(text: str) -> list[str]:
    """The lines of `text` as Python's text-mode file reading gives them to ConfigParser (without the ends)."""
    out = _NEWLINES.sub("\n", text).split("\n")
    if out and out[-1] == "":
        out.pop()
    return out


class CfgFile:
    """A read airflow.cfg: its sections, its options in file order, and their values as Airflow reads them."""

    def __init__(self, file: str, text_lines: list[str]) -> None:
        self.file = file
        self.lines = text_lines
        self.sections: dict[str, Span] = {}  # first header of each section; DEFAULT's too when written
        self.entries: list[Entry] = []  # DEFAULT's entries have section "DEFAULT"
        self._index: dict[str, dict[str, Entry]] = {}
        self._interpolation: Interpolation | None = None

    def section(self, name: str) -> Mapping[str, Entry]:
        """The options a section sets itself (DEFAULT's not included), by name."""
        return self._index.get(name, {})

    def get(self, section: str, name: str) -> Entry | None:
        """The entry Airflow reads for `[section] name`: the section's own, else DEFAULT's when the section exists."""
        own = self._index.get(section, {}).get(name)
        if own is not None or section == DEFAULT or section not in self._index:
            return own
        return self._index.get(DEFAULT, {}).get(name)

    def inherited(self, section: str) -> Iterator[Entry]:
        """DEFAULT's entries that `section` has without setting them itself."""
        if section == DEFAULT or section not in self._index:
            return
        own = self._index[section]
        for name, entry in self._index.get(DEFAULT, {}).items():
            if name not in own:
                yield entry

    @property
    def interpolation(self) -> Interpolation:
        if self._interpolation is None:
            self._interpolation = Interpolation(
                {s: {n: e.value for n, e in opts.items()} for s, opts in self._index.items()}
            )
        return self._interpolation

    def value(self, section: str, name: str) -> str | None:
        """What Airflow's get() returns for an option the file sets (before $VAR/~ expansion); None when reading
        it fails (see problems()) or it is not set."""
        entry = self.get(section, name)
        if entry is None or "%" not in entry.value:
            return None if entry is None else entry.value
        return self.interpolation.value(section, name)

    def problems(self, section: str, name: str) -> list[Problem]:
        return self.interpolation.problems(section, name)


def read(text: str, file: str) -> CfgFile:
    """Read airflow.cfg text as Airflow does, or raise ContentError where Airflow's parser refuses the file."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ContentError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB", Span(file, 1, 1))
    if text.startswith("\ufeff"):
        raise ContentError(
            "the file starts with a byte-order mark (U+FEFF), which Airflow reads as text before any [section] "
            "header; Airflow refuses the file: save it as UTF-8 without a BOM",
            Span(file, 1, 1),
        )
    cfg = CfgFile(file, lines(text))
    index = cfg._index
    # (section, name) -> line, for the duplicate message
    added: dict[tuple[str, str], int] = {}
    added_sections: set[str] = set()
    current: dict[str, Entry] | None = None
    section: str | None = None
    option: str | None = None  # the option a continuation line would extend
    parts: list[str] = []
    starts: list[Span] = []  # where each continuation line of `parts` starts
    indent_level = 0
    bad_line: int | None = None  # ConfigParser collects bad lines and raises at the end

    def finish() -> None:
        if option and current is not None:
            entry = current[option]
            while len(parts) > 1 and not parts[-1]:
                parts.pop()  # what rstrip() drops from the joined value: each part is stripped already
            if len(parts) > 1:
                current[option] = entry._replace(
                    value="\n".join(parts), continued=tuple(starts[: len(parts) - 1])
                )

    for number, line in enumerate(cfg.lines, start=1):
        stripped = line.strip()
        if stripped.startswith(_COMMENT):
            continue
        if not stripped:
            if option:
                parts.append("")
                starts.append(Span(file, number, 1))
            continue
        first = _NONSPACE.search(line)
        indent = first.start() if first else 0
        if option and indent > indent_level:
            parts.append(stripped)
            starts.append(Span(file, number, indent + 1))
            continue
        indent_level = indent
        header = _SECTION.match(stripped)
        if header:
            finish()
            option, parts, starts = None, [], []
            section = header.group("header")
            where = Span(file, number, indent + 1)
            if section in added_sections:
                first_at = cfg.sections[section].line
                raise ContentError(
                    f"section [{section}] appears twice (first at line {first_at}); Airflow refuses the file",
                    where,
                )
            if section != DEFAULT:
                added_sections.add(section)
            cfg.sections.setdefault(section, where)
            current = index.setdefault(section, {})
            continue
        if current is None or section is None:
            raise ContentError(
                "an option before any [section] header; Airflow refuses the file",
                Span(file, number, indent + 1),
            )
        match = _OPTION.match(stripped)
        if match is None:
            bad_line = bad_line or number
            continue  # ConfigParser keeps the option above open for continuation lines
        finish()
        name = match.group("option").rstrip()
        if not name:
            bad_line = bad_line or number
        if (section, name) in added:
            raise ContentError(
                f"[{section}] {name} is set twice (first at line {added[(section, name)]}); Airflow refuses the file",
                Span(file, number, indent + 1),
            )
        added[(section, name)] = number
        value = match.group("value").strip()
        entry = Entry(
            section,
            name,
            value,
            Span(file, number, indent + 1),
            Span(file, number, indent + match.start("value") + 1),
        )
        current[name] = entry
        option, parts, starts = name, [value], []
    finish()
    if bad_line is not None:
        raise ContentError(
            "not a `name = value` line, a [section] header, a comment or an indented continuation; "
            "Airflow refuses the file",
            Span(file, bad_line, 1),
        )
    # Entries in file order (a continuation may have changed an entry's value after it was first added).
    cfg.entries = sorted(
        (e for opts in index.values() for e in opts.values()), key=lambda e: (e.key.line, e.key.col)
    )
    return cfg


def inherited_count(cfg: CfgFile) -> int:
    """How many option values [DEFAULT] adds to the other sections."""
    defaults = cfg.section(DEFAULT)
    if not defaults:
        return 0
    return sum(
        len(defaults) - sum(1 for name in cfg.section(s) if name in defaults)
        for s in cfg.sections
        if s != DEFAULT
    )


# --------------------------------------------------------------------------------------------- interpolation

_TOKEN = re.compile(r"%(?:%|\((?P<ref>[^)]+)\)s)?")


# (offset, end, ref) of each `%` token of a value: ref is the name of a %(name)s reference; None for %%
# (end - offset == 2) and for a bad % (1). Plain tuples: a file has hundreds of thousands.
_Token = tuple[int, int, str | None]
# (context, owner, name): option `name` as section `context` reads it, its raw value in section `owner` (context
# itself, or DEFAULT). context is DEFAULT for a DEFAULT value read by a section that reads it as DEFAULT does.
_Node = tuple[str, str, str]


def _tokens(raw: str) -> list[_Token]:
    return [(match.start(), match.end(), match.group("ref")) for match in _TOKEN.finditer(raw)]


class Interpolation:
    """BasicInterpolation over options {section: {name: raw value}} (DEFAULT among them), as ConfigParser.get()
    applies it, worked out once for the whole file: which options fail to read and why, and their values.

    A reference `%(x)s` in an option of section S names S's option x, else DEFAULT's. A referenced value that
    holds a `%` is itself interpolated, one level deeper; level 11 fails (so does any loop). DEFAULT's values are
    interpolated in the section that reads them, so a section that sets a name DEFAULT's values refer to is
    worked out on its own; other sections share DEFAULT's results.
    """

    def __init__(self, options: Mapping[str, Mapping[str, str]]) -> None:
        self._options = options
        self._defaults: Mapping[str, str] = options.get(DEFAULT, {})
        self._tokens: dict[str, list[_Token]] = {}
        # names DEFAULT's values refer to: a section that sets one needs its own view of DEFAULT's values
        self._default_refs = {
            ref for raw in self._defaults.values() if "%" in raw for _, _, ref in self._tokens_of(raw) if ref
        }
        self._own_view: dict[str, bool] = {}
        self._height: dict[_Node, int] = {}  # nesting below a node, capped at MAX_INTERPOLATION_DEPTH
        self._loop: set[_Node] = set()  # nodes in or leading to a loop
        self._broken: dict[_Node, bool] = {}  # a syntax error or missing name in it or below it
        self._values: dict[_Node, str] = {}
        self.steps = 0
        self._spent = 0  # characters of interpolated values made so far
        self.exhausted = False  # MAX_STEPS reached: later options are left unjudged

    def default_contexts(self) -> list[str]:
        """The sections DEFAULT's values are interpolated in: DEFAULT itself (standing for every section that sets
        none of the names they refer to, and for a file without other sections), then each section that does."""
        sections = [s for s in self._options if s != DEFAULT]
        own = [s for s in sections if self._view(s) == s]
        return ([DEFAULT] if len(own) < len(sections) or not sections else []) + own

    def _tokens_of(self, raw: str) -> list[_Token]:
        found = self._tokens.get(raw)
        if found is None:
            found = self._tokens[raw] = _tokens(raw)
        return found

    def _view(self, section: str) -> str:
        """The context DEFAULT's values are read in from `section`: the section itself, or DEFAULT when the
        section sets none of the names they refer to (then both read alike)."""
        if section == DEFAULT:
            return DEFAULT
        own = self._own_view.get(section)
        if own is None:
            names = self._options.get(section, {})
            own = self._own_view[section] = (
                any(ref in names for ref in self._default_refs)
                if len(self._default_refs) < len(names)
                else any(name in self._default_refs for name in names)
            )
        return section if own else DEFAULT

    def _node(self, context: str, name: str) -> _Node | None:
        """The option `name` as section `context` reads it; None when neither it nor DEFAULT sets it."""
        if context != DEFAULT and name in self._options.get(context, {}):
            return (context, context, name)
        if name in self._defaults:
            return (self._view(context), DEFAULT, name)
        return None

    def _raw(self, node: _Node) -> str:
        return self._options[node[1]][node[2]]

    def _children(self, node: _Node) -> list[tuple[_Token, _Node | None]]:
        """(reference, the node it names or None when missing) of each %(name)s in the node's value."""
        return [(t, self._node(node[0], t[2])) for t in self._tokens_of(self._raw(node)) if t[2] is not None]

    def _analyse(self, root: _Node) -> bool:
        """Fill in height, loop and broken for `root` and what it refers to (an iterative depth-first walk, so a
        long chain of references cannot exhaust Python's stack). False when MAX_STEPS ran out."""
        if root in self._height:
            return True
        self.steps += 1
        if self.exhausted or self.steps > MAX_STEPS:
            self.exhausted = True
            return False
        on_path: set[_Node] = {root}
        stack: list[tuple[_Node, Iterator[tuple[_Token, _Node | None]]]] = [
            (root, iter(self._children(root)))
        ]
        height: dict[_Node, int] = {root: 0}
        broken: dict[_Node, bool] = {root: self._own_syntax_error(root)}
        while stack:
            node, children = stack[-1]
            advanced = False
            for _token, child in children:
                self.steps += 1
                if self.steps > MAX_STEPS:
                    self.exhausted = True
                    return False
                if child is None:
                    broken[node] = True
                    continue
                if "%" not in self._raw(child):
                    continue  # appended as it is: no deeper level
                if child in on_path:
                    self._loop.add(node)
                    height[node] = MAX_INTERPOLATION_DEPTH
                    continue
                if child in self._height:
                    self._merge(node, child, height, broken)
                    continue
                on_path.add(child)
                height[child] = 0
                broken[child] = self._own_syntax_error(child)
                stack.append((child, iter(self._children(child))))
                advanced = True
                break
            if advanced:
                continue
            stack.pop()
            on_path.discard(node)
            self._height[node] = height[node]
            self._broken[node] = broken[node]
            if stack:
                self._merge(stack[-1][0], node, height, broken)
        return True

    def _merge(
        self, parent: _Node, child: _Node, height: dict[_Node, int], broken: dict[_Node, bool]
    ) -> None:
        height[parent] = min(MAX_INTERPOLATION_DEPTH, max(height[parent], 1 + self._height[child]))
        broken[parent] = broken[parent] or self._broken[child]
        if child in self._loop:
            self._loop.add(parent)

    def _own_syntax_error(self, node: _Node) -> bool:
        return any(ref is None and end - offset == 1 for offset, end, ref in self._tokens_of(self._raw(node)))

    def problems(self, section: str, name: str) -> list[Problem]:
        """Why reading `[section] name` fails, each at its offset in the raw value; [] when it reads fine (or
        the analysis budget ran out: see `exhausted`)."""
        node = self._node(section, name)
        if node is None:
            return []
        raw = self._raw(node)
        if "%" not in raw or not self._analyse(node):
            return []
        out: list[Problem] = []
        for offset, end, ref in self._tokens_of(raw):
            if ref is None:
                if end - offset == 1:
                    out.append(Problem(offset, "syntax"))
                continue
            child = self._node(node[0], ref)
            if child is None:
                out.append(Problem(offset, "missing", ref))
            elif "%" not in self._raw(child):
                continue
            elif child == node:
                out.append(Problem(offset, "self", ref))
            elif child in self._loop:
                out.append(Problem(offset, "loop", ref))
            elif self._broken[child]:
                out.append(Problem(offset, "broken", ref))
            elif 1 + self._height[child] >= MAX_INTERPOLATION_DEPTH:
                out.append(Problem(offset, "depth", ref))
        return out

    def value(self, section: str, name: str) -> str | None:
        """The interpolated value of `[section] name`; None when reading it fails, it is not set, its value
        would be longer than MAX_BYTES, or the analysis budget ran out."""
        node = self._node(section, name)
        if node is None:
            return None
        raw = self._raw(node)
        if "%" not in raw:
            return raw
        if not self._analyse(node) or self._broken[node] or self._height[node] >= MAX_INTERPOLATION_DEPTH:
            return None
        return self._expand(node)

    def _expand(self, node: _Node) -> str | None:
        done = self._values.get(node)
        if done is not None:
            return done
        raw = self._raw(node)
        pieces: list[str] = []
        size = 0
        last = 0
        for offset, end, ref in self._tokens_of(raw):
            pieces.append(raw[last:offset])
            last = end
            if ref is None:
                pieces.append("%")
            else:
                child = self._node(node[0], ref)
                assert child is not None
                child_raw = self._raw(child)
                piece = self._expand(child) if "%" in child_raw else child_raw
                if piece is None:
                    return None
                pieces.append(piece)
            size += len(pieces[-1]) + len(pieces[-2])
            if size > MAX_BYTES:
                return None
        pieces.append(raw[last:])
        size += len(pieces[-1])
        if size > MAX_BYTES or self._spent + size > MAX_EXPANDED:
            return None
        self._spent += size
        out = self._values[node] = "".join(pieces)
        return out


def describe(problem: Problem, sensitive: bool = False) -> str:
    """A problem as a lint message. A sensitive option's value is not quoted, not even a reference in it."""
    ref = "a reference" if sensitive else f"'%({problem.ref})s'"
    if problem.kind == "syntax":
        return "a single '%' makes Airflow fail to read this option; write it as '%%'"
    if problem.kind == "missing":
        literal = "" if sensitive else f"; write '%%({problem.ref})s' for a literal"
        return f"{ref} refers to an option this section does not set, so reading it fails{literal}"
    if problem.kind == "self":
        return f"{ref} refers to this option itself, so reading it fails (Airflow gives up after {MAX_INTERPOLATION_DEPTH} levels)"
    if problem.kind == "loop":
        return f"{ref} leads into a loop of references, so reading this option fails"
    if problem.kind == "depth":
        return f"{ref} nests references more than {MAX_INTERPOLATION_DEPTH} levels deep, Airflow's limit, so reading this option fails"
    return f"{ref} refers to an option whose value Airflow cannot interpolate, so reading this one fails too"
