"""The spec's path reaches artifacts only as a harmless, stable label (issue #13, items 5-8).

- A folder name holding a line break (`x\\n[secrets]\\nbackend = evil.module.Backend\\n#`), a carriage return, a
  Unicode line separator or control characters: every artifact still reads, with its real reader, exactly as the
  same spec compiled from a plain folder (no new section, option or key), through `compile SPEC` and through
  `compile specs/` (folder expansion).
- However the spec and OUT are spelled (./x, absolute, ../dir/x, through a symlinked working folder), a compile
  followed by the generated workflow's own `airspec compile airflow-spec.yaml -o build --check` passes.
- Lone UTF-16 surrogates in free-form maps are refused by validation.
"""

from __future__ import annotations

import configparser
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from ruamel.yaml import YAML

from airspec.cli import cli
from airspec.loader import load_text
from airspec.model import Spec
from airspec.pipeline import spec_label
from airspec.validate import validate_all
from tests.conftest import ROOT

EXAMPLES = ("kubernetes-helm", "celery-compose")
HOSTILE = [
    "x\n[secrets]\nbackend = evil.module.Backend\n#",
    "x\r[secrets]\rbackend = evil.module.Backend\r#",
    "x\r\n[core]\r\nexecutor = evil\r\n#",
    "x\u2028[secrets]\u2028backend = evil.module.Backend\u2029#",
    "x\x1b[2J\x07\x0b\x0c\x85\x9b1;2Hy",
    "x\nKEY=injected\n#",
    "x\n---\nkind: Secret\n#",
]


def _compile(*args: str) -> str:
    result = CliRunner().invoke(cli, ["compile", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _read_cfg(text: str) -> dict[str, dict[str, str]]:
    """As Airflow's parser reads it: strict, `=` or `:`, no inline comments, %-interpolation."""
    parser = configparser.ConfigParser(strict=True)
    parser.read_string(text)
    return {s: {o: parser.get(s, o, raw=True) for o in parser.options(s)} for s in parser.sections()}


def _read_env(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#")]


def _reading(path: Path) -> Any:
    """An artifact as its consumer reads it; every YAML file with libyaml and with ruamel, which must agree."""
    text = path.read_bytes().decode("utf-8")
    if path.name == "airflow.cfg":
        return _read_cfg(text)
    if path.name == ".env.example":
        return _read_env(text)
    if path.suffix in (".yaml", ".yml"):
        by_libyaml = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
        by_ruamel = list(YAML(typ="safe", pure=True).load_all(text))
        assert by_libyaml == by_ruamel, path
        return by_libyaml
    return [line for line in text.splitlines() if not line.lstrip().startswith("#")]


def _readings(out: Path, folder: str = "") -> dict[str, Any]:
    """Every artifact's reading; the spec's folder as the CI workflow names it (escaped) read as `plain`."""
    shown = spec_label(f"{folder}/x", ".").removesuffix("/x") if folder else ""
    return {
        p.relative_to(out).as_posix(): _renamed(_reading(p), shown)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def _renamed(reading: Any, shown: str) -> Any:
    if not shown:
        return reading
    if isinstance(reading, dict):
        return {_renamed(k, shown): _renamed(v, shown) for k, v in reading.items()}
    if isinstance(reading, list):
        return [_renamed(v, shown) for v in reading]
    if isinstance(reading, str):
        return reading.replace(f"specs/{shown}/", "specs/plain/")
    return reading


@pytest.mark.parametrize("name", HOSTILE, ids=lambda n: repr(n)[:20])
def test_a_hostile_folder_name_changes_no_reading_of_any_artifact(tmp_path: Path, name: str) -> None:
    for example in EXAMPLES:
        plain = tmp_path / example / "specs" / "plain"
        hostile = tmp_path / example / "specs" / name
        for folder in (plain, hostile):
            folder.mkdir(parents=True)
            shutil.copy(ROOT / "examples" / example / "airflow-spec.yaml", folder / "airflow-spec.yaml")
        base = tmp_path / example
        _compile(str(plain / "airflow-spec.yaml"), "-o", str(base / "out-plain"))
        _compile(str(hostile / "airflow-spec.yaml"), "-o", str(base / "out-hostile"))
        want = _readings(base / "out-plain")
        assert _readings(base / "out-hostile", name) == want
        # Folder expansion: both specs (same name) go one OUT each; only the hostile one here.
        shutil.rmtree(plain)
        _compile(str(base / "specs"), str(base / "specs"), "-o", str(base / "out-folder"))
        assert _readings(base / "out-folder", name) == want
        for artifact in (base / "out-hostile").rglob("*"):
            if artifact.is_file():
                text = artifact.read_text(encoding="utf-8")
                # The name is there, escaped, on the line it started on: no line break or control character.
                lines = [line for line in text.split("\n") if "evil" in line or "injected" in line]
                assert all("\\x0" in line or "\\u202" in line for line in lines), artifact
                assert all(c.isprintable() or c == "\n" for c in text), artifact


# ------------------------------------------------------------------------------------------ path spellings


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = os.getcwd()
    old_pwd = os.environ.get("PWD")
    os.chdir(path)
    os.environ["PWD"] = str(path)  # as a shell sets it: the symlinked spelling
    try:
        yield
    finally:
        os.chdir(before)
        if old_pwd is None:
            os.environ.pop("PWD", None)
        else:
            os.environ["PWD"] = old_pwd


def _spellings(project: Path, link: Path, via_link: bool) -> dict[str, tuple[str, str]]:
    here = link if via_link else project
    return {
        "bare": ("airflow-spec.yaml", "build"),
        "dot": ("./airflow-spec.yaml", "./build"),
        "absolute": (str(here / "airflow-spec.yaml"), str(here / "build")),
        "real absolute": (str(project / "airflow-spec.yaml"), str(project / "build")),
        "through the link": (str(link / "airflow-spec.yaml"), str(link / "build")),
        "up and down": (f"../{project.name}/airflow-spec.yaml", f"../{project.name}/build"),
        "up and down the link": (f"../{link.name}/airflow-spec.yaml", f"../{link.name}/build"),
        "mixed": (str(link / "airflow-spec.yaml"), "build"),
        "mixed back": ("airflow-spec.yaml", str(link / "build")),
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("spelling")
    project = root / "project"
    project.mkdir()
    shutil.copy(ROOT / "examples/kubernetes-helm/airflow-spec.yaml", project / "airflow-spec.yaml")
    link = root / "link"
    link.symlink_to(project, target_is_directory=True)
    return project, link


@settings(max_examples=15, deadline=None)
@given(
    spelled=st.sampled_from(
        [
            "bare",
            "dot",
            "absolute",
            "real absolute",
            "through the link",
            "up and down",
            "up and down the link",
            "mixed",
            "mixed back",
        ]
    ),
    via_link=st.booleans(),
    check_via_link=st.booleans(),
)
def test_check_passes_however_the_paths_were_spelled(
    project: tuple[Path, Path], spelled: str, via_link: bool, check_via_link: bool
) -> None:
    real, link = project
    shutil.rmtree(real / "build", ignore_errors=True)
    with _cwd(link if via_link else real):
        spec, out = _spellings(real, link, via_link)[spelled]
        _compile(spec, "-o", out)
    # What the generated CI workflow runs, from the repository root (here: the project folder).
    with _cwd(link if check_via_link else real):
        result = CliRunner().invoke(cli, ["compile", "airflow-spec.yaml", "-o", "build", "--check"])
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------------------------- surrogates

SPEC = (
    'name: s\nairflow:\n  version: "3.3"\nexecutor: KubernetesExecutor\ntargets: [helm]\n'
    "secrets:\n  fernet_key: {secret: {name: f, key: k}}\n  api_secret_key: {secret: {name: f, key: k}}\n"
    "  jwt_secret: {secret: {name: f, key: k}}\ndatabase:\n  password: {secret: {name: f, key: p}}\n"
)


@pytest.mark.parametrize(
    "where",
    [
        {"worker": {"node_selector": {"k\ud800": "v"}}},
        {"worker": {"node_selector": {"k": "v\udfff"}}},
        {"worker": {"affinity": {"nodeAffinity": {"k\udfff": [{"a": "b"}]}}}},
        {"worker": {"affinity": {"nodeAffinity": {"k": [{"a": "\ud800"}]}}}},
        {"worker": {"volumes": [{"name": "v\ud800", "emptyDir": {}}]}},
        {"worker": {"volume_mounts": [{"name": "v", "mountPath": "/x\udbff"}]}},
        {"profiles": {"gpu": {"node_selector": {"k\ud800": "v"}}}},
        {"profiles": {"gpu": {"affinity": {"x": "\ud800"}}}},
    ],
)
def test_lone_surrogates_are_refused_by_the_models(where: dict[str, Any]) -> None:
    data = load_text(SPEC, "s.yaml").data
    Spec.model_validate(data)  # valid without them
    with pytest.raises(ValidationError):
        Spec.model_validate({**data, "kubernetes_executor": where})


def test_lone_surrogates_are_one_positioned_line_in_validate() -> None:
    text = SPEC + 'kubernetes_executor:\n  worker:\n    affinity: {"k\\udfff": {a: b}}\n'
    problems = [str(d) for d in validate_all(load_text(text, "s.yaml"))]
    assert problems == [
        "s.yaml:14:15: error: kubernetes_executor.worker.affinity: holds a lone UTF-16 surrogate (\\udfff), "
        "which is not text; remove it"
    ]
