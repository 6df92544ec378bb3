"""config/airflow_local_settings.py, the cluster policy for task_defaults.retry_exponential_backoff, proven by real
Airflow 3.3.2 (one process parses DAGs from a folder the way the DAG processor does, with the compiled file in
$AIRFLOW_HOME/config), and wired into every deployment: the Helm values (valid for the chart's schema), the compose
services (a bind mount docker-compose resolves to the compiled file) and the pod template (kubernetes-validate)."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from airspec.artifacts import Artifact, build
from airspec.render import local_settings
from airspec.resolve import Resolved
from airspec.write import write_tree
from tests.test_airflow_cfg import resolved_example, resolved_text
from tests.test_compose import airflow_services, fill
from tests.test_helm_values import assert_valid
from tests.validators import KUBERNETES_VERSION, clean_env, run_tool, tool

PATH = "config/airflow_local_settings.py"
IN_CONTAINER = "/opt/airflow/config/airflow_local_settings.py"

COMPOSE = """\
name: backoff-compose
development_only: true
airflow: {version: "3.3"}
executor: CeleryExecutor
targets: [compose]
celery:
  flower: {enabled: true}
task_defaults: {retries: 2, retry_exponential_backoff: true}
"""
KUBERNETES = """\
name: backoff-k8s
airflow: {version: "3.3"}
executor: KubernetesExecutor
targets: [helm]
task_defaults: {retry_exponential_backoff: true}
"""
AIRFLOW2 = """\
name: backoff-legacy
airflow: {version: "2.11"}
executor: CeleryKubernetesExecutor
targets: [helm]
task_defaults: {retry_exponential_backoff: true}
"""
NO_BACKOFF = KUBERNETES.replace("name: backoff-k8s", "name: plain-k8s").replace(
    "retry_exponential_backoff: true", "retry_exponential_backoff: false"
)

# Tasks that set nothing, set the option themselves (False, a 3.x multiplier, through default_args), and a mapped
# task, whose arguments Airflow does not keep apart from its defaults.
DAG_FILE = """\
from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, task

with DAG("policy", start_date=datetime(2024, 1, 1), schedule=None):
    EmptyOperator(task_id="unset")
    EmptyOperator(task_id="explicit_false", retry_exponential_backoff=False)
    EmptyOperator(task_id="explicit_multiplier", retry_exponential_backoff=3.0)

    @task
    def mapped(x):
        return x

    mapped.expand(x=[1, 2])

with DAG(
    "policy_default_args",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    default_args={"retry_exponential_backoff": False},
):
    EmptyOperator(task_id="from_default_args")
"""

# Parses the folder with DagBag (what the DAG processor and each task process use) and reports every task's value
# as parsed and as the scheduler sees it, after the serialized DAG's round trip.
PROBE = """\
import json
import sys

from airflow.dag_processing.dagbag import DagBag
from airflow.serialization.serialized_objects import DagSerialization

bag = DagBag(dag_folder=sys.argv[1])
tasks = {}
for dag_id, dag in sorted(bag.dags.items()):
    scheduled = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    for t in dag.tasks:
        tasks[f"{dag_id}.{t.task_id}"] = [
            t.retry_exponential_backoff,
            scheduled.get_task(t.task_id).retry_exponential_backoff,
        ]
module = sys.modules.get("airflow_local_settings")
result = {
    "module": getattr(module, "__file__", None),
    "errors": {path: error for path, error in bag.import_errors.items()},
    "tasks": tasks,
}
print("RESULT " + json.dumps(result))
"""


def artifacts_of(resolved: Resolved) -> dict[str, Artifact]:
    return {a.kind: a for a in build(resolved)}


def settings_text(resolved: Resolved) -> str:
    artifact = artifacts_of(resolved)["local-settings"]
    assert artifact.path == PATH
    return artifact.text


def load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def test_airflow_applies_the_policy_to_tasks_that_did_not_choose(tmp_path: Path) -> None:
    home, dags = tmp_path / "home", tmp_path / "dags"
    (home / "config").mkdir(parents=True)
    dags.mkdir()
    policy = home / "config" / "airflow_local_settings.py"
    policy.write_text(settings_text(resolved_example("kubernetes-helm")), encoding="utf-8")
    (dags / "policy_dag.py").write_text(DAG_FILE, encoding="utf-8")
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = clean_env(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    proc = run_tool([tool("airflow-python"), probe, dags], env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-4000:]
    [line] = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line.removeprefix("RESULT "))
    assert result["errors"] == {}
    assert result["module"] == str(policy)  # imported from $AIRFLOW_HOME/config, as Airflow does
    tasks = {name: tuple(values) for name, values in result["tasks"].items()}
    assert tasks == {
        # Not chosen: the policy turns backoff on; 3.3 reads True as the multiplier 2.0 once serialized.
        "policy.unset": (True, 2.0),
        "policy.mapped": (2.0, 2.0),
        # Chosen by the DAG: left alone.
        "policy.explicit_false": (False, 0.0),
        "policy.explicit_multiplier": (3.0, 3.0),
        "policy_default_args.from_default_args": (False, 0.0),
    }
    assert result["tasks"]["policy.unset"][0] is True


def test_module_is_valid_python_for_every_airflow_line_and_ruff_clean(tmp_path: Path) -> None:
    text = settings_text(resolved_example("kubernetes-helm"))
    ast.parse(text, feature_version=(3, 8))  # the oldest Python an Airflow 2.x image may run
    assert "{{" not in text  # the chart renders airflowLocalSettings through `tpl`
    path = tmp_path / "airflow_local_settings.py"
    path.write_text(text, encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    for args in (
        ["check", "--isolated"],
        ["format", "--check", "--isolated"],
        ["check"],
        ["format", "--check"],
    ):
        # --isolated: ruff's defaults, as a user's repository may have; otherwise this repository's rules.
        config = [] if "--isolated" in args else ["--config", str(root / "pyproject.toml")]
        proc = run_tool([sys.executable, "-m", "ruff", *args, "--no-cache", *config, path])
        assert proc.returncode == 0, f"ruff {' '.join(args)}:\n{proc.stdout}{proc.stderr}"


def test_module_holds_no_user_string() -> None:
    """Only booleans come from the spec: its file name, environment and names stay out of the code, so every
    spec with the option on gets the same module, but for the Airflow version in the header comment."""

    def body(text: str) -> str:
        return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("# Airflow "))

    texts = [
        settings_text(resolved_example("kubernetes-helm")),
        settings_text(resolved_example("kubernetes-helm", "production")),
        settings_text(resolved_text(KUBERNETES)),
        settings_text(resolved_text(AIRFLOW2)),
    ]
    assert len({body(text) for text in texts}) == 1
    assert "# Airflow 2.11." in texts[3]
    for word in ("examples/", "variant.yaml", "production", "analytics", "backoff-k8s"):
        assert all(word not in text for text in texts), word


def test_no_policy_no_artifact_and_nothing_wired() -> None:
    for resolved in (resolved_example("minimal"), resolved_text(NO_BACKOFF)):
        assert not resolved.spec.task_defaults.retry_exponential_backoff
        artifacts = artifacts_of(resolved)
        assert "local-settings" not in artifacts
        assert all(IN_CONTAINER not in a.text for a in artifacts.values())
        assert all("airflowLocalSettings" not in a.text for a in artifacts.values())


@pytest.mark.parametrize("text", [KUBERNETES, AIRFLOW2], ids=["airflow3-chart", "airflow2-chart"])
def test_helm_values_carry_the_file_and_fit_the_chart_schema(text: str) -> None:
    resolved = resolved_text(text)
    artifacts = artifacts_of(resolved)
    values = load(artifacts["helm-values"].text)
    assert values["airflowLocalSettings"] == artifacts["local-settings"].text
    assert_valid(values, resolved.catalog.major)


def test_example_helm_values_carry_the_file() -> None:
    artifacts = artifacts_of(resolved_example("kubernetes-helm"))
    assert load(artifacts["helm-values"].text)["airflowLocalSettings"] == artifacts["local-settings"].text


def test_compose_mounts_the_compiled_file_in_every_airflow_service(tmp_path: Path) -> None:
    resolved = resolved_text(COMPOSE)
    artifacts = build(resolved)
    write_tree(str(tmp_path), [(a.path, a.text) for a in artifacts])
    by_kind = {a.kind: a for a in artifacts}
    compose_file = tmp_path / by_kind["compose"].path
    (compose_file.parent / ".env").write_text(fill(by_kind["compose-env"].text), encoding="utf-8")
    written = load(by_kind["compose"].text)["services"]
    airflow = {n for n, s in written.items() if s["image"].startswith("apache/airflow:")}
    assert {"airflow-apiserver", "airflow-scheduler", "airflow-worker", "flower", "airflow-init"} <= airflow
    for name in airflow:
        [mount] = [v for v in written[name]["volumes"] if v.get("target") == IN_CONTAINER]
        assert (compose_file.parent / mount["source"]).resolve() == (tmp_path / PATH).resolve(), name
    assert all(
        IN_CONTAINER not in json.dumps(s.get("volumes", [])) for n, s in written.items() if n not in airflow
    )
    # docker-compose itself resolves the source against the compose file's folder.
    proc = run_tool(
        [tool("docker-compose"), "-f", compose_file, "--profile", "*", "config", "--format", "json"],
        cwd=compose_file.parent,
    )
    assert proc.returncode == 0, proc.stderr
    services = airflow_services(json.loads(proc.stdout))
    assert set(services) == airflow
    for name, service in services.items():
        [mount] = [v for v in service["volumes"] if v["target"] == IN_CONTAINER]
        assert mount["type"] == "bind" and mount["read_only"] is True, name
        assert Path(mount["source"]) == (tmp_path / PATH).resolve(), name


def pod_template(resolved: Resolved) -> dict[str, Any]:
    pod: dict[str, Any] = load(artifacts_of(resolved)["pod-template"].text)
    return pod


def test_pod_template_mounts_the_chart_configmap_item(tmp_path: Path) -> None:
    cases = {
        "example": resolved_example("kubernetes-helm"),  # also mounts known_hosts from the same ConfigMap
        "policy-only": resolved_text(KUBERNETES),
        "airflow2": resolved_text(AIRFLOW2),
        "no-policy": resolved_text(NO_BACKOFF),
    }
    files = []
    for name, resolved in cases.items():
        pod = pod_template(resolved)
        volumes = [v for v in pod["spec"]["volumes"] if v["name"] == "config"]
        [base] = pod["spec"]["containers"]
        mounts = [m for m in base["volumeMounts"] if m["mountPath"] == IN_CONTAINER]
        if name == "no-policy":
            assert volumes == [] and mounts == []
        else:
            assert volumes == [
                {"name": "config", "configMap": {"name": f"{resolved.release}-airflow-config"}}
            ]
            assert mounts == [
                {
                    "name": "config",
                    "mountPath": IN_CONTAINER,
                    "subPath": "airflow_local_settings.py",
                    "readOnly": True,
                }
            ]
        path = tmp_path / f"{name}.yaml"
        path.write_text(artifacts_of(resolved)["pod-template"].text, encoding="utf-8")
        files.append(path)
    proc = run_tool([tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, *files])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" passed for resource pod/") == len(files), proc.stdout


def test_paths_agree_with_the_renderer() -> None:
    assert (local_settings.PATH, local_settings.IN_CONTAINER) == (PATH, IN_CONTAINER)
    assert Path(PATH).name == local_settings.FILE_NAME
