"""The integrations users plug airspec into: pre-commit hooks and the GitHub Action, checked by their consumers."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.validators import run_tool, tool


def test_pre_commit_manifest_is_valid_and_entries_run() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert [h["id"] for h in hooks] == ["airspec-validate", "airspec-lint", "airspec-compile-check"]
    for hook in hooks:
        argv = shlex.split(hook["entry"])
        assert argv[0] == "airspec"
        result = subprocess.run(
            [sys.executable, "-m", "airspec", *argv[1:], "--help"], capture_output=True, text=True, cwd=ROOT
        )
        assert result.returncode == 0, (hook["id"], result.stderr)


def test_pre_commit_hook_files_match_specs() -> None:
    import re

    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    pattern = re.compile(hooks["airspec-validate"]["files"])
    assert pattern.search("examples/minimal/airflow-spec.yaml")
    assert not pattern.search("examples/minimal/airflow-spec.yaml.bak")


def test_action_metadata_is_valid(tmp_path: Path) -> None:
    """SchemaStore's github-action schema (as check-jsonschema ships it) accepts action.yml, and rejects a typo."""
    broken = tmp_path / "action.yml"
    broken.write_text((ROOT / "action.yml").read_text().replace("\nruns:", "\nrunz:"))
    checker = tool("check-jsonschema")
    good = run_tool([checker, "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")])
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run_tool([checker, "--builtin-schema", "vendor.github-actions", str(broken)])
    assert bad.returncode != 0 and "'runz' was unexpected" in bad.stdout


def test_readme_workflow_example_passes_actionlint(tmp_path: Path) -> None:
    """The README's copy-paste workflow that uses the action is a valid workflow."""
    text = (ROOT / "README.md").read_text()
    example = text.split("**GitHub Action**", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    workflow = tmp_path / "airspec.yml"
    workflow.write_text("name: airspec\non: [pull_request]\n" + example)
    result = run_tool([tool("actionlint"), str(workflow)])
    assert result.returncode == 0, result.stdout + result.stderr
    schema = run_tool(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)]
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr


def test_action_passes_inputs_through_the_environment() -> None:
    """No `${{ inputs.* }}` inside run: scripts (script injection); they reach the shell as env variables."""
    from ruamel.yaml import YAML

    action = YAML(typ="safe", pure=True).load((ROOT / "action.yml").read_text())
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_shell_completion_script_is_served() -> None:
    """The README's completion line: click serves a completion script for the `airspec` program name."""
    import os

    for shell in ("bash", "zsh", "fish"):
        env = {**os.environ, "_AIRSPEC_COMPLETE": f"{shell}_source", "PYTHONPATH": str(ROOT)}
        result = subprocess.run([sys.executable, "-m", "airspec"], capture_output=True, text=True, env=env)
        assert result.returncode == 0
        assert "_AIRSPEC_COMPLETE" in result.stdout, shell
    text = (ROOT / "README.md").read_text()
    assert 'eval "$(_AIRSPEC_COMPLETE=bash_source airspec)"' in text


def test_completion_lists_commands() -> None:
    import os

    env = {**os.environ, "_AIRSPEC_COMPLETE": "bash_complete", "COMP_WORDS": "airspec li", "COMP_CWORD": "1"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-m", "airspec"], capture_output=True, text=True, env=env)
    assert "plain,lint" in result.stdout.splitlines()
