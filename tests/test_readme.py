"""The README a new user follows: the two set-up commands first, generated sections current."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_readme_opens_with_the_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text()
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    assert text.index("```sh") < text.index("\n## ")


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_generated_sections_are_current() -> None:
    result = subprocess.run([sys.executable, "tools/readme.py", "--check"], cwd=ROOT, timeout=60)
    assert result.returncode == 0, "README.md is stale: run `make docs` and commit the result"
