"""The README as a new user follows it: in a fresh copy of the repository, after the two set-up commands, every
```sh block runs verbatim, and every sample output (a block starting with `$ command`) is what that command
prints. A command that needs a cluster runs against a stand-in `kubectl` on PATH.

The copy reuses this checkout's .venv (its bin/ linked in, marked installed) instead of installing again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import ROOT

FENCE = re.compile(r"^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```\n", re.M | re.S)
# Commands of the tour that exit non-zero by design: linting an Airflow 2 file for 3.3 finds upgrade problems.
EXPECTED_EXIT = {"airspec lint --airflow-version 3.3 golden/airflow2-celery-helm/airflow.cfg": 1}
# The stand-in for `kubectl get configmap RELEASE-airflow-config`: the ConfigMap the chart would hold, made from
# the airflow.cfg the tour compiled (so that the spec and "the cluster" agree: no drift).
FAKE_KUBECTL = """\
import json, sys
expected = ["get", "configmap", "my-airflow-airflow-config", "--namespace", "airflow", "--output", "yaml"]
if sys.argv[1:] != expected:
    sys.exit(f"fake kubectl: unexpected arguments {sys.argv[1:]}")
cfg = open("deploy/airflow.cfg", encoding="utf-8").read()
print("apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: my-airflow-airflow-config\\ndata:")
print("  airflow.cfg: " + json.dumps(cfg))
"""


class Block(NamedTuple):
    lang: str
    body: str
    line: int  # of the opening fence


def blocks(text: str) -> list[Block]:
    return [Block(m["lang"], m["body"], text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


def commands(body: str) -> list[str]:
    """A block's command lines, verbatim (comments included: the shell drops them)."""
    return [line for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]


README = blocks((ROOT / "README.md").read_text(encoding="utf-8"))
SH = [b for b in README if b.lang == "sh"]
SETUP, COMPLETION = SH[0], next(b for b in SH if "_AIRSPEC_COMPLETE" in b.body)
TOURS = [b for b in SH if b not in (SETUP, COMPLETION)]
SAMPLES = [(i, b) for i, b in enumerate(README) if b.lang == "" and b.body.startswith("$ ")]


def _copy_of_the_repository(dest: Path) -> None:
    """What a clone has: the tracked files (as they are in this working tree) and untracked ones not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        src = ROOT / name
        if src.is_symlink() or not src.is_file():  # links to this machine's tools, deleted files
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest / name)
        shutil.copymode(src, dest / name)


def _environment(fake_bin: Path) -> dict[str, str]:
    """A shell as a new user has it: no virtualenv active, nothing of airspec on PATH; the stand-in kubectl."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AIRSPEC", "VIRTUAL_ENV"))}
    env.pop("PYTHONPATH", None)
    env["PATH"] = os.pathsep.join([str(fake_bin), "/usr/local/bin", "/usr/bin", "/bin"])
    return env


def _run_lines(lines: list[str], cwd: Path, env: dict[str, str]) -> list[tuple[str, int, str]]:
    """Each line in one bash session (so that `. .venv/bin/activate` holds for the lines after it), with its exit
    code and its output."""
    marker = "__airspec_tour_exit__"
    script = "".join(f"{{ {line}\n}} 2>&1\necho {marker} $?\n" for line in lines)
    result = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    parts = re.split(rf"^{marker} (\d+)\n", result.stdout, flags=re.M)
    outputs, codes = parts[0:-1:2], [int(c) for c in parts[1::2]]
    assert len(codes) == len(lines), f"the tour stopped early:\n{result.stdout}\n{result.stderr}"
    return list(zip(lines, codes, outputs, strict=True))


class Checkout(NamedTuple):
    root: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Checkout:
    root = tmp_path_factory.mktemp("clone")
    _copy_of_the_repository(root)
    venv = root / ".venv"
    venv.mkdir()
    (venv / "bin").symlink_to(ROOT / ".venv" / "bin")
    (venv / ".installed").touch()  # after pyproject.toml was copied: make sees the install as current
    fake_bin = tmp_path_factory.mktemp("bin")
    kubectl = fake_bin / "kubectl"
    kubectl.write_text(f"#!{sys.executable}\n{FAKE_KUBECTL}", encoding="utf-8")
    kubectl.chmod(0o755)
    env = _environment(fake_bin)
    for line in commands(SETUP.body):
        command = line.split("#")[0].strip()
        if command == "make test":
            continue  # the suite this test is part of; test_setup_commands_are_make_targets checks it exists
        done = subprocess.run(
            command, shell=True, cwd=root, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return Checkout(root, env)


def test_setup_commands_are_make_targets(checkout: Checkout) -> None:
    """`make test` is what CI runs (and runs this test); here it must be a target that lints, types and tests."""
    dry = subprocess.run(
        ["make", "-n", "test"],
        cwd=checkout.root,
        env=checkout.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    for step in ("ruff check", "mypy airspec", "pytest"):
        assert step in dry.stdout


def test_airspec_is_not_on_path_before_the_tour_says_how(checkout: Checkout) -> None:
    """Why the tour starts with activating .venv: the set-up commands install airspec only there."""
    found = subprocess.run(["bash", "-c", "command -v airspec"], env=checkout.env, capture_output=True)
    assert found.returncode != 0
    assert commands(TOURS[0].body)[0].split("#")[0].strip() == ". .venv/bin/activate"


def test_every_tour_command_runs_verbatim(checkout: Checkout) -> None:
    for block in TOURS:
        ran = _run_lines(commands(block.body), checkout.root, checkout.env)
        for line, code, output in ran:
            command = line.split("#")[0].strip()
            assert "command not found" not in output, f"README.md:{block.line}: {command}\n{output}"
            assert code == EXPECTED_EXIT.get(command, 0), (
                f"README.md:{block.line}: {command} -> {code}\n{output}"
            )
    built = checkout.root / "deploy"
    assert (built / "airflow.cfg").is_file() and (checkout.root / "airflow-spec.yaml").is_file()


def test_the_cluster_command_is_marked_and_read_the_stand_in(checkout: Checkout) -> None:
    tour = commands(TOURS[0].body)
    live = [line for line in tour if "k8s://" in line or "http://" in line or "https://" in line]
    assert live and all("needs a cluster" in line or "needs a server" in line for line in live)
    ran = _run_lines(tour, checkout.root, checkout.env)
    (_, code, output) = next(r for r in ran if "k8s://" in r[0])
    assert code == 0
    assert (
        "airflow.cfg (airflow.cfg) <- k8s://airflow/my-airflow configmap/my-airflow-airflow-config" in output
    )
    assert "no drift" in output


@pytest.mark.parametrize(("index", "sample"), SAMPLES, ids=[f"README.md:{b.line}" for _, b in SAMPLES])
def test_sample_output_is_what_the_command_prints(
    checkout: Checkout, tmp_path: Path, index: int, sample: Block
) -> None:
    """A sample right after a ```yaml spec runs on that spec (as airflow-spec.yaml, in a folder of its own); any
    other runs in the checkout after the tour. stdout and stderr together, as a terminal shows them."""
    command, _, expected = sample.body.partition("\n")
    before = README[index - 1]
    if before.lang == "yaml" and before.body.startswith("name:"):
        cwd = tmp_path
        (cwd / "airflow-spec.yaml").write_text(before.body, encoding="utf-8")
    else:
        cwd = checkout.root
    env = {**checkout.env, "PATH": os.pathsep.join([str(ROOT / ".venv" / "bin"), checkout.env["PATH"]])}
    result = subprocess.run(
        ["bash", "-c", command.removeprefix("$ ")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout + result.stderr == expected


def test_shell_completion_lines(checkout: Checkout) -> None:
    """Each line goes into its shell's start-up file: it runs in that shell (bash always; zsh, fish if present)
    and, where the shell is missing, at least prints a completion script for it."""
    env = {**checkout.env, "PATH": os.pathsep.join([str(ROOT / ".venv" / "bin"), checkout.env["PATH"]])}
    for line in commands(COMPLETION.body):
        shell = re.search(r"(bash|zsh|fish)_source", line)
        assert shell, line
        name = shell[1]
        if name == "bash":
            script = f"{line}\ncomplete -p airspec"
            done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0 and "_airspec_completion" in done.stdout, done.stderr
        elif shutil.which(name, path=env["PATH"]):
            done = subprocess.run([name, "-c", line], env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
        else:
            generated = subprocess.run(
                ["airspec"],
                env={**env, "_AIRSPEC_COMPLETE": f"{name}_source"},
                capture_output=True,
                text=True,
            )
            assert "airspec" in generated.stdout and generated.returncode == 0


def test_readme_commands_are_marked_as_the_tests_read_them() -> None:
    """The structure this test relies on: the set-up block, one tour, one completion block, and samples."""
    assert commands(SETUP.body)[0].startswith("make demo")
    assert TOURS and SAMPLES
    assert textwrap.dedent(SETUP.body) == SETUP.body
