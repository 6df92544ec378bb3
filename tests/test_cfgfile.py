"""airspec/cfgfile.py, the one airflow.cfg reader, against Python's configparser configured as Airflow 3.3's
`AirflowConfigParser` is (ConfigParser defaults, `optionxform` keeping names as written, the file opened in text
mode), on chosen and on random text.
"""

from __future__ import annotations

import configparser
import io
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airspec import cfgfile
from airspec.errors import ContentError

REFUSED = "refused"
FAILS = "fails"


def airflow_parser() -> configparser.ConfigParser:
    """What airflow.configuration builds: ConfigParser() whose optionxform returns the name unchanged."""
    parser = configparser.ConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    return parser


def by_configparser(text: str) -> Any:
    """{(section, option): (raw, value or FAILS)} as Airflow's parser reads the file, DEFAULT's options in every
    section; or REFUSED."""
    parser = airflow_parser()
    # ConfigParser.read() opens the file in text mode: universal newlines, as TextIOWrapper gives them.
    stream = io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")
    try:
        parser.read_file(stream, source="airflow.cfg")
    except configparser.Error:
        return REFUSED
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for section in [parser.default_section, *parser.sections()]:
        names = parser.defaults() if section == parser.default_section else parser.options(section)
        for name in names:
            raw = parser.get(section, name, raw=True)
            try:
                value = parser.get(section, name)
            except (configparser.InterpolationError, RecursionError):
                value = FAILS
            out[(section, name)] = (raw, value)
    return out, list(parser.sections())


def by_airspec(text: str) -> Any:
    try:
        cfg = cfgfile.read(text, "airflow.cfg")
    except ContentError:
        return REFUSED
    out: dict[tuple[str, str], tuple[str, str]] = {}
    sections = [cfgfile.DEFAULT] if cfgfile.DEFAULT in cfg.sections else []
    sections += [s for s in cfg.sections if s != cfgfile.DEFAULT]
    for section in sections:
        names = list(cfg.section(section)) + [e.name for e in cfg.inherited(section)]
        for name in names:
            entry = cfg.get(section, name)
            assert entry is not None
            value = cfg.value(section, name)
            problems = cfg.problems(section, name)
            assert (value is None) == bool(problems), (section, name, value, problems)
            out[(section, name)] = (entry.value, FAILS if value is None else value)
    return out, [s for s in cfg.sections if s != cfgfile.DEFAULT]


def test_reads_as_airflow_on_chosen_text() -> None:
    cases = [
        "[core]\nexecutor = CeleryExecutor\n",
        "[a]\nx = 1\r[b]\ry = 2\r\n",
        "[core]\na = x\n  b\n\n  # c\n   d\n\n\ne = f\n",
        "[core]\na = 100%%\nb = %(a)s!\n",
        "[DEFAULT]\nurl = http://%(host)s/\n[s1]\nhost = h1\n[s2]\nhost = h2\n[s3]\n",
        "[core]\n  [b]\nx=1\n",
        "[core] trailing text\nx : 1\n",
        "[a]b]\nx=1\n",
        "[core]\nExecutor = x\nexecutor = y\n",
        "[core]\n;x = 1\n  #y = 2\n",
        "[core]\nx = a # not a comment\n",
    ]
    for text in cases:
        assert by_airspec(text) == by_configparser(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\n[core]\n",
        "[core]\n[core]\n",
        "[core]\nx = 1\nx = 2\n",
        "[core]\nno separator here\n",
        "[core]\n= value\n",
        "\ufeff[core]\nx = 1\n",  # a byte order mark is not white space: no section header
    ],
)
def test_refuses_what_airflow_refuses(text: str) -> None:
    assert by_configparser(text) == REFUSED
    with pytest.raises(ContentError):
        cfgfile.read(text, "airflow.cfg")


def test_repeated_default_section_is_one_section() -> None:
    text = "[DEFAULT]\na = 1\n[core]\n[DEFAULT]\nb = 2\n"
    assert by_airspec(text) == by_configparser(text)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x0c", "\x85", "\x1c", "\x1d", "\x1e", "\x0b"])
def test_only_cr_and_lf_end_lines(separator: str) -> None:
    """str.splitlines() splits at these too; Airflow's file reading does not: they stay inside the value."""
    text = f"[webserver]\nbase_url = https://x{separator}[dummy]\nexpose_config = True\n"
    cfg = cfgfile.read(text, "airflow.cfg")
    assert list(cfg.sections) == ["webserver"]
    assert cfg.value("webserver", "base_url") == f"https://x{separator}[dummy]"
    entry = cfg.get("webserver", "expose_config")
    assert entry is not None and (entry.key.line, entry.key.col, entry.at.col) == (3, 1, 17)
    assert by_airspec(text) == by_configparser(text)


def test_positions() -> None:
    text = "[core]\r\n  x=  1\n\ty : two\n\t  three\n[DEFAULT]\nz = 3\n"
    cfg = cfgfile.read(text, "f.cfg")
    x, y, z = cfg.entries
    assert (x.name, x.key.line, x.key.col, x.at.col, x.value) == ("x", 2, 3, 7, "1")
    assert (y.name, y.key.line, y.key.col, y.at.col, y.value) == ("y", 3, 2, 6, "two\nthree")
    assert (z.section, z.key.line) == ("DEFAULT", 6)
    assert cfg.sections["core"].line == 1 and cfg.sections["DEFAULT"].line == 5


def test_refusal_names_the_line_not_its_content() -> None:
    with pytest.raises(ContentError) as caught:
        cfgfile.read("[core]\nx = 1\nhunter2 password line\n", "f.cfg")
    assert caught.value.span is not None and caught.value.span.line == 3
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ContentError, match="twice"):
        cfgfile.read("[core]\nx = 1\nx = 2\n", "f.cfg")


def test_size_is_bounded() -> None:
    with pytest.raises(ContentError, match="larger than"):
        cfgfile.read("[core]\n" + "x" * cfgfile.MAX_BYTES, "big.cfg")


# ------------------------------------------------------------------------------------------- interpolation


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("[core]\ndags_folder = %(dags_folder)s\n", ["self"]),
        ("[core]\na = %(b)s\nb = %(a)s\n", ["loop"]),
        ("[core]\na = %(nope)s\n", ["missing"]),
        ("[core]\na = 100%\n", ["syntax"]),
        ("[core]\na = %(b)s\nb = 100%\n", ["broken"]),
        ("[core]\na = %(B)s\nb = 1\n", ["missing"]),  # names are case-sensitive
        ("[core]\na = %()s %(x\n", ["syntax", "syntax"]),
        ("[core]\na = %%(b)s %(c)s\nc = 1\n", []),
        ("[core]\na = %(b)s\nb = %(c)s\nc = %(b)s\n", ["loop"]),
    ],
)
def test_interpolation_problems(text: str, kinds: list[str]) -> None:
    cfg = cfgfile.read(text, "f.cfg")
    assert [p.kind for p in cfg.problems("core", "a" if "\na " in text else "dags_folder")] == kinds
    assert by_airspec(text) == by_configparser(text)


def test_interpolation_depth_limit() -> None:
    def chain(length: int) -> str:
        return "[c]\n" + "".join(f"a{i} = %(a{i + 1})s\n" for i in range(length)) + f"a{length} = x%%\n"

    # a0 reads a1 at level 2, ..., a9 at level 10: fine; one more level fails.
    assert cfgfile.read(chain(9), "f").value("c", "a0") == "x%"
    assert [p.kind for p in cfgfile.read(chain(10), "f").problems("c", "a0")] == ["depth"]
    for length in (9, 10, 11):
        assert by_airspec(chain(length)) == by_configparser(chain(length))


def test_default_values_interpolate_in_the_reading_section() -> None:
    text = "[DEFAULT]\nurl = http://%(host)s/\nhost = default\n[a]\nhost = one\n[b]\n"
    cfg = cfgfile.read(text, "f")
    assert cfg.value("a", "url") == "http://one/"
    assert cfg.value("b", "url") == "http://default/"


def test_interpolation_is_linear_and_bounded() -> None:
    """A chain as long as the file allows, and a value repeated in many options, read quickly."""
    n = 50_000
    text = "[c]\n" + "".join(f"a{i} = %(a{i + 1})s\n" for i in range(n)) + f"a{n} = end%%\n"
    start = time.perf_counter()
    cfg = cfgfile.read(text, "f")
    for i in range(n):
        cfg.problems("c", f"a{i}")
    assert [p.kind for p in cfg.problems("c", "a0")] == ["depth"]
    assert cfg.value("c", f"a{n - 9}") == "end%"
    big = "x" * 1_000_000
    many = "[c]\nbig = " + big + "\n" + "".join(f"o{i} = %(big)s%(big)s\n" for i in range(100))
    cfg = cfgfile.read(many, "f")
    values = [cfg.value("c", f"o{i}") for i in range(100)]
    assert values[0] == big * 2 and values[-1] is None  # past MAX_EXPANDED: unknown, not computed
    assert time.perf_counter() - start < 20


# ---------------------------------------------------------------------------------------------- property

NAMES = ["a", "b", "A", "x y", "dags_folder", "host", "c", "d", "e", "f", "g", "h"]
SECTIONS = ["core", "Core", "DEFAULT", "a]b", "s", " sp "]
ODD = ["\x0c", "\x0b", "\x85", "\u2028", "\u2029", "\x1c", "\x1d", "\x1e", "\r", "\r\n", "\n", "\t", " "]
VALUE_PARTS = [
    "v",
    "1",
    "%%",
    "%(a)s",
    "%(b)s",
    "%(c)s",
    "%(A)s",
    "%(host)s",
    " ",
    "#x",
    ";y",
    "[z]",
    ":",
    "=",
]
RARE_PARTS = ["%", "%(nope)s", "%("]


def _value() -> st.SearchStrategy[str]:
    inline = [c for c in ODD if c not in "\r\n"]  # the other separators stay inside a line
    part = st.one_of(st.sampled_from(VALUE_PARTS), st.sampled_from(inline), st.sampled_from(RARE_PARTS))
    return st.lists(part, max_size=5).map("".join)


def _line() -> st.SearchStrategy[str]:
    indent = st.lists(st.sampled_from([" ", "\t", "\x0c", "\u2028", "\x85"]), max_size=3).map("".join)
    option = st.builds(
        lambda i, n, sp1, sep, sp2, v: f"{i}{n}{sp1}{sep}{sp2}{v}",
        indent,
        st.sampled_from(NAMES),
        st.sampled_from(["", " ", "\t"]),
        st.sampled_from(["=", ":"]),
        st.sampled_from(["", " ", "\x0c"]),
        _value(),
    )
    header = st.builds(
        lambda i, s, tail: f"{i}[{s}]{tail}",
        indent,
        st.sampled_from(SECTIONS),
        st.sampled_from(["", " x", "]"]),
    )
    comment = st.builds(lambda i, c, v: f"{i}{c}{v}", indent, st.sampled_from(["#", ";"]), _value())
    continuation = st.builds(lambda i, v: f"  {i}{v}", indent, _value())
    blank = st.sampled_from(["", " ", "\u2028", "\x0c"])
    junk = st.sampled_from(["junk", "[", "]", "= x"])
    return st.one_of(*[option] * 8, header, comment, continuation, continuation, blank, junk)


@st.composite
def soup(draw: st.DrawFn) -> str:
    """Lines of every sort in any order: often a file Airflow refuses."""
    out = []
    if draw(st.integers(0, 9)):
        out.append(f"[{draw(st.sampled_from(SECTIONS))}]\n")
    for line in draw(st.lists(_line(), max_size=12)):
        out.append(line)
        out.append(draw(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", *ODD])))
    return "".join(out)


@st.composite
def well_formed(draw: st.DrawFn) -> str:
    """Sections with distinct options, values that refer to each other, continuation lines, comments and odd
    characters inside lines: a file Airflow reads, with values that interpolate or fail."""
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    inline = st.sampled_from([c for c in ODD if c not in "\r\n"])
    plain = st.sampled_from(["v", "1", "%%", " ", "#x", ";y", "[z]", "=", ":"])
    ref = st.sampled_from(NAMES).map(lambda n: f"%({n})s")
    value_part = st.one_of(plain, plain, ref, ref, inline, st.sampled_from(RARE_PARTS))
    out = []
    for section in draw(st.lists(st.sampled_from(SECTIONS), unique=True, min_size=1, max_size=3)):
        out.append(f"[{section}]{end}")
        for name in draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=6)):
            value = "".join(draw(st.lists(value_part, max_size=4)))
            out.append(f"{name} {draw(st.sampled_from(['=', ':']))} {value}{end}")
            for _ in range(draw(st.integers(0, 2))):
                kind = draw(st.sampled_from(["more", "blank", "comment"]))
                if kind == "more":
                    more = "".join(draw(st.lists(value_part, min_size=1, max_size=3)))
                    out.append(f"{draw(st.sampled_from([' ', '  ', chr(9), chr(12)]))}{more}{end}")
                elif kind == "blank":
                    out.append(f"{draw(st.sampled_from(['', ' ', chr(0x2028)]))}{end}")
                else:
                    out.append(
                        f"{draw(st.sampled_from(['', '  ']))}{draw(st.sampled_from(['#', ';']))} c{end}"
                    )
    return "".join(out)


cfg_text = st.one_of(soup(), well_formed())


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg_text)
def test_reads_as_airflow_on_random_text(text: str) -> None:
    assert by_airspec(text) == by_configparser(text)
