"""Never crash, never hang: whatever a spec file holds, airspec ends in a result or in one of its own errors.

Generated and mutated specs (random bytes, YAML-token soup, tags, anchors and aliases, deep nesting, huge strings,
truncations and line edits of the examples, key deletions, duplicates and type swaps at random paths of an example
or of its environment overlay) go through what `validate` and `compile` run: load, validate the base and every
environment, resolve and render. Each must end in artifacts, or in ContentError, SpecInvalid or UsageError, whose
messages are one `file:line:col: error: ...` (or `error: ...`) line each, at a line of the file. A call that runs
longer than TIME_LIMIT fails as a hang. Then one batch of hostile files goes through the real command line, and
last, output confinement: no name in a spec puts an artifact outside OUT, and an OUT that cannot be written is one
error line with exit 2.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from ruamel.yaml import YAML

from airspec.artifacts import Artifact, build
from airspec.errors import ContentError, SpecInvalid, UsageError
from airspec.loader import MAX_BYTES, decode, load_text
from airspec.resolve import resolve
from airspec.validate import validate, validate_all
from tests.conftest import EXAMPLES, ROOT

TIME_LIMIT = (
    10.0  # seconds for one spec, everything included; hypothesis' deadline is the tighter, usual bound
)
NAME = "spec.yaml"
EXAMPLE_TEXT = {
    name: (ROOT / "examples" / name / "airflow-spec.yaml").read_text("utf-8") for name in EXAMPLES
}
EXAMPLE_DATA = {name: load_text(text, name).data for name, text in EXAMPLE_TEXT.items()}
_ERROR = re.compile(r"(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): error: \S")


def _schema_keys() -> list[str]:
    """Every key the spec's JSON Schema names, so that generated mappings reach deep into validation."""
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            keys.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads((ROOT / "schema" / "airflow-spec.schema.json").read_text("utf-8")))
    return sorted(keys)


SCHEMA_KEYS = _schema_keys()
PROPERTY = settings(
    max_examples=150,
    deadline=timedelta(seconds=3),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """A hang fails the example instead of stalling the run (hypothesis' deadline only judges calls that end)."""

    def hang(signum: int, frame: Any) -> None:
        raise TimeoutError(f"no result after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_message(message: str, lines: int) -> None:
    """One line: `file:line:col: error: ...` at a line of the file (or one past its end), or `error: ...`."""
    assert "\n" not in message and "\r" not in message, f"a message of more than one line: {message!r}"
    if message.startswith("error: "):
        return
    found = _ERROR.match(message)
    assert found is not None, f"not file:line:col: error: ...: {message!r}"
    assert found["file"] == NAME, message
    assert 1 <= int(found["line"]) <= lines + 1 and int(found["col"]) >= 1, message


def check_artifacts(artifacts: list[Artifact]) -> None:
    for a in artifacts:
        parts = Path(a.path).parts
        assert parts and not Path(a.path).is_absolute() and ".." not in parts, a.path
        assert a.text.endswith("\n") and "\r" not in a.text, a.path
        a.text.encode("utf-8")  # what write_tree does; a lone surrogate would fail here


def run(source: str | bytes) -> list[str]:
    """What `airspec validate` and `airspec compile` (base and each environment) do with `source`; returns how
    each ended, and fails on any other exception, any malformed message, or a hang."""
    endings = _run(source)
    if currently_in_test_context():  # --hypothesis-show-statistics tells how far the examples got
        event("ends: " + " ".join(sorted(set(endings))))
    return endings


def _run(source: str | bytes) -> list[str]:
    endings: list[str] = []
    with time_limit(TIME_LIMIT):
        try:
            text = decode(source, NAME) if isinstance(source, bytes) else source
            lines = text.count("\n") + 1
            loaded = load_text(text, NAME)
        except ContentError as exc:
            check_message(str(exc), source.count(b"\n" if isinstance(source, bytes) else "\n") + 1)
            return ["unreadable"]
        for d in validate_all(loaded):
            check_message(str(d), lines)
        envs = loaded.data.get("environments") if isinstance(loaded.data, dict) else None
        for env in [None, *(sorted(envs) if isinstance(envs, dict) else [])]:
            try:
                artifacts = build(resolve(validate(loaded, env), spec_file=NAME))
            except SpecInvalid as exc:
                assert exc.diagnostics, "SpecInvalid without a diagnostic"
                for d in exc.diagnostics:
                    check_message(str(d), lines)
                endings.append("invalid")
                continue
            except UsageError as exc:
                check_message(str(exc), lines)
                endings.append("usage")
                continue
            check_artifacts(artifacts)
            endings.append("compiled")
    return endings


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Imports and catalog loads happen once, before any example is timed."""
    for text in EXAMPLE_TEXT.values():
        run(text)


# ---------------------------------------------------------------------------------------------- strategies

_ODD_STRINGS = [
    "",
    "3.3",
    "3.10",
    "2.11.2",
    "9.9",
    "30s",
    "1h30m",
    "-5s",
    "500m",
    "2Gi",
    "yes",
    "off",
    "null",
    "KubernetesExecutor",
    "CeleryKubernetesExecutor",
    "helm",
    "compose",
    "s3",
    "bundled",
    "external",
    "git@github.com:a/b.git",
    "https://x",
    "/abs/path",
    "../x",
    "a\nb",
    "\x00",
    "\ud800",
    "é漢字💥",
    "{{ 7*7 }}",
    "${X}",
    "%(x)s",
    "x" * 5000,
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(_ODD_STRINGS),
    st.text(max_size=20),
)
keys = st.one_of(st.sampled_from(SCHEMA_KEYS), st.text(max_size=10))
secret_refs = st.sampled_from(
    [
        {"secret": {"name": "s", "key": "k"}},
        {"env": "VAR"},
        {"file": "/run/x"},
        {"literal": "v"},
        {"env": "VAR", "file": "/x"},
        {},
    ]
).map(copy.deepcopy)  # mutations must never reach the list's own dicts
values = st.recursive(
    st.one_of(scalars, secret_refs),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)

# Pieces of YAML, spec keys and values that mean something to airspec: concatenated at random.
YAML_TOKENS = [
    ": ",
    ":",
    "- ",
    "-",
    "\n",
    "\n  ",
    "\n    ",
    "  ",
    "\t",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "? ",
    "|",
    "|-\n  ",
    ">",
    "'",
    '"',
    "#",
    " # c",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: ",
    "<<: *a",
    "!!python/object:os.system ",
    "!!python/object/apply:os.system ['true']",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!!str ",
    "!!int ",
    "!!float ",
    "!!map ",
    "!!seq ",
    "!local ",
    "!<tag:x,2000:y> ",
    "%YAML 1.1\n---\n",
    "%YAML 1.3\n---\n",
    "%TAG !e! tag:e,2000:\n---\n",
    "---\n",
    "...\n",
    "~",
    "null",
    "true",
    "yes",
    "0x1F",
    "0o17",
    "1e400",
    ".inf",
    "-.nan",
    "12:30",
    "2001-12-14",
    '"\\x00"',
    '"\\ud800"',
    "\ufeff",
    "\x85",
    "\u2028",
    "é",
    "💥",
    '"3.3"',
    "3.3",
    "name",
    "name: t\n",
    "airflow:\n  version: '3.3'\n",
    "airflow",
    "version",
    "executor",
    "KubernetesExecutor",
    "targets",
    "config",
    "environments",
    "prod",
    "kubernetes_executor",
    "profiles",
    "secrets",
    "secret",
    "env",
    "file",
]
yaml_soup = st.lists(st.one_of(st.sampled_from(YAML_TOKENS), st.text(max_size=3)), max_size=40).map("".join)


def all_paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from all_paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from all_paths(value, (*prefix, i))


def yaml_text(data: Any) -> str:
    """Any generated data as YAML (NaN, infinities, huge integers and control characters included)."""
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.width = 1 << 16
    yaml.dump(data, out)
    return out.getvalue()


@st.composite
def mutated_examples(draw: st.DrawFn) -> str:
    """An example with 1-4 edits at random paths: a value swapped for any other data or for what another example
    has under that key, a key deleted, a mapping given a new key, or the edit made in an environment overlay."""
    data = copy.deepcopy(EXAMPLE_DATA[draw(st.sampled_from(EXAMPLES))])
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(list(all_paths(data))[1:]))
        if draw(st.booleans()) and isinstance(data, dict) and path[0] != "environments":
            if not isinstance(data.get("environments"), dict):
                data["environments"] = {}
            overlay = data["environments"].setdefault(draw(st.sampled_from(["prod", "dev"])), {})
            if isinstance(overlay, dict):
                node = overlay
                for step in [p for p in path[:-1] if isinstance(p, str)]:
                    node = node.setdefault(step, {}) if isinstance(node, dict) else node
                if isinstance(node, dict):
                    node[str(path[-1])] = draw(values)
                continue
        parent: Any = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["swap", "swap", "borrow", "borrow", "delete", "add"]))
        if action == "swap":
            parent[path[-1]] = draw(values)
        elif action == "borrow":  # a value another example has under the same key: right types, odd mixes
            donor = EXAMPLE_DATA[draw(st.sampled_from(EXAMPLES))]
            donor_paths = list(all_paths(donor))[1:]
            same = [p for p in donor_paths if p[-1] == path[-1]] or donor_paths
            source: Any = donor
            for step in draw(st.sampled_from(same)):
                source = source[step]
            parent[path[-1]] = copy.deepcopy(source)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(keys)] = draw(values)
    return yaml_text(data)


@st.composite
def edited_examples(draw: st.DrawFn) -> str:
    """An example's text cut short, or with lines deleted, duplicated (duplicate keys), re-indented, or with a
    YAML token inserted."""
    text = EXAMPLE_TEXT[draw(st.sampled_from(EXAMPLES))]
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["cut", "delete", "duplicate", "indent", "dedent", "insert"]))
        if action == "cut":
            joined = "".join(lines)
            lines = [joined[: draw(st.integers(0, len(joined)))]]
        elif action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i][2:] if lines[i].startswith("  ") else lines[i].lstrip()
        else:
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.sampled_from(YAML_TOKENS)) + lines[i][at:]
    return "".join(lines)


# -------------------------------------------------------------------------------------------------- tests


@PROPERTY
@given(st.binary(max_size=600))
def test_random_bytes(raw: bytes) -> None:
    run(raw)


@PROPERTY
@given(st.binary(max_size=64), st.sampled_from(EXAMPLES), st.floats(0, 1))
def test_bytes_spliced_into_an_example(raw: bytes, name: str, where: float) -> None:
    text = EXAMPLE_TEXT[name].encode("utf-8")
    at = int(len(text) * where)
    run(text[:at] + raw + text[at:])


@PROPERTY
@given(yaml_soup)
def test_yaml_token_soup(text: str) -> None:
    run(text)


def _load_with(text: str, pure: bool) -> str:
    """What the loader makes of `text` (data and every position, or the error), with libyaml or without."""
    from unittest import mock

    from airspec import loader

    with contextlib.ExitStack() as stack:
        if pure:
            stack.enter_context(mock.patch.object(loader, "_compose_c", side_effect=loader._NoCParser))
        try:
            loaded = load_text(text, "s.yaml")
        except ContentError as exc:
            return f"error {exc}"
    return repr((loaded.data, sorted(loaded.source.keys.items()), sorted(loaded.source.values.items())))


def _leaves_a_value_out(text: str) -> bool:
    """Whether libyaml reads a value left out (`a:`, `- `) in `text`: the one place the two parsers put
    differently (see test_a_left_out_value_is_placed_after_its_key)."""
    from ruamel.yaml.error import YAMLError

    from airspec import loader

    try:
        root = loader._compose_c(text)
    except (YAMLError, Exception):
        return False
    seen: set[int] = set()
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node.value, list):
            todo += [part for item in node.value for part in (item if isinstance(item, tuple) else (item,))]
        elif node.value == "" and not node.style:
            return True
    return False


def test_a_left_out_value_is_placed_after_its_key() -> None:
    """`executor:` with nothing after it is null, reported where it was left out (libyaml's place), not at the
    next key on the next line (where ruamel's pure parser puts it)."""
    loaded = load_text("executor:\ntargets: [helm]\nx: {b: }\n", "s")
    assert str(loaded.source.value(("executor",))) == "s:1:10"
    assert str(loaded.source.value(("x", "b"))) == "s:3:8"


def test_libyaml_is_installed() -> None:
    """The fast path below must be the one users get: ruamel.yaml.clib is a dependency."""
    import _ruamel_yaml  # type: ignore[import-not-found]  # noqa: F401


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(yaml_soup, mutated_examples(), edited_examples(), st.text(max_size=60)))
def test_libyaml_and_the_pure_parser_load_alike(text: str) -> None:
    """The loader composes from libyaml's events when it can and from ruamel's pure-Python parser otherwise:
    the data, every key and value position, and every error message must be the same either way."""
    assume(not _leaves_a_value_out(text))
    assume("\t" not in text)  # see test_tabs_that_yaml_1_2_allows_are_read
    assert _load_with(text, pure=False) == _load_with(text, pure=True)


def test_tabs_that_yaml_1_2_allows_are_read() -> None:
    """Tabs separate a value from its `:` and may end a line (YAML 1.2, and libyaml); ruamel's pure-Python
    scanner refused both ("found character '\\t' that cannot start any token"). Indenting with tabs stays an
    error."""
    assert load_text("a:\t1\nb: x\t\nc: [1,\t2]\n", "s").data == {"a": 1, "b": "x", "c": [1, 2]}
    with pytest.raises(ContentError, match="invalid YAML"):
        load_text("a:\n\tb: 1\n", "s")


@pytest.mark.parametrize(
    "text",
    [
        *EXAMPLE_TEXT.values(),
        "a: on\nb: yes\nc: 3.10\nd: '3.10'\ne: 2024-01-01\nf: ~\ng: 0x10\nh: 0o17\ni: .inf\nj: -.nan\n",
        "base: &b {cpu: 1, memory: 2Gi}\nx:\n  <<: *b\n  cpu: 2\ny: *b\nz: [*b, {<<: [*b, {q: 1}]}]\n",
        "é漢字: 'x'\nb: 1\n",
        'a: 1\nb: "é\\u00e9" # c\n',
        "%YAML 1.2\n---\na: 1\n",
        "%YAML 1.1\n---\na: yes\n",
        "%YAML 1.3\n---\na: 1\n",
        "--- a\n--- b\n",
        "a: *nope\n",
        "a: &x 1\nb: &x 2\nc: *x\n",
        "a: !!str 1\nb: ! 2\nc: !!int '3'\nd: !local x\n",
        "!!!python/object:os.system x\n",
        "? a\n: 1\n? [b]\n: 2\n",
        "a: |\n  x\n   y\nb: >-\n  z\n\n  w\n",
        "- - - - a\n",
        "a: 1\n...\n",
        "",
        "# only a comment\n",
        "[" * 100 + "]" * 100,
        "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80)),
        "- " * 70 + "x\n",
        "a: &a [1]\nb: &b [*a, *a]\nc: *b\n",
        "a: [1, 2\n",
        "a: b: c\n",
        "a: 'unterminated\n",
        "\u0085a: 1\n",
        "a: \u2028b\n",
    ],
)
def test_libyaml_and_the_pure_parser_agree_on_corner_cases(text: str) -> None:
    assert not _leaves_a_value_out(text)
    assert _load_with(text, pure=False) == _load_with(text, pure=True)


@PROPERTY
@given(mutated_examples())
def test_type_swaps_deletions_and_new_keys_at_random_paths(text: str) -> None:
    run(text)


@PROPERTY
@given(edited_examples())
def test_truncated_and_line_edited_examples(text: str) -> None:
    run(text)


@PROPERTY
@given(st.dictionaries(keys, values, max_size=6), st.sampled_from(["3.3", "2.11", "3.0"]))
def test_generated_specs_with_a_valid_skeleton(extra: dict[str, Any], version: str) -> None:
    run(yaml_text({"name": "t", "airflow": {"version": version}, **extra}))


@settings(max_examples=40, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["flow-seq", "flow-map", "block-map", "block-seq", "mixed"]),
    st.integers(1, 400),
)
def test_deep_nesting(kind: str, depth: int) -> None:
    if kind == "flow-seq":
        text = "name: " + "[" * depth + "]" * depth
    elif kind == "flow-map":
        text = "name: " + "{a: " * depth + "1" + "}" * depth
    elif kind == "block-map":
        text = "".join(" " * i + "a:\n" for i in range(depth)) + " " * depth + "b: 1\n"
    elif kind == "block-seq":
        text = "a:\n" + "".join(" " * (2 * i) + "-\n" for i in range(depth)) + " " * (2 * depth) + "- 1\n"
    else:
        text = "a: " + "[{b: " * depth + "1" + "}]" * depth
    assert run(text) in (["unreadable"], ["invalid"]) or depth < 64


@settings(max_examples=20, deadline=timedelta(seconds=8), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["plain", "quoted", "block", "key", "comment", "list"]),
    st.sampled_from([10**4, 10**5, 10**6, MAX_BYTES + 1]),
)
def test_huge_strings(where: str, size: int) -> None:
    big = "x" * size
    text = {
        "plain": f"name: {big}\n",
        "quoted": f'name: t\nairflow: {{version: "3.3"}}\nconfig: {{api: {{instance_name: "{big}"}}}}\n',
        "block": f"name: t\nairflow: {{version: '3.3'}}\ndags:\n  git_sync:\n    repo: https://x\n    known_hosts: |\n      {big}\n",
        "key": f"{big}: 1\n",
        "comment": f"# {big}\nname: t\n",
        "list": "name: t\nairflow: {version: '3.3', providers: [" + ",".join(["a"] * (size // 100)) + "]}\n",
    }[where]
    run(text.encode("utf-8"))


@settings(max_examples=30, deadline=timedelta(seconds=8), suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 12), st.integers(1, 12), st.booleans())
def test_anchor_and_alias_bombs(levels: int, fanout: int, merge: bool) -> None:
    lines = ["name: t", "airflow: {version: '3.3'}", "x0: &x0 [lol]"]
    for i in range(1, levels + 1):
        lines.append(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * fanout) + "]")
    if merge:
        lines.append("scheduler: {<<: {replicas: 2}, resources: {requests: &r {cpu: 1}, limits: *r}}")
    endings = run("\n".join(lines) + "\n")
    assert endings in (["unreadable"], ["invalid"])


def test_pathological_inputs_end_quickly() -> None:
    """Shapes that took minutes or all memory before the loader and validate bounded them: each ends inside
    TIME_LIMIT. (A list of more than MAX_NODES items is refused too, after about 7 s of parsing.)"""
    cases = {
        # ruamel's round-trip scanner joins a run of comment lines in quadratic time (about 2 minutes).
        "2M comment lines": "a: 1\n" + "#\n" * 2_000_000,
        # One splitlines() of the whole file per diagnostic, and the rest of the line quoted in each message.
        "30k numbers where strings go": "name: t\nairflow: {version: '3.3', providers: ["
        + ",".join(["1"] * 30_000)
        + "]}",
        # Each replaced overlay value scanned every position of the file.
        "an overlay replacing 6k options": "name: t\nairflow: {version: '3.3'}\nconfig:\n"
        + "".join(f"  s{i}: {{o: 1}}\n" for i in range(6000))
        + "environments:\n  e:\n    config:\n"
        + "".join(f"      s{i}: {{o: 2}}\n" for i in range(6000)),
        "a %YAML 1.3 directive": "%YAML 1.3\n---\nname: t\n",
        "a %YAML 1.1 directive": "%YAML 1.1\n---\nname: t\ndevelopment_only: yes\n",
        "an anchor defined twice": "name: &n t\nairflow: &n {version: '3.3'}\nx: *n\n",
    }
    for label, text in cases.items():
        endings = run(text)
        assert set(endings) <= {"unreadable", "invalid"}, (label, endings)


def test_keys_with_line_breaks_stay_one_line_per_problem() -> None:
    """A key reaches a message through its path: a line break in it must not start a new line (a forged one)."""
    text = (
        "name: t\nairflow: {version: '3.3'}\n"
        'config: {"x\\nspec.yaml:1:1: error: forged": {a: 1}, "a\\u2028b": {b: 2}}\n'
        'environments: {"p\\rq": {core: {parallelism: x}}}\n'
    )
    assert run(text) == ["invalid", "invalid"]
    messages = [d.message for d in validate_all(load_text(text, NAME))]
    assert "config.x\\nspec.yaml:1:1: error: forged: must be a single line (no line breaks)" in messages
    assert "core.parallelism: expected an integer, got 'x' (environment p\\rq)" in messages


def test_numbers_in_flow_lists_are_quoted_alone() -> None:
    """The "quote it" hint names the number as written, not the rest of the flow list after it."""
    with pytest.raises(SpecInvalid) as exc:
        validate(load_text("name: t\nairflow: {version: '3.3', providers: [1, amazon, 2.50]}\n", NAME))
    assert [d.message for d in exc.value.diagnostics] == [
        "airflow.providers[0]: expected a string, got the number '1': quote it, as \"1\"",
        "airflow.providers[2]: expected a string, got the number '2.50': quote it, as \"2.50\"",
    ]


# ------------------------------------------------------------------------------------- the command line


def hostile_files(folder: Path) -> list[Path]:
    """About thirty files a user (or an attacker) might hand to airspec, written under `folder`."""
    rnd = random.Random(20261124)
    fixed: dict[str, bytes] = {
        "empty.yaml": b"",
        "nul.yaml": b"name: t\x00\n",
        "latin1.yaml": "name: caf\xe9\n".encode("latin-1"),
        "bom.yaml": "\ufeffname: t\nairflow: {version: '3.3'}\n".encode(),
        "utf16.yaml": "name: t\n".encode("utf-16"),
        "python-tag.yaml": b"name: !!python/object/apply:os.system ['echo pwned']\n",
        "binary-tag.yaml": b"name: !!binary aGVsbG8=\n",
        "local-tag.yaml": b"name: !Ref x\nairflow: {version: '3.3'}\n",
        "yaml-1.1.yaml": b"%YAML 1.1\n---\nname: t\nairflow: {version: '3.3'}\ndevelopment_only: yes\n",
        "yaml-1.3.yaml": b"%YAML 1.3\n---\nname: t\n",
        "two-docs.yaml": b"name: t\n---\nname: u\n",
        "list.yaml": b"- a\n- b\n",
        "scalar.yaml": b"just a string\n",
        "deep.yaml": b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "bomb.yaml": b"a: &a [x,x,x,x,x,x,x,x,x]\n"
        + b"".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n".encode()
            for i in range(8)
        ),
        "anchor-twice.yaml": b"name: &x t\nairflow: &x {version: '3.3'}\n",
        "undefined-alias.yaml": b"name: *nothing\n",
        "huge.yaml": b"name: " + b"x" * (MAX_BYTES + 10) + b"\n",
        "duplicate-key.yaml": b"name: t\nname: u\n",
        "numbers-for-strings.yaml": b"name: t\nairflow: {version: 3.10, providers: [1, amazon, 2.50]}\n",
        "nan.yaml": b"name: t\nairflow: {version: '3.3'}\ncore: {dagbag_import_timeout: .inf, parallelism: .nan}\n",
        "overlay-list.yaml": b"name: t\nairflow: {version: '3.3'}\nenvironments: {prod: [1, 2]}\n",
        "overlay-name.yaml": b"name: t\nairflow: {version: '3.3'}\nenvironments: {prod: {name: u}}\n",
        "bad-profile.yaml": b"name: t\nairflow: {version: '3.3'}\nexecutor: KubernetesExecutor\n"
        b"kubernetes_executor: {profiles: {'../../etc/x': {}, '/abs': {}, '.': {}}}\n",
        "newline-in-config.yaml": b"name: t\nairflow: {version: '3.3'}\n"
        b'config: {api: {instance_name: "a\\n[core]\\nexecutor = x"}}\n',
        "edge-space-config.yaml": b"name: t\nairflow: {version: '3.3'}\nconfig: {api: {instance_name: ' x '}}\n",
        "nul-in-url.yaml": b"name: t\nairflow: {version: '3.3'}\napi_server: {base_url: \"https://x\\0y\"}\n",
        "line-break-keys.yaml": b"name: t\nairflow: {version: '3.3'}\n"
        b'config: {"x\\nerror: forged": {a: 1}}\nenvironments: {"p\\nq": {core: {parallelism: x}}}\n',
    }
    paths = []
    for name, content in fixed.items():
        path = folder / name
        path.write_bytes(content)
        paths.append(path)
    for i in range(4):
        text = EXAMPLE_TEXT[EXAMPLES[i % len(EXAMPLES)]]
        cut = text[: rnd.randrange(len(text))]
        path = folder / f"truncated-{i}.yaml"
        path.write_text(cut, encoding="utf-8")
        paths.append(path)
    return paths


def airspec(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        [sys.executable, "-m", "airspec", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def test_command_line_on_hostile_files(tmp_path: Path) -> None:
    """One `validate` over every file, and `compile` on a few, run side by side: exit 0, 1 or 2, no traceback,
    every line a diagnostic, a one-line error, `<file>: valid`, `wrote <path>` or `unchanged <path>`, and nothing written outside OUT."""
    specs = tmp_path / "specs"
    specs.mkdir()
    files = hostile_files(specs)
    valid = specs / "valid-unicode.yaml"
    valid.write_text(
        "name: t\ndevelopment_only: true\nairflow: {version: '3.3'}\ntargets: [compose]\n"
        "config: {api: {access_control_allow_headers: 'é漢字💥 {{ 7*7 }} %(x)s ${HOME} $(X) [core] a = b'}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    runs = {
        "validate": airspec("validate", *map(str, [*files, valid]), cwd=tmp_path),
        "compile-hostile": airspec(
            "compile", *map(str, files[-8:]), "-o", str(out / "hostile"), cwd=tmp_path
        ),
        "compile-valid": airspec("compile", str(valid), "-o", str(out / "valid"), cwd=tmp_path),
        "compile-bomb": airspec("compile", str(specs / "bomb.yaml"), "-o", str(out / "bomb"), cwd=tmp_path),
    }
    names = {str(p) for p in [*files, valid]}
    done = {name: (proc, *proc.communicate(timeout=120)) for name, proc in runs.items()}
    for name, (proc, stdout, stderr) in done.items():
        assert proc.returncode in (0, 1, 2), (name, proc.returncode, stderr)
        assert "Traceback" not in stdout + stderr, (name, stderr)
        for line in (stdout + stderr).splitlines():
            found = _ERROR.match(line)
            known = (
                (found is not None and found["file"] in names)
                or line.startswith("error: ")
                or (line.endswith(": valid") and line.removesuffix(": valid") in names)
                or line.startswith((f"wrote {out}/", f"unchanged {out}/"))
            )
            assert known, f"{name}: an unexpected line: {line!r}"
    validated = done["validate"]
    assert validated[0].returncode == 1  # every file is readable; what is wrong is in their content
    for path in files:
        assert str(path) in validated[1] + validated[2], f"validate said nothing about {path.name}"
    assert f"{valid}: valid" in validated[1].splitlines()
    assert done["compile-valid"][0].returncode == 0, done["compile-valid"][2]
    assert done["compile-hostile"][0].returncode == 1  # every file is read; their content is refused
    assert done["compile-bomb"][0].returncode == 1  # a problem in the file, like a schema error
    assert not (out / "hostile").exists() and not (out / "bomb").exists()
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert all(p.parts[0] == "specs" or p.parts[:2] == ("out", "valid") for p in written), sorted(written)


# ------------------------------------------------------------------------------------- output confinement


def _spec_with_profiles(names: list[str]) -> str:
    profiles = {name: {"node_selector": {"pool": "p"}} for name in names}
    return yaml_text(
        {
            "name": "t",
            "airflow": {"version": "3.3"},
            "executor": "KubernetesExecutor",
            "kubernetes_executor": {"profiles": profiles},
        }
    )


ESCAPES = [
    "../x",
    "../../etc/passwd",
    "/abs",
    "/",
    ".",
    "..",
    "a/b",
    "a\\b",
    "x\ny",
    "",
    "A",
    "-a",
    "a" * 64,
    "é",
]


@PROPERTY
@given(
    st.lists(st.one_of(st.sampled_from(ESCAPES), st.text(max_size=12)), min_size=1, max_size=3, unique=True)
)
def test_profile_names_never_leave_out(names: list[str]) -> None:
    """A profile becomes kubernetes/profiles/<name>.yaml: a name that is not a DNS label is refused at its key,
    and every artifact of an accepted spec stays below OUT."""
    loaded = load_text(_spec_with_profiles(names), NAME)
    try:
        artifacts = build(resolve(validate(loaded), spec_file=NAME))
    except SpecInvalid as exc:
        assert all(d.message.startswith("kubernetes_executor.profiles") for d in exc.diagnostics), exc
        assert any(not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", n) for n in names)
        return
    out = Path("/out")
    for a in artifacts:
        assert (out / a.path).resolve().is_relative_to(out), a.path
    assert {a.path for a in artifacts if a.kind == "pod-profile"} == {
        f"kubernetes/profiles/{n}.yaml" for n in names
    }


@PROPERTY
@given(st.one_of(st.sampled_from(ESCAPES), st.text(max_size=12)))
def test_spec_names_are_one_folder_name(name: str) -> None:
    """Several specs compile into OUT/<spec name>: only a DNS label is a name, never `.`, `..` or a path."""
    loaded = load_text(yaml_text({"name": name, "airflow": {"version": "3.3"}}), NAME)
    try:
        validate(loaded)
    except SpecInvalid as exc:
        assert [d.message.split(":")[0] for d in exc.diagnostics] == ["name"], exc
        return
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", name) and name not in (".", "..")


def _compile(*args: str, cwd: Path) -> tuple[int, str, str]:
    proc = airspec("compile", *args, cwd=cwd)
    stdout, stderr = proc.communicate(timeout=120)
    return proc.returncode, stdout, stderr


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


EXAMPLE = str(ROOT / "examples" / "minimal" / "airflow-spec.yaml")


def test_unwritable_out_is_one_line_exit_2(tmp_path: Path) -> None:
    """OUT that cannot be made: a name longer than the file system takes (fails for root too), and a file where a
    folder must go. Each is one `error: cannot write ...` line, exit 2, and nothing is left behind."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for out in (tmp_path / ("x" * 300) / "out", blocker, blocker / "out"):
        code, stdout, stderr = _compile(EXAMPLE, "-o", str(out), cwd=tmp_path)
        assert code == 2, (out, stdout, stderr)
        assert stdout == "" and stderr.count("\n") == 1, stderr
        assert stderr.startswith(f"error: cannot write {out}"), stderr
    assert _tree(tmp_path) == {"file": b"not a folder"}


def test_read_only_out_is_one_line_exit_2(tmp_path: Path) -> None:
    """OUT in a folder that refuses writes. A mode bit does not stop root, so as root the folder is one the kernel
    refuses to everyone (sysfs takes no new folders); a user without such a folder fails the test under
    AIRSPEC_REQUIRE_VALIDATORS instead of skipping."""
    from tests.validators import _missing

    if os.geteuid() == 0:
        parent = Path("/sys/fs")
        if not parent.is_dir():
            _missing("running as root and no sysfs: no folder that refuses root's writes")
        out = parent / "airspec-read-only-out"
    else:
        parent = tmp_path / "locked"
        parent.mkdir()
        parent.chmod(0o555)
        out = parent / "out"
    try:
        code, stdout, stderr = _compile(EXAMPLE, "-o", str(out), cwd=tmp_path)
        assert code == 2 and stdout == "" and stderr.count("\n") == 1, (code, stdout, stderr)
        assert stderr.startswith(f"error: cannot write {out}"), stderr
        assert not out.exists()
        assert [p.name for p in parent.iterdir() if "airspec" in p.name] == []
    finally:
        if parent.is_relative_to(tmp_path):
            parent.chmod(0o755)


def test_several_specs_are_written_all_or_nothing(tmp_path: Path) -> None:
    for name in ("aaa", "bbb"):
        (tmp_path / name).mkdir()
        text = Path(EXAMPLE).read_text("utf-8").replace("name: minimal", f"name: {name}")
        (tmp_path / name / "airflow-spec.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "bbb").write_text("a file where OUT/bbb must go")
    code, _, stderr = _compile(str(tmp_path / "aaa"), str(tmp_path / "bbb"), "-o", str(out), cwd=tmp_path)
    assert code == 2 and "cannot write" in stderr
    assert _tree(out) == {"bbb": b"a file where OUT/bbb must go"}


def test_spec_path_that_is_not_utf8(tmp_path: Path) -> None:
    spec = os.fsencode(tmp_path) + b"/caf\xe9.yaml"
    Path(os.fsdecode(spec)).write_text(Path(EXAMPLE).read_text("utf-8"), encoding="utf-8")
    code, _, stderr = _compile(os.fsdecode(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert "Traceback" not in stderr
    assert code == 0, stderr
    header = (tmp_path / "out" / "airflow.cfg").read_text("utf-8").splitlines()[0]
    assert header.startswith("# Generated by airspec from ../caf\\udce9.yaml"), header
