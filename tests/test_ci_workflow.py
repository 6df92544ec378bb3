"""The GitHub Actions workflow, read by its real consumers: actionlint (one call for every generated workflow),
check-jsonschema's vendored GitHub workflow schema and SchemaStore's (one call), shellcheck on every `run:`
script, and Airflow 3.3.2 running the DAG import check on a good and a broken DAG folder."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from airspec import __version__
from airspec.artifacts import build
from airspec.render.ci_workflow import ACTIONS, DAG_IMPORT_CHECK, provider_packages
from airspec.resolve import Resolved
from tests.test_airflow_cfg import resolved_example, resolved_text
from tests.validators import clean_env, run_tool, shared, tool

PATH = "ci/github/airflow-ci.yml"

BASE = """\
name: {name}
airflow:
  version: "{version}"
  image: {{repository: registry.example.com/airflow}}
  providers: [google, apache-airflow-providers-postgres]
targets: [helm]
"""
VARIANTS = {
    "s3-secrets": BASE.format(name="s3-secrets", version="3.3")
    + """\
ci:
  pin_actions: false
  deploy: {kind: s3, bucket: my-dags, prefix: ""}
""",
    "git-sync": BASE.format(name="gitsync", version="3.2")
    + """\
dags:
  git_sync: {repo: "https://github.com/example/dags.git", branch: prod, wait: 30}
ci:
  branch: prod
  deploy: {kind: git-sync}
""",
    "none-2.11": BASE.format(name="legacy", version="2.11")
    + """\
ci:
  python_version: "3.10"
  dags_path: airflow/dags/
  tests_path: airflow/tests
  branch: "it's/release"
  lint: false
  pin_actions: false
  airspec_requirement: "airspec @ git+https://github.com/example/airspec@v0.1.0"
""",
    "pinned-none": BASE.format(name="pinned", version="3.0") + "ci: {}\n",
}


def cases() -> dict[str, Resolved]:
    out = {
        "kubernetes-helm": resolved_example("kubernetes-helm"),
        "kubernetes-helm@production": resolved_example("kubernetes-helm", "production"),
    }
    out.update({name: resolved_text(text) for name, text in VARIANTS.items()})
    return out


CASES = cases()


_BUILT: dict[int, tuple[Resolved, str]] = {}


def workflow_text(resolved: Resolved) -> str:
    """The workflow `build` makes (once per resolved spec, which the cache keeps alive)."""
    cached = _BUILT.get(id(resolved))
    if cached is None or cached[0] is not resolved:
        (text,) = [a.text for a in build(resolved) if a.kind == "ci-workflow"]
        cached = _BUILT[id(resolved)] = (resolved, text)
    return cached[1]


def load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("workflows")
    out = {}
    for name, resolved in CASES.items():
        path = root / f"{name.replace('@', '-')}.yml"
        path.write_text(workflow_text(resolved), encoding="utf-8")
        out[name] = path
    return out


def test_airspec_comes_from_the_requirement_the_spec_names() -> None:
    """The version that wrote the workflow by default; `ci.airspec_requirement` where that is not on the index.
    It reaches pip through the job's environment: bash hands it over as one argument, whatever it holds."""
    for name, want in (
        ("kubernetes-helm", "airspec==0.1.0"),
        ("none-2.11", "airspec @ git+https://github.com/example/airspec@v0.1.0"),
    ):
        job = load(workflow_text(CASES[name]))["jobs"]["test"]
        assert job["env"]["AIRSPEC_REQUIREMENT"] == want, name
        (install,) = [s["run"] for s in job["steps"] if s["name"].startswith("Install Airflow")]
        assert install.splitlines()[-1] == 'pip install pytest ruff "$AIRSPEC_REQUIREMENT"'
    nasty = "a b; echo \"$(id)\" `x` * \\ 'q' $HOME ${{ 1 }}"
    script = 'pip() { printf "%s\\n" "$#" "$@"; }\n' + install.splitlines()[-1] + "\n"
    said = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env={"AIRSPEC_REQUIREMENT": nasty}, check=True
    )
    assert said.stdout.splitlines() == ["4", "install", "pytest", "ruff", nasty]


def test_no_ci_section_no_workflow() -> None:
    assert [a for a in build(resolved_example("minimal")) if a.kind == "ci-workflow"] == []
    paths = [a.path for a in build(CASES["kubernetes-helm"]) if a.kind == "ci-workflow"]
    assert paths == [PATH]


def test_actionlint_passes_every_workflow(written: dict[str, Path]) -> None:
    checked = run_tool([tool("actionlint"), *written.values()])
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_check_jsonschema_vendored_github_workflow_schema(written: dict[str, Path]) -> None:
    checked = run_tool(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, written.values())]
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_schemastore_github_workflow_schema() -> None:
    schema = json.loads(shared("upstream", "schemastore", "github-workflow.json").read_text())
    for name, resolved in CASES.items():
        errors = list(jsonschema.Draft7Validator(schema).iter_errors(load(workflow_text(resolved))))
        assert [e.message for e in errors] == [], name


def test_on_survives_a_yaml_1_1_reader() -> None:
    for name, resolved in CASES.items():
        data = load("%YAML 1.1\n---\n" + workflow_text(resolved))
        assert "on" in data and True not in data, name
        assert set(data["on"]) == {"push", "pull_request"}, name


def _uses(data: dict[str, Any]) -> list[str]:
    return [step["uses"] for job in data["jobs"].values() for step in job["steps"] if "uses" in step]


# The pins as public workflows write them (the provenance is at ci_workflow.ACTIONS), stated again here so that a
# slip in that table shows up: repository -> (pinned reference with its tag comment, major tag).
EXPECTED_PINS = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "v4"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0", "v5"),
    "aws-actions/configure-aws-credentials": ("7474bc4690e29a8392af63c5b98e7449536d5c3a # v4.3.1", "v4"),
}


def test_actions_pinned_by_sha_with_the_tag_or_by_major_tag() -> None:
    assert {a.repo for a in ACTIONS.values()} == set(EXPECTED_PINS)
    for name, resolved in CASES.items():
        text = workflow_text(resolved)
        assert resolved.spec.ci is not None
        lines = [line.strip() for line in text.splitlines() if line.strip().startswith(("uses:", "- uses:"))]
        assert lines, name
        for line in lines:
            ref = line.split("uses:", 1)[1].strip()
            repo, version = ref.split("@", 1)
            pinned, major = EXPECTED_PINS[repo]
            assert version == (pinned if resolved.spec.ci.pin_actions else major), (name, line)


def test_triggers_and_paths() -> None:
    data = load(workflow_text(CASES["none-2.11"]))
    for event in ("push", "pull_request"):
        assert data["on"][event]["branches"] == ["it's/release"]
        assert data["on"][event]["paths"][:2] == ["airflow/dags/**", "airflow/tests/**"]
        assert ".github/workflows/airflow-ci.yml" in data["on"][event]["paths"]
    assert data["permissions"] == {"contents": "read"}
    helm = load(workflow_text(CASES["kubernetes-helm"]))
    assert "examples/kubernetes-helm/airflow-spec.yaml" in helm["on"]["push"]["paths"]


def _run(job: dict[str, Any], name: str) -> str:
    (step,) = [s for s in job["steps"] if s.get("name") == name]
    run: str = step["run"]
    return run


def test_test_job_installs_the_resolved_airflow_under_its_constraints() -> None:
    for name, resolved in CASES.items():
        assert resolved.spec.ci is not None
        job = load(workflow_text(resolved))["jobs"]["test"]
        install = _run(job, f"Install Airflow {resolved.airflow_version}")
        python = resolved.spec.ci.python_version or resolved.spec.airflow.python_version
        assert f'"apache-airflow=={resolved.airflow_version}"' in install, name
        url = (
            f"https://raw.githubusercontent.com/apache/airflow/constraints-{resolved.airflow_version}/"
            f"constraints-{python}.txt"
        )
        assert f'--constraint "{url}"' in install, name
        assert 'pip install pytest ruff "$AIRSPEC_REQUIREMENT"' in install, name
        pinned = resolved.spec.ci.airspec_requirement or f"airspec=={__version__}"
        assert job["env"]["AIRSPEC_REQUIREMENT"] == pinned, name
        for package in provider_packages(resolved.spec.airflow.providers):
            assert f'"{package}"' in install, name
        steps = [s["name"] for s in job["steps"]]
        assert steps.index("Import every DAG") < steps.index("Run the tests"), name
        checks = _run(job, "Check the spec and the compiled output")
        assert '-o "$AIRSPEC_OUT" --check' in checks, name
        assert ("airspec lint" in checks) == resolved.spec.ci.lint, name
        assert job["env"]["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert provider_packages(["google", "cncf.kubernetes", "apache-airflow-providers-postgres"]) == [
        "apache-airflow-providers-cncf-kubernetes",
        "apache-airflow-providers-google",
        "apache-airflow-providers-postgres",
    ]
    production = load(workflow_text(CASES["kubernetes-helm@production"]))["jobs"]["test"]
    assert '--env "production"' in _run(production, "Check the spec and the compiled output")


def test_deploy_jobs() -> None:
    jobs = {name: load(workflow_text(r))["jobs"] for name, r in CASES.items()}
    assert "deploy" not in jobs["none-2.11"] and "deploy" not in jobs["pinned-none"]
    role = jobs["kubernetes-helm"]["deploy"]
    assert role["needs"] == "test"
    assert role["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert role["permissions"] == {"contents": "read", "id-token": "write"}
    (creds,) = [s["with"] for s in role["steps"] if "aws-actions" in s.get("uses", "")]
    assert creds == {
        "aws-region": "eu-west-1",
        "role-to-assume": "arn:aws:iam::123456789012:role/airflow-dags-deploy",
    }
    assert role["env"]["S3_TARGET"] == "s3://example-airflow-dags/analytics/dags"
    assert 'aws s3 sync "$DAGS_PATH" "$S3_TARGET" --delete' in _run(role, "Sync the DAGs to S3")
    secrets = jobs["s3-secrets"]["deploy"]
    assert "permissions" not in secrets
    (creds,) = [s["with"] for s in secrets["steps"] if "aws-actions" in s.get("uses", "")]
    assert creds == {
        "aws-region": "${{ vars.AWS_REGION }}",
        "aws-access-key-id": "${{ secrets.AWS_ACCESS_KEY_ID }}",
        "aws-secret-access-key": "${{ secrets.AWS_SECRET_ACCESS_KEY }}",
    }
    assert secrets["env"]["S3_TARGET"] == "s3://my-dags/"
    git = jobs["git-sync"]["deploy"]
    assert git["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/prod'"
    assert [list(s) for s in git["steps"]] == [["name", "run"]]
    assert git["env"]["GIT_SYNC_SOURCE"] == "https://github.com/example/dags.git (prod) every 30s"


def test_shellcheck_every_run_script(tmp_path: Path) -> None:
    shellcheck = tool("shellcheck")  # actionlint's wrapper here does not run it itself
    scripts = []
    for name, resolved in CASES.items():
        data = load(workflow_text(resolved))
        for job_name, job in data["jobs"].items():
            for i, step in enumerate(job["steps"]):
                if "run" in step:
                    assert "${{" not in step["run"], (name, step["name"])  # values reach scripts via env
                    path = tmp_path / f"{name}-{job_name}-{i}.sh"
                    # GitHub runs `bash --noprofile --norc -eo pipefail {0}`
                    path.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + step["run"], encoding="utf-8")
                    scripts.append(str(path))
    checked = run_tool([shellcheck, "--severity=style", *scripts])
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("files", "code", "said"),
    [
        ({"good.py": "GOOD"}, 0, "1 DAG(s) imported from dags"),
        ({"good.py": "GOOD", "broken.py": "BROKEN"}, 1, "::error file=dags/broken.py::ModuleNotFoundError"),
    ],
)
def test_dag_import_check_fails_on_an_import_error(
    tmp_path: Path, files: dict[str, str], code: int, said: str
) -> None:
    """The workflow's own import step, run by Airflow 3.3.2 on a DAG folder."""
    python = tool("airflow-python")
    sources = {
        "GOOD": (
            "from datetime import datetime\n"
            "from airflow.sdk import DAG\n"
            "from airflow.providers.standard.operators.empty import EmptyOperator\n"
            'with DAG("good", start_date=datetime(2024, 1, 1), schedule=None):\n'
            '    EmptyOperator(task_id="t")\n'
        ),
        "BROKEN": "from airflow.sdk import DAG\nimport no_such_module_airspec\n",
    }
    dags = tmp_path / "dags"
    dags.mkdir()
    for name, source in files.items():
        (dags / name).write_text(sources[source], encoding="utf-8")
    (job,) = [load(workflow_text(CASES["kubernetes-helm"]))["jobs"]["test"]]
    script = _run(job, "Import every DAG")
    assert script == DAG_IMPORT_CHECK
    env = clean_env(
        PATH=f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        AIRFLOW_HOME=str(tmp_path / "airflow-home"),
        AIRFLOW__CORE__LOAD_EXAMPLES=job["env"]["AIRFLOW__CORE__LOAD_EXAMPLES"],
        DAGS_PATH=job["env"]["DAGS_PATH"],
    )
    ran = run_tool(["bash", "-eo", "pipefail", "-c", script], cwd=tmp_path, env=env)
    assert ran.returncode == code, ran.stdout + ran.stderr[-3000:]
    assert said in ran.stdout + ran.stderr
