"""yamltext.dump, the hand-written emitter: its text reads back as the data under YAML 1.2 and 1.1, and it is the
text ruamel wrote through the old Representer-based code (kept below as `_ruamel_dump`) wherever that text read
back as the data. The cases where ruamel's text did not are listed in DIVERGENCES, each shown to be wrong.
"""

from __future__ import annotations

import collections
import datetime
import enum
import io
import math
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import MantissaNoDotYAML1_1Warning

from airspec.render.yamltext import _ambiguous, dump

_STR = "tag:yaml.org,2002:str"


def _ruamel_ambiguity_check() -> Any:
    """The old predicate, verbatim."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    resolvers = [VersionedResolver(version=v) for v in ((1, 1), (1, 2))]
    seen: dict[str, bool] = {}

    def ambiguous(text: str) -> bool:
        known = seen.get(text)
        if known is None:
            tags = (r.resolve(ScalarNode, text, (True, False)) for r in resolvers)
            known = seen[text] = any(str(getattr(t, "value", t)) != _STR for t in tags)
        return known

    return ambiguous


def _ruamel_dump(data: Any, header: str = "") -> str:
    """The old dump (ruamel's pure-Python emitter), verbatim: the oracle."""
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import SafeRepresenter

    ambiguous = _ruamel_ambiguity_check()

    class Representer(SafeRepresenter):
        def represent_str(self, data: str) -> Any:
            if "\n" in data and all(c == "\n" or c.isprintable() for c in data) and data == data.rstrip(" "):
                return self.represent_scalar(_STR, data, style="|")
            if ambiguous(data):
                return self.represent_scalar(_STR, data, style="'")
            return self.represent_scalar(_STR, data)

        def represent_dict(self, data: dict[Any, Any]) -> Any:
            return self.represent_mapping("tag:yaml.org,2002:map", data.items())

    Representer.add_representer(str, Representer.represent_str)
    Representer.add_representer(dict, Representer.represent_dict)

    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = Representer
    yaml.default_flow_style = False
    yaml.width = 1 << 16
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    prefix = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) if header else ""
    return prefix + text


def _load(text: str, version: tuple[int, int] | None) -> Any:
    yaml = YAML(typ="safe", pure=True)
    if version:
        yaml.version = version
    with warnings.catch_warnings():
        # ruamel's 1.1 reader warns that `1e-05` lacks the dot YAML 1.1 asks for, and reads it as a float anyway
        warnings.simplefilter("ignore", MantissaNoDotYAML1_1Warning)
        return yaml.load(text)


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types (True is not 1, 1 is not 1.0), the same key order, and NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (math.isnan(a) and math.isnan(b))
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return len(a) == len(b) and all(_same(k, j) and _same(a[k], b[j]) for k, j in zip(a, b, strict=True))
    return bool(a == b)


def _reads_back(text: str, data: Any) -> bool:
    try:
        return all(_same(_load(text, version), data) for version in (None, (1, 1)))
    except Exception:  # a reader that refuses the text: it does not read back
        return False


# Strings every reader, quoting rule or emitter path could get wrong.
_CHARS = [
    *" \t\r\n\x85\u2028\u2029\ufeff\x00\x07\x1b\x7f\x9f\xa0\u3000",
    *"'\"\\:#-?,[]{}&*!|>%@`~.=<+_/",
    *"0123456789eExXoObTtFfYyNn",
    *"é😀\ue000\uffff",
]
# YAML 1.1 and 1.2 booleans, nulls, numbers, timestamps, merge and value keys, indicators
_KEYWORDS = """\
y Y yes Yes YES n N no No NO on On ON off Off OFF true True TRUE false False FALSE null Null NULL ~ << =
3.10 0o17 017 0x1F 0b101 1_000 1:20 190:20:30 +1 -1 .5 1. 1e3 1E3 6.8523015e+5 -.inf .Inf .NaN .nan
2001-12-14 2001-12-14t21:59:43.10-05:00
--- ... - ? : # | > ' " @ ` % & * ! , [ ] { }"""
_WORDS = [
    *(word for line in _KEYWORDS.splitlines() for word in line.split(" ")),
    "2001-12-14 21:59:43.10 -5",
    "",
    "- a",
    "? x",
    ": x",
    "a: b",
    "a #b",
    "a:",
    "a\n---",
    "a\n...",
    "a\n--- b",
    "tail\n",
    "keep\n\n",
    " lead\nx",
]
_AFFIXES = ["", " ", "  ", "\n", "\t", "\r", "- ", "# ", ": ", "---", "...", "'", '"', *"\u2028\x85\ufeff"]

_char = st.sampled_from(_CHARS) | st.characters(exclude_categories=("Cs",))
_text = st.one_of(
    st.text(_char, max_size=12),
    st.sampled_from(_WORDS),
    st.builds(
        lambda a, w, b: a + w + b,
        st.sampled_from(_AFFIXES),
        st.sampled_from(_WORDS),
        st.sampled_from(_AFFIXES),
    ),
    # long (a short nasty text repeated: drawing every character is slow), often around the 128 characters a simple
    # key may have
    st.builds(
        lambda unit, size: (unit * size)[:size],
        st.text(_char, min_size=1, max_size=8),
        st.integers(120, 136) | st.integers(137, 5000),
    ),
)
_scalar = _text | st.none() | st.booleans() | st.integers() | st.floats()
# no NaN key: two of them would be one duplicate key in YAML
_key = _text | st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
_data = st.recursive(
    _scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_key, inner, max_size=4),
    max_leaves=20,
)
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
_header = st.sampled_from(["", "one line", "two\nlines", " spaced \n\nblank"])


@settings(max_examples=300, deadline=None, suppress_health_check=_SLOW)
@given(_data)
def test_reads_back_under_yaml_1_2_and_1_1(data: Any) -> None:
    text = dump(data)
    assert _same(_load(text, None), data), text
    assert _same(_load(text, (1, 1)), data), text


@settings(max_examples=1000, deadline=None, suppress_health_check=_SLOW)
@given(_data, _header)
def test_writes_what_ruamel_wrote(data: Any, header: str) -> None:
    ours, theirs = dump(data, header), _ruamel_dump(data, header)
    if ours != theirs:
        assert not _reads_back(theirs, data), (
            f"ours differs from ruamel's, which reads back:\n{ours}\n{theirs}"
        )


def _long(unit: str, size: int = 66_000) -> str:
    return (unit * (size // len(unit) + 1))[:size] + "z"


# Where ruamel's text does not read back as the data, ours differs (and reads back).
DIVERGENCES = {
    "NEL single-quoted reads back as a space": {"k": "a\x85b"},
    "NEL single-quoted reads back as a line break": ["\x85"],
    "top-level literal block ending in a --- line": "a\n---",
    "top-level literal block ending in a ... line": "a\n...",
    "top-level single-quoted string broken before ---": "a\u2028--- b",
    "top-level plain string folded before ---": "x" * 65540 + " --- b",
    "double-quoted string folded after an escape, without a backslash": {"k": "x" * 65527 + "\tx y" * 3},
    "plain string folded after two spaces": {"k": _long("a  b ")},
}


@pytest.mark.parametrize("data", DIVERGENCES.values(), ids=DIVERGENCES.keys())
def test_differs_from_ruamel_only_where_ruamel_was_wrong(data: Any) -> None:
    ours, theirs = dump(data), _ruamel_dump(data)
    assert ours != theirs
    assert not _reads_back(theirs, data)
    assert _reads_back(ours, data), ours


def test_shared_containers_are_written_out_not_aliased() -> None:
    shared = {"x": [1]}
    data = {"a": shared, "b": [shared, shared]}
    assert "&id001" in _ruamel_dump(data)
    assert dump(data) == "a:\n  x:\n    - 1\nb:\n  - x:\n      - 1\n  - x:\n      - 1\n"
    assert _reads_back(dump(data), data)


# Lines past the 65536 columns where ruamel folds: plain, single- and double-quoted, in every place a scalar goes.
FOLDED = {
    "plain": _long("ab cd "),
    "plain, double spaces": _long("ab  c "),
    "single-quoted": " " + _long("ab c "),
    "single-quoted, LS breaks": "- " + _long("ab c ") + "\u2028" + _long("d e "),
    "double-quoted": _long('a\tb "c" d  e\\ '),
    "double-quoted, no spaces": _long("x\t"),
}
PLACES = {
    "top level": lambda s: s,
    "value": lambda s: {"k": s},
    "item": lambda s: [[s]],
    "explicit key": lambda s: {s: {"v": [s]}},
}


@pytest.mark.parametrize("place", PLACES.values(), ids=PLACES.keys())
@pytest.mark.parametrize("text", FOLDED.values(), ids=FOLDED.keys())
def test_folds_long_lines_as_ruamel_did(text: str, place: Any) -> None:
    data = place(text)
    ours, theirs = dump(data), _ruamel_dump(data)
    assert ours == theirs or not _reads_back(theirs, data)
    assert _reads_back(ours, data)


class _Str(str):
    pass


class _Colour(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize(
    "data",
    [
        (1, 2),
        {1, 2},
        b"bytes",
        datetime.date(2024, 1, 1),
        collections.OrderedDict(a=1),
        _Str("text"),
        _Colour.RED,
        {"k": [object()]},
        {(1, 2): "tuple key"},
    ],
    ids=repr,
)
def test_other_types_are_refused(data: Any) -> None:
    with pytest.raises(TypeError):
        dump(data)


def test_ambiguity_is_ruamels() -> None:
    ours, theirs = _ambiguous, _ruamel_ambiguity_check()
    for text in [*_WORDS, *(a + w + b for a in _AFFIXES for w in _WORDS for b in _AFFIXES), "name", "0o8"]:
        assert ours(text) == theirs(text), text


def test_header_lines_become_comments() -> None:
    assert dump({"a": 1}, "first\n\n  indented \nlast") == "# first\n#\n#   indented\n# last\na: 1\n"


def test_special_character_classes_are_the_complements_of_what_is_printable() -> None:
    """The emitter writes its character classes as small positive sets (cheap to compile); over every code point
    they must pick exactly the characters outside what ruamel treats as printable."""
    import re

    from airspec.render import yamltext

    every = "".join(map(chr, range(0x110000)))
    special = re.compile("[^\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
    assert re.findall(yamltext._SPECIAL, every) == special.findall(every)
    escaped = re.compile(
        '["\\\\\x85\u2028\u2029\ufeff]|[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]'
    )
    assert re.findall(yamltext._DOUBLE_ESCAPE, every) == escaped.findall(every)


_ascii_piece = st.sampled_from(
    ["\n", " ", "---", "...", ": ", " #", "'", '"', "\\", "\x00", "\x7f", "\t", "-", "?"]
)


@given(st.lists(_ascii_piece | st.characters(max_codepoint=0x7F), max_size=30).map("".join))
@settings(max_examples=400, deadline=None)
def test_ascii_patterns_read_ascii_text_as_the_full_patterns_do(text: str) -> None:
    """ASCII strings are read with patterns built from the ASCII members of each class (cheap to compile): on
    such text every one of them must find exactly what the full pattern finds."""
    from airspec.render import yamltext

    full = yamltext._unicode()
    for name, pattern in yamltext._ASCII._asdict().items():
        found = [m.span() for m in pattern.finditer(text)]
        assert found == [m.span() for m in getattr(full, name).finditer(text)], name
