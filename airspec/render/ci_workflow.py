"""GitHub Actions workflow for the DAG repository: test the DAGs on every push and pull request, deploy from the
branch.

Put the compiled file in the DAG repository as `.github/workflows/airflow-ci.yml` (GitHub runs only workflows in
that folder). It runs on pushes and pull requests to `ci.branch` that touch the DAGs, the tests, the spec,
`requirements.txt` or the workflow itself.

The test job installs the Airflow release the spec resolves to (`apache-airflow==<version>` and the spec's
providers) under Airflow's published constraints file for that release and Python
(`raw.githubusercontent.com/apache/airflow/constraints-<version>/constraints-<python>.txt`, the pattern Airflow's
installation docs give); then `requirements.txt` if the repository has one, with Airflow pinned so it cannot move.
It imports every DAG file through Airflow's DagBag and fails on any import error. DagBag comes from
`airflow.dag_processing.dagbag` where that exists (3.3, where `airflow.models.dagbag` is a deprecated alias) and
from `airflow.models.dagbag` otherwise; examples stay out through `AIRFLOW__CORE__LOAD_EXAMPLES`, which DagBag
reads when not told otherwise (3.3's DagBag has no `include_examples`). Like the scheduler, DagBag's safe mode
skips files that mention neither `airflow` nor `dag`. The job then runs pytest on `ci.tests_path` when it
exists, `ruff`, `airspec validate` and `airspec lint` (with `ci.lint`), and `airspec compile --check` against the
committed output (`build/`, the compile default), with the airspec version that wrote the workflow
(`AIRSPEC_REQUIREMENT`), or whatever `ci.airspec_requirement` names (a git URL, say, while airspec is not on the
index CI installs from). The requirement reaches pip through the job's environment, never as shell text.

Deploy runs after the tests, on pushes to the branch only: `s3` syncs the DAG folder to
`s3://<bucket>/<prefix>` (with `--delete`, so removed DAGs disappear), with AWS credentials from GitHub's OIDC
token and `ci.deploy.role_arn` (the job gets `id-token: write`) or, without a role, from the repository secrets
`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`; without `ci.deploy.region` the region is the repository variable
`AWS_REGION`. `git-sync` needs no upload (the deployment's git-sync pulls the branch itself), so its job only says
so; `none` has no deploy job.

With `ci.pin_actions` every action is pinned by full commit SHA, with its release tag in a comment; without, the
major tag. Where each SHA comes from is noted at `ACTIONS`.
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from airspec import __version__
from airspec.model.spec import Ci
from airspec.render.airflow_cfg import header
from airspec.render.yamltext import Document, dump
from airspec.resolve import Resolved

WORKFLOW_PATH = ".github/workflows/airflow-ci.yml"
OUT = "build"
CONSTRAINTS = (
    "https://raw.githubusercontent.com/apache/airflow/constraints-{airflow}/constraints-{python}.txt"
)
PROVIDER_PREFIX = "apache-airflow-providers-"
# The airspec that wrote the workflow, so `compile --check` compares like with like; `ci.airspec_requirement`
# replaces it where this name does not resolve on the index CI installs from.
AIRSPEC_REQUIREMENT = f"airspec=={__version__}"


class Action(NamedTuple):
    repo: str
    major: str
    release: str
    sha: str

    def ref(self, pinned: bool) -> str:
        return f"{self.repo}@{self.sha}" if pinned else f"{self.repo}@{self.major}"


# Commit SHAs of the releases, as pinned (with the tag in a comment) by public workflow files found with code
# search; several independent repositories agree on each, none disagrees:
#   actions/checkout v4.2.2: `actions/checkout@11bd7190... # v4.2.2` in many workflows and pinning guides.
#   actions/setup-python v5.6.0: `# v5.6.0` in two repositories' workflows, `# v5` in a dozen more.
#   aws-actions/configure-aws-credentials v4.3.1: `# v4.3.1` in two OIDC deploy workflows, `# v4` in more.
ACTIONS = {
    "checkout": Action("actions/checkout", "v4", "v4.2.2", "11bd71901bbe5b1630ceea73d27597364c9af683"),
    "setup-python": Action(
        "actions/setup-python", "v5", "v5.6.0", "a26af69be951a213d495a4c3e4e4022e16d87065"
    ),
    "aws-credentials": Action(
        "aws-actions/configure-aws-credentials", "v4", "v4.3.1", "7474bc4690e29a8392af63c5b98e7449536d5c3a"
    ),
}

# Imports every DAG file and fails on any import error; DAGS_PATH comes from the step's environment.
DAG_IMPORT_CHECK = """\
python - <<'PY'
import os
import sys

try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:
    from airflow.models.dagbag import DagBag

folder = os.environ["DAGS_PATH"]
bag = DagBag(dag_folder=folder)
for path, error in sorted(bag.import_errors.items()):
    print(f"::error file={os.path.relpath(path)}::{error.strip().splitlines()[-1]}")
    print(error)
if bag.import_errors:
    sys.exit(f"{len(bag.import_errors)} DAG file(s) failed to import")
if not bag.dags:
    print(f"::warning::no DAGs found in {folder}")
print(f"{len(bag.dags)} DAG(s) imported from {folder}")
PY
"""


def _expr_string(text: str) -> str:
    """A GitHub expression string literal."""
    return "'" + text.replace("'", "''") + "'"


def _folder(path: str) -> str:
    return str(PurePosixPath(path)).rstrip("/") or "."


def _text(value: str) -> str:
    """Spec text where GitHub evaluates `${{ ... }}` (everything outside `on:`): the opener becomes an expression
    that yields itself, so the text stays literal."""
    return value.replace("${{", "${{ '${{' }}")


def provider_packages(providers: list[str]) -> list[str]:
    """Short provider names (`cncf.kubernetes`) -> pip names (`apache-airflow-providers-cncf-kubernetes`)."""
    return sorted(
        p if p.startswith(PROVIDER_PREFIX) else PROVIDER_PREFIX + p.replace(".", "-") for p in providers
    )


def _spec_path(resolved: Resolved) -> str:
    """The spec's path from the repository root, where the workflow compiles into OUT: artifacts name the spec
    relative to their OUT. A spec outside the repository is taken to sit at its root."""
    path = posixpath.normpath(posixpath.join(OUT, resolved.spec_file))
    if path == ".." or path.startswith("../") or posixpath.isabs(resolved.spec_file):
        return PurePosixPath(resolved.spec_file).name
    return path


def _python(resolved: Resolved, ci: Ci) -> str:
    return ci.python_version or resolved.spec.airflow.python_version


def _install_script(resolved: Resolved, ci: Ci) -> str:
    airflow = f"apache-airflow=={resolved.airflow_version}"
    packages = " ".join(f'"{p}"' for p in [airflow, *provider_packages(resolved.spec.airflow.providers)])
    constraints = CONSTRAINTS.format(airflow=resolved.airflow_version, python=_python(resolved, ci))
    return (
        "python -m pip install --upgrade pip\n"
        f'pip install {packages} --constraint "{constraints}"\n'
        "if [ -f requirements.txt ]; then\n"
        f'  pip install "{airflow}" -r requirements.txt\n'
        "fi\n"
        'pip install pytest ruff "$AIRSPEC_REQUIREMENT"\n'
    )


def _checks_script(resolved: Resolved, ci: Ci) -> str:
    env = f' --env "{resolved.env}"' if resolved.env else ""
    lines = []
    if ci.lint:
        lines.append('airspec validate "$AIRSPEC_SPEC"')
        lines.append(f'airspec lint "$AIRSPEC_SPEC"{env}')
    lines.append(f'airspec compile "$AIRSPEC_SPEC"{env} -o "$AIRSPEC_OUT" --check')
    return "\n".join(lines) + "\n"


def _test_job(resolved: Resolved, ci: Ci) -> dict[str, Any]:
    pin = ci.pin_actions
    dags, tests = _folder(ci.dags_path), _folder(ci.tests_path)
    steps: list[dict[str, Any]] = [
        {"name": "Check out", "uses": ACTIONS["checkout"].ref(pin), "with": {"persist-credentials": False}},
        {
            "name": "Set up Python",
            "uses": ACTIONS["setup-python"].ref(pin),
            "with": {"python-version": _python(resolved, ci)},
        },
        {"name": f"Install Airflow {resolved.airflow_version}", "run": _install_script(resolved, ci)},
        {
            "name": "Import every DAG",
            "env": {"AIRFLOW_HOME": "${{ runner.temp }}/airflow"},
            "run": DAG_IMPORT_CHECK,
        },
        {
            "name": "Run the tests",
            "env": {"AIRFLOW_HOME": "${{ runner.temp }}/airflow"},
            "run": (
                'if [ -d "$TESTS_PATH" ]; then\n'
                '  python -m pytest "$TESTS_PATH"\n'
                "else\n"
                '  echo "::notice::no $TESTS_PATH folder: no tests to run"\n'
                "fi\n"
            ),
        },
    ]
    if ci.lint:
        steps.append({"name": "Lint with ruff", "run": "ruff check .\n"})
    steps.append({"name": "Check the spec and the compiled output", "run": _checks_script(resolved, ci)})
    return {
        "name": "Test DAGs",
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 30,
        "env": {
            "DAGS_PATH": _text(dags),
            "TESTS_PATH": _text(tests),
            "AIRSPEC_SPEC": _text(_spec_path(resolved)),
            "AIRSPEC_OUT": OUT,
            "AIRSPEC_REQUIREMENT": _text(ci.airspec_requirement or AIRSPEC_REQUIREMENT),
            "AIRFLOW__CORE__DAGS_FOLDER": f"${{{{ github.workspace }}}}/{_text(dags)}",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        },
        "steps": steps,
    }


def _deploy_job(resolved: Resolved, ci: Ci) -> dict[str, Any] | None:
    deploy = ci.deploy
    if deploy.kind == "none":
        return None
    job: dict[str, Any] = {
        "name": "Deploy DAGs",
        "needs": "test",
        "if": f"github.event_name == 'push' && github.ref == {_expr_string('refs/heads/' + ci.branch)}",
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 15,
    }
    if deploy.kind == "git-sync":
        git = resolved.spec.dags.git_sync
        source = f"{git.repo} ({git.branch}) every {git.wait:g}s" if git else f"the {ci.branch} branch"
        job["env"] = {"GIT_SYNC_SOURCE": _text(source)}
        job["steps"] = [
            {
                "name": "Nothing to upload: git-sync pulls by itself",
                "run": 'echo "The deployment\'s git-sync pulls $GIT_SYNC_SOURCE; this push reaches it then."\n',
            }
        ]
        return job
    assert deploy.bucket is not None  # CiDeploy requires a bucket for s3
    credentials: dict[str, Any] = {"aws-region": deploy.region or "${{ vars.AWS_REGION }}"}
    if deploy.role_arn:
        job["permissions"] = {"contents": "read", "id-token": "write"}
        credentials["role-to-assume"] = deploy.role_arn
    else:
        credentials["aws-access-key-id"] = "${{ secrets.AWS_ACCESS_KEY_ID }}"
        credentials["aws-secret-access-key"] = "${{ secrets.AWS_SECRET_ACCESS_KEY }}"
    job["concurrency"] = {"group": "deploy-dags", "cancel-in-progress": False}
    job["env"] = {
        "DAGS_PATH": _text(_folder(ci.dags_path)),
        "S3_TARGET": f"s3://{deploy.bucket}/{deploy.prefix.strip('/')}",
    }
    job["steps"] = [
        {
            "name": "Check out",
            "uses": ACTIONS["checkout"].ref(ci.pin_actions),
            "with": {"persist-credentials": False},
        },
        {
            "name": "Configure AWS credentials",
            "uses": ACTIONS["aws-credentials"].ref(ci.pin_actions),
            "with": credentials,
        },
        {
            "name": "Sync the DAGs to S3",
            "run": (
                'aws s3 sync "$DAGS_PATH" "$S3_TARGET" --delete '
                "--exclude '*.pyc' --exclude '*/__pycache__/*' --exclude '__pycache__/*'\n"
            ),
        },
    ]
    return job


def workflow_data(resolved: Resolved) -> dict[str, Any]:
    ci = resolved.spec.ci
    if ci is None:
        raise ValueError("the spec has no ci section")
    dags, tests = _folder(ci.dags_path), _folder(ci.tests_path)
    paths = [f"{dags}/**", f"{tests}/**", _spec_path(resolved), "requirements.txt", WORKFLOW_PATH]

    # A fresh copy for each event: one shared object would be dumped as a YAML anchor and alias.
    def trigger() -> dict[str, Any]:
        return {"branches": [ci.branch], "paths": list(dict.fromkeys(paths))}

    jobs: dict[str, Any] = {"test": _test_job(resolved, ci)}
    deploy = _deploy_job(resolved, ci)
    if deploy is not None:
        jobs["deploy"] = deploy
    return {
        "name": f"Airflow DAGs ({resolved.spec.name})",
        "on": {"push": trigger(), "pull_request": trigger()},
        "permissions": {"contents": "read"},
        "jobs": jobs,
    }


def render(resolved: Resolved) -> str:
    return pin_comments(resolved, dump(*document(resolved)))


def document(resolved: Resolved) -> Document:
    lines = [*header(resolved), f"GitHub Actions workflow: copy to {WORKFLOW_PATH} in the DAG repository."]
    return Document(workflow_data(resolved), "\n".join(lines))


def pin_comments(resolved: Resolved, text: str) -> str:
    """Each action pinned by SHA gets its release tag in a comment, as pinning guides write it."""
    ci = resolved.spec.ci
    if ci is not None and ci.pin_actions:
        for action in ACTIONS.values():
            text = text.replace(f"@{action.sha}\n", f"@{action.sha} # {action.release}\n")
    return text
