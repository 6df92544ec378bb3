"""Free text in a spec reaches every artifact as exactly that text, or validation refuses it with a clear message.

A hostile string goes into every free-text field of a spec at once (each field keeps its own prefix where its format
needs one, e.g. `https://h/` before a base URL). The spec is compiled, and again with a unique placeholder in every
field; each artifact of both is read back the way its consumer reads it, and the two readings must be the same tree
(no new INI section or option, no new YAML key or list item) in which every placeholder became the field's value:

- airflow.cfg: Python's configparser (Airflow's parser is one), then Airflow 3.3.2 itself in one probe batch;
- Helm values: a YAML safe loader; `config:` values then go through the chart's `tpl` and configparser, the pod
  template string through `tpl` and YAML again, `env` values through Kubernetes' `$(VAR)` expansion;
- pod templates: a YAML safe loader, and Kubernetes' `$(VAR)` expansion in container env values;
- docker-compose: a YAML safe loader and Compose's `$` interpolation of every string;
- the GitHub workflow: a YAML safe loader and GitHub's `${{ }}` evaluation (everywhere but under `on:`).

Template and interpolation syntax the consumer would act on is kept apart in the reading, so a hostile `{{ 7*7 }}`,
`${X}` or `$(X)` only compares equal if the artifact escaped it. Airflow itself expands `$VAR` and `~` in every
value it reads (airflow.configuration.expand_env_var, with no escape): the probe check expects exactly that.
"""

from __future__ import annotations

import configparser
import functools
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from airspec.artifacts import build
from airspec.errors import SpecInvalid
from airspec.loader import load_text
from airspec.resolve import resolve
from airspec.source import format_path
from airspec.validate import validate
from tests.validators import probe_airflow

SPEC_FILE = "airflow-spec.yaml"

# The strings every field is tried with; hypothesis adds more, built from the same pieces.
NASTY = [
    "plain",
    "",
    "multi\nline",
    "crlf\r\nline",
    "x\n[injected]\nkey = value",
    "[section]",
    "key = value",
    "key: value",
    "%(x)s",
    "%",
    "100%",
    "%%",
    "{{ 7*7 }}",
    "{{",
    "}}",
    '{{ "{{" }}',
    "{{- .Values.secret -}}",
    "${{ secrets.GITHUB_TOKEN }}",
    "${{ '${{' }}",
    "${HOME}",
    "$HOME",
    "${NOT_SET_ANYWHERE}",
    "$(HOSTNAME)",
    "$$(x)",
    "$",
    "$$",
    "~",
    "~root/x",
    ": ",
    "a: b",
    "#",
    " # comment",
    "a # b",
    ";",
    "&anchor",
    "*alias",
    "!!python/object:os.system",
    "---",
    "...",
    "- item",
    "? key",
    "'",
    '"',
    "''",
    "\\",
    "\\n",
    "a'b\"c",
    "|",
    ">",
    "@",
    "`",
    "yes",
    "on",
    "null",
    "~",
    "3.10",
    "0o17",
    "1e3",
    "  padded  ",
    "\ttab",
    "trailing ",
    "é漢字💥",
    "\u00a0nbsp",
    "a\u00a0b",
    "a\x85b",
    "a\u2028b\u2029c",
    "\ufeffbom",
    "a\x1bb\x7fc",
    "a\x00b",
    "\x0b",
    "x" * 5000,
    "/",
    "//",
    "../..",
    "./x/",
]
_LINE = re.compile(r"[^\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f]{0,4096}")
_DNS = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def line(value: str) -> bool:
    """What a single-line text field takes: no line break, no control character but tab, at most 4096 chars."""
    return bool(_LINE.fullmatch(value))


def cfg_line(value: str) -> bool:
    """A line that airflow.cfg can hold: its parser strips whitespace around a value."""
    return line(value) and value == value.strip()


def cfg_path(value: str) -> bool:
    return line(value) and value.strip("/") == value.strip("/").strip()


def url(value: str) -> bool:
    return not any(c.isspace() or c < " " or c == "\x7f" for c in value)


def dns(value: str) -> bool:
    return bool(_DNS.fullmatch(value))


PIECES = [*sorted(set(NASTY) - {"x" * 5000}), *"\n\r $(){}=[]'\""]
# Mostly text that single-line fields take (so that it reaches the artifacts), sometimes anything at all.
_one_line = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t")
free_text = st.one_of(
    st.lists(
        st.one_of(st.sampled_from([p for p in PIECES if line(p)]), st.text(_one_line, max_size=4)),
        min_size=1,
        max_size=6,
    ).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), min_size=1, max_size=6).map("".join),
)


def ci_folder(value: str) -> str:
    """The workflow normalises a folder as a POSIX path (`a//b/` is `a/b`): a path, not an injection."""
    return str(PurePosixPath(value)).rstrip("/") or "."


@dataclass(frozen=True)
class Field:
    path: tuple[str | int, ...]
    accepts: Callable[[str], bool]  # values validation must take
    prefix: str = ""
    suffix: str = ""
    seen_as: Callable[[str], str] = str  # how the artifacts spell the value, apart from escaping

    @property
    def name(self) -> str:
        return format_path(self.path)

    def value(self, text: str) -> str:
        return self.prefix + text + self.suffix


WORKER = ("kubernetes_executor", "worker")
PROFILE = ("kubernetes_executor", "profiles", "p")
GIT = ("dags", "git_sync")
COMMON = (
    Field(("config", "api", "access_control_allow_headers"), cfg_line),
    Field(("api_server", "base_url"), url, prefix="https://h/"),
    Field(("logging", "remote", "base_folder"), url, prefix="s3://b/"),
    Field(("logging", "persistence", "storage_class"), line),
    # Suffixes keep the end of the path, which [core] dags_folder builds from both, clear of trimmed slashes.
    Field(("dags", "folder"), cfg_line, prefix="/f/", suffix="-f"),
    Field(("name",), dns),
)
KUBERNETES = (
    *COMMON,
    Field((*GIT, "repo"), url, prefix="https://g/"),
    Field((*GIT, "branch"), line),
    Field((*GIT, "sub_path"), cfg_path, prefix="s-", suffix="-s"),
    Field((*WORKER, "env", 0, "value"), line),
    Field((*WORKER, "node_selector", "pool"), line),
    Field((*WORKER, "tolerations", 0, "value"), line),
    Field((*PROFILE, "node_selector", "pool"), line),
    Field((*PROFILE, "tolerations", 0, "value"), line),
    Field((*PROFILE, "env", 0, "value"), line),
    Field(("ci", "branch"), lambda v: line(v) and "${{" not in v),
    Field(("ci", "dags_path"), line, prefix="d-", suffix="-d", seen_as=ci_folder),
    Field(("ci", "tests_path"), line, prefix="t-", suffix="-t", seen_as=ci_folder),
    Field(("ci", "airspec_requirement"), lambda v: line(v) and v != ""),
)
# docker-compose refuses the claim settings of logging.persistence (its logs volume has none).
COMPOSE = (
    *(f for f in COMMON if f.path != ("logging", "persistence", "storage_class")),
    Field(("dags", "local_path"), line, prefix="./"),
)

TOLERATION = {"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}
HELM_SPEC: dict[str, Any] = {
    "name": "n",
    "airflow": {"version": "3.3"},
    "executor": "KubernetesExecutor",
    "targets": ["helm"],
    "api_server": {"base_url": "u"},
    "dags": {"folder": "f", "git_sync": {"repo": "r", "branch": "b", "sub_path": "s"}},
    "kubernetes_executor": {
        "worker": {
            "env": [{"name": "GREETING", "value": "v"}],
            "node_selector": {"pool": "p"},
            "tolerations": [dict(TOLERATION)],
        },
        "profiles": {
            "p": {
                "env": [{"name": "GREETING", "value": "v"}],
                "node_selector": {"pool": "p"},
                "tolerations": [dict(TOLERATION)],
            }
        },
    },
    "logging": {
        "remote": {"provider": "s3", "base_folder": "b", "conn_id": "aws_default"},
        "persistence": {"size": "1Gi", "storage_class": "c"},
    },
    "metrics": {"statsd": {"enabled": False}},
    "ci": {"branch": "b", "dags_path": "d", "tests_path": "t", "deploy": {"kind": "git-sync"}},
    "config": {"api": {"access_control_allow_headers": "h"}},
}
COMPOSE_SPEC: dict[str, Any] = {
    "name": "n",
    "development_only": True,
    "airflow": {"version": "3.3"},
    "executor": "LocalExecutor",
    "targets": ["compose"],
    "api_server": {"base_url": "u"},
    "dags": {"folder": "f", "local_path": "l"},
    "logging": {
        "remote": {"provider": "s3", "base_folder": "b", "conn_id": "aws_default"},
        "persistence": {},
    },
    "metrics": {"statsd": {"enabled": False}},
    "config": {"api": {"access_control_allow_headers": "h"}},
}
BASES: dict[str, tuple[dict[str, Any], tuple[Field, ...]]] = {
    "helm-3.3": (HELM_SPEC, KUBERNETES),
    "helm-2.11": ({**HELM_SPEC, "airflow": {"version": "2.11"}}, KUBERNETES),
    "compose-3.3": (COMPOSE_SPEC, COMPOSE),
}


def placeholder(index: int) -> str:
    """Unique per field, valid in every field (a DNS label), and never a part of another placeholder."""
    return f"zqx{index:02d}placeholderxqz"


# ---------------------------------------------------------------------------------------------- compiling


_NOT_YAML_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff]"
)


def spec_text(spec: dict[str, Any]) -> str:
    """JSON (which is YAML) with every character a YAML reader could fold or refuse written as an escape."""
    text = json.dumps(spec, ensure_ascii=False, indent=1)
    return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def with_values(spec: dict[str, Any], values: dict[tuple[str | int, ...], str]) -> dict[str, Any]:
    out = json.loads(json.dumps(spec))
    for path, value in values.items():
        node = out
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return out


def compile_spec(spec: dict[str, Any], only: frozenset[str] | None = None) -> dict[str, str]:
    loaded = load_text(spec_text(spec), SPEC_FILE)
    assert loaded.data == spec, "the test wrote a spec that does not read back as itself"
    resolved = resolve(validate(loaded), spec_file=SPEC_FILE)
    return {a.path: a.text for a in build(resolved, only)}


@dataclass(frozen=True)
class Case:
    base: str
    text: str
    values: dict[Field, str]  # what each field holds: the hostile value, or its placeholder where refused
    artifacts: dict[str, str]
    refused: tuple[str, ...]


def compile_case(base: str, text: str, only: frozenset[str] | None = None) -> Case:
    """Compile `base` with `text` in every field; fields that validation refuses get their placeholder back."""
    spec, fields = BASES[base]
    values = {f: f.value(text) for f in fields}
    try:
        artifacts = compile_spec(with_values(spec, {f.path: v for f, v in values.items()}), only)
        return Case(base, text, values, artifacts, ())
    except SpecInvalid as exc:
        by_name = {f.name: f for f in fields}
        refused: list[Field] = []
        for d in exc.diagnostics:
            owner = next((f for name, f in by_name.items() if d.message.startswith(f"{name}: ")), None)
            assert owner is not None, f"{base}: {text!r}: a refusal that names no field: {d}"
            assert "\n" not in str(d), f"{base}: a diagnostic of more than one line: {d}"
            assert not owner.accepts(values[owner]), f"{base}: {owner.name} refused {values[owner]!r}: {d}"
            refused.append(owner)
    for i, f in enumerate(fields):
        if f in refused:
            values[f] = f.value(placeholder(i))
    artifacts = compile_spec(with_values(spec, {f.path: v for f, v in values.items()}), only)
    return Case(base, text, values, artifacts, tuple(sorted(f.name for f in refused)))


@functools.cache
def baseline(base: str, only: frozenset[str] | None = None) -> dict[str, str]:
    spec, fields = BASES[base]
    return compile_spec(
        with_values(spec, {f.path: f.value(placeholder(i)) for i, f in enumerate(fields)}), only
    )


def replacements(case: Case) -> list[tuple[str, str]]:
    fields = BASES[case.base][1]
    return [
        (f.seen_as(f.value(placeholder(i))), f.seen_as(v))
        for i, f in enumerate(fields)
        if (v := case.values[f]) != f.value(placeholder(i))
    ]


def substitute(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


# ------------------------------------------------------------------------- reading as each consumer reads


def read_cfg(text: str) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser()  # what Airflow's parser is: '=' or ':', %-interpolation, strict
    parser.read_string(text)
    return {s: {o: parser.get(s, o) for o in parser.options(s)} for s in parser.sections()}


def cfg_value(raw: str) -> str:
    """One value as the chart writes it into airflow.cfg (`key = value`) and Airflow's parser reads it."""
    assert "\n" not in raw and "\r" not in raw, f"a value that would span lines in airflow.cfg: {raw!r}"
    return read_cfg(f"[s]\nk = {raw}\n")["s"]["k"]


@functools.lru_cache(maxsize=64)  # the baselines' artifacts are read again for every case
def read_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


_TPL_LITERAL = '{{ "{{" }}'
GITHUB_EXPRESSION = "${{"


def tpl(text: str) -> str:
    """Helm's `tpl` over text airspec wrote: `{{ "{{" }}` renders `{{`; any other action would run."""
    out, start = [], 0
    while (at := text.find("{{", start)) >= 0:
        assert text.startswith(_TPL_LITERAL, at), f"a template action Helm would run: {text[at : at + 40]!r}"
        out += [text[start:at], "{{"]
        start = at + len(_TPL_LITERAL)
    return "".join([*out, text[start:]])


def mark(match: re.Match[str]) -> str:
    """What a consumer would substitute: kept apart, so it never equals the literal text."""
    return f"\x00{match.group()}\x00"


def kubernetes_env(text: str) -> str:
    """Kubernetes env values: `$(VAR)` expands, `$$` is a literal `$`."""
    return re.sub(r"\$\$|\$\([^)]*\)", lambda m: "$" if m.group() == "$$" else mark(m), text)


def compose_value(text: str) -> str:
    """Compose interpolation: `$$` is a literal `$`; `${...}` and `$VAR` substitute; a lone `$` is an error."""
    return re.sub(
        r"\$\$|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$", lambda m: "$" if m.group() == "$$" else mark(m), text
    )


def github_value(text: str) -> str:
    """GitHub evaluates `${{ expr }}`; a lone string literal, `${{ '...' }}`, evaluates to itself."""

    def evaluate(m: re.Match[str]) -> str:
        literal = re.fullmatch(r"\$\{\{\s*'((?:[^']|'')*)'\s*\}\}", m.group(), re.S)
        return literal.group(1).replace("''", "'") if literal else mark(m)

    return re.sub(r"\$\{\{.*?\}\}", evaluate, text, flags=re.S)


def github_condition(text: str) -> str:
    """An `if:` is an expression: its string literals are '...' with '' for a quote."""
    text = github_value(text)
    literal = r"'((?:[^']|'')*)'"
    assert "'" not in re.sub(literal, "", text), f"an unbalanced quote in a GitHub expression: {text!r}"
    return re.sub(literal, lambda m: "\x01" + m.group(1).replace("''", "'") + "\x01", text)


def consumer(artifact: str) -> str:
    if artifact.startswith("helm/"):
        return "helm"
    if artifact.startswith("kubernetes/"):
        return "pod"
    if artifact == "compose/docker-compose.yaml":
        return "compose"
    if artifact.startswith("ci/"):
        return "github"
    return "yaml"


def decode(kind: str, where: tuple[Any, ...], value: str) -> str:
    if kind == "helm" and len(where) == 3 and where[0] == "config":
        return cfg_value(tpl(value))
    if kind in ("helm", "pod") and len(where) >= 2 and where[-1] == "value" and where[-3] == "env":
        return kubernetes_env(value)
    if kind == "compose":
        return compose_value(value)
    if kind == "github" and where[:1] != ("on",):
        return github_condition(value) if where[-1] == "if" else github_value(value)
    return value


def same(kind: str, got: Any, want: Any, pairs: list[tuple[str, str]], where: tuple[Any, ...] = ()) -> None:
    """`got` reads as `want` with every placeholder replaced: the same keys, items and types everywhere."""
    at = f"{kind} {'.'.join(map(str, where)) or '(top)'}"
    if kind == "helm" and where == ("podTemplate",):
        same("pod", read_yaml(tpl(got)), read_yaml(tpl(want)), pairs, ())
    elif isinstance(want, dict):
        assert isinstance(got, dict), f"{at}: a mapping became {got!r}"
        assert list(got) == list(want), f"{at}: keys {list(got)} instead of {list(want)}"
        for key in want:
            same(kind, got[key], want[key], pairs, (*where, key))
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (
            f"{at}: {got!r} instead of a list like {want!r}"
        )
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            same(kind, g, w, pairs, (*where, i))
    elif isinstance(want, str):
        assert isinstance(got, str), f"{at}: {got!r} instead of a string"
        expected, read = substitute(decode(kind, where, want), pairs), decode(kind, where, got)
        assert read == expected, (
            f"{at}: {got!r} reads as {read!r} (\\x00 marks a substitution), not {expected!r}"
        )
    else:
        assert got == want and type(got) is type(want), f"{at}: {got!r} instead of {want!r}"


def check_case(case: Case) -> None:
    """Every artifact of `case` reads as the baseline's, with each placeholder replaced by its field's value."""
    base = baseline(case.base)
    assert sorted(case.artifacts) == sorted(base), f"{case.base}: other artifacts for {case.text!r}"
    pairs = replacements(case)
    for path, text in case.artifacts.items():
        if text == base[path]:
            continue
        where = f"{case.base} {path} with {case.text!r}: "
        try:
            if path == "airflow.cfg":
                same("cfg", read_cfg(text), read_cfg(base[path]), pairs)
            elif path.endswith(".env.example"):
                variables = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
                assert variables == [ln for ln in base[path].splitlines() if ln and not ln.startswith("#")]
            else:
                same(consumer(path), read_yaml(text), read_yaml(base[path]), pairs)
        except AssertionError as exc:
            raise AssertionError(where + str(exc)) from None


# -------------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("base", sorted(BASES))
def test_nasty_strings_reach_every_artifact_intact(base: str) -> None:
    for text in NASTY:
        check_case(compile_case(base, text))


URL_FIELDS = {"api_server.base_url", "logging.remote.base_folder", "dags.git_sync.repo"}


@pytest.mark.parametrize("base", sorted(BASES))
def test_text_a_parser_or_template_would_act_on_is_taken(base: str) -> None:
    """Validation is not a blanket no: such text is taken by every text field (URLs take no spaces, and the
    name is a DNS label), and the test above has shown it arrives as written."""
    for text in (
        "{{ 7*7 }}",
        "%(x)s",
        "[section]",
        "key = value",
        "${HOME}",
        "$(HOSTNAME)",
        "a # b",
        "é漢字💥",
    ):
        refused = set(compile_case(base, text).refused)
        assert refused <= {"name", *URL_FIELDS}, (text, refused)
        assert "name" in refused and (" " in text) == bool(refused & URL_FIELDS), (text, refused)


@pytest.mark.parametrize("base", sorted(BASES))
def test_generated_strings_reach_every_artifact_intact(base: str) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=free_text)
    def round_trip(text: str) -> None:
        check_case(compile_case(base, text))

    round_trip()


def test_github_expressions_in_spec_text_are_not_evaluated() -> None:
    workflow = "ci/github/airflow-ci.yml"
    for text in ("${{ secrets.GITHUB_TOKEN }}", "${{ github.token }}", "a${{ 7 }}b"):
        case = compile_case("helm-3.3", text)
        want = read_yaml(baseline("helm-3.3")[workflow])
        same("github", read_yaml(case.artifacts[workflow]), want, replacements(case))


def airflow_reads(value: str, env: dict[str, str]) -> str:
    """airflow.configuration.expand_env_var, which Airflow applies to every value it reads: $VAR and ~ expand."""
    if "$" not in value and not value.startswith("~"):
        return value
    with mock.patch.dict(os.environ, env, clear=True):
        while True:
            expanded = os.path.expanduser(os.path.expandvars(value))
            if expanded == value:
                return value
            value = expanded


def test_airflow_reads_every_value_back(tmp_path: Path) -> None:
    """The real Airflow 3.3.2 parser, once for every airflow.cfg below: each option it reads is the spec's value
    (after Airflow's own $VAR/~ expansion), no new section or option, no lint finding the placeholder lacks."""
    only = frozenset({"airflow.cfg"})
    generated: list[str] = []

    @settings(max_examples=40, deadline=None, database=None)
    @given(text=free_text)
    def collect(text: str) -> None:
        generated.append(text)

    collect()
    cfgs = {baseline("helm-3.3", only)["airflow.cfg"]: "the placeholders"}
    for text in [*NASTY, *generated]:
        case = compile_case("helm-3.3", text, only)
        cfgs.setdefault(
            case.artifacts["airflow.cfg"], repr(text)
        )  # where every field refused it: the baseline
    requests = []
    for i, cfg in enumerate(cfgs):
        path = tmp_path / f"{i}.cfg"
        path.write_text(cfg, encoding="utf-8")
        options = [[s, o] for s, opts in read_cfg(cfg).items() for o in opts]
        requests.append({"cfg": path, "read": options})
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}
    results = probe_airflow(requests, env=env)
    for (cfg, label), request, result in zip(cfgs.items(), requests, results, strict=True):
        assert result["error"] is None, f"{label}: {result['error']}"
        assert result["lint"] == results[0]["lint"], f"{label}: lint {result['lint']}"
        probe_env = {**env, "AIRFLOW_HOME": "/opt/airflow", "AIRFLOW_CONFIG": str(request["cfg"])}
        probe_env["_AIRFLOW__AS_LIBRARY"] = "1"
        for section, options in read_cfg(cfg).items():
            for option, value in options.items():
                got = result["values"][f"{section}.{option}"]
                assert got == airflow_reads(value, probe_env), f"{label}: [{section}] {option} reads {got!r}"


def test_the_readers_catch_what_a_consumer_would_act_on() -> None:
    """The checks above are only as good as these readers: each must tell escaped text from live syntax."""
    assert tpl('a {{ "{{" }} 7*7 }}') == "a {{ 7*7 }}"
    with pytest.raises(AssertionError, match="template action"):
        tpl("{{ 7*7 }}")
    assert kubernetes_env("$$(X) $(Y) $Z") == "$(X) \x00$(Y)\x00 $Z"
    assert compose_value("$$HOME ${X} $Y $") == "$HOME \x00${X}\x00 \x00$Y\x00 \x00$\x00"
    assert github_value("${{ '${{' }} x }} ${{ secrets.X }}") == "${{ x }} \x00${{ secrets.X }}\x00"
    assert github_condition("a == 'it''s'") == "a == \x01it's\x01"
    with pytest.raises(AssertionError, match="unbalanced"):
        github_condition("a == 'it's'")
    assert cfg_value("100%%") == "100%"
    with pytest.raises(configparser.InterpolationSyntaxError):
        cfg_value("100%")
    fields = BASES["helm-3.3"][1]
    values = {f: f.value(placeholder(i)) for i, f in enumerate(fields)}
    base = baseline("helm-3.3")
    for path, injected in (
        ("airflow.cfg", base["airflow.cfg"] + "[injected]\nkey = value\n"),
        ("airflow.cfg", base["airflow.cfg"] + "injected = value\n"),
        ("helm/values.yaml", base["helm/values.yaml"] + "injected: value\n"),
    ):
        with pytest.raises(AssertionError, match=r"keys|sections"):
            check_case(Case("helm-3.3", "x", values, {**base, path: injected}, ()))
