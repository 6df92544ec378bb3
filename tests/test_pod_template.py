"""The KubernetesExecutor's pod template and task profiles: valid Kubernetes v1 Pods (kubernetes-validate --strict,
one call for every file), shaped as the official chart's template is (container `base`, DAG volume, git-sync init)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from airspec import pipeline
from airspec.artifacts import build
from airspec.errors import SpecInvalid
from airspec.render.pod_template import GIT_SYNC_IMAGE
from airspec.resolve import Resolved
from tests.conftest import EXAMPLES, ROOT
from tests.validators import KUBERNETES_VERSION, run_tool, tool

VARIANTS = {
    "git-sync-https": """\
name: tasks
airflow:
  version: "3.3"
executor: KubernetesExecutor
dags:
  git_sync:
    repo: https://github.com/example/dags.git
    rev: 0123abc
    depth: 2
    sub_path: dags
    credentials_secret: git-credentials
secrets:
  fernet_key: {secret: {name: fernet, key: key}}
kubernetes_executor:
  namespace: airflow-tasks
  worker:
    image: {repository: example/airflow-worker}
    service_account: task-runner
    env:
      - {name: PLAIN, value: "a $(NOT_EXPANDED) b"}
      - {name: FROM_SECRET, secret: {name: creds, key: token}}
    volumes:
      - {name: scratch, emptyDir: {sizeLimit: 1Gi}}
    volume_mounts:
      - {name: scratch, mountPath: /scratch}
    tolerations:
      - {key: dedicated, operator: Equal, value: tasks, effect: NoExecute, toleration_seconds: 300}
    affinity:
      nodeAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          nodeSelectorTerms:
            - matchExpressions: [{key: pool, operator: In, values: [tasks]}]
    resources:
      requests: {cpu: 500m, memory: 1Gi, ephemeral-storage: 2Gi}
  profiles:
    big-memory:
      resources:
        limits: {memory: 64Gi}
      env:
        - {name: MALLOC_ARENA_MAX, value: "2"}
""",
    "git-sync-ssh": """\
name: ssh-dags
airflow:
  version: "3.3"
executor: KubernetesExecutor
dags:
  folder: /opt/airflow/dags
  git_sync:
    repo: git@github.com:example/dags.git
    ssh_key_secret: git-ssh
    known_hosts: "github.com ssh-ed25519 AAAA"
""",
    "persistence-only": """\
name: pvc-dags
airflow:
  version: "3.3"
executor: KubernetesExecutor
dags:
  persistence: {existing_claim: shared-dags}
logging:
  persistence: {existing_claim: shared-logs}
""",
    "airflow-2.11": """\
name: legacy-k8s
development_only: true
airflow:
  version: "2.11"
executor: CeleryKubernetesExecutor
database:
  kind: external
  url: {file: /run/secrets/sql_alchemy}
secrets:
  fernet_key: "literal-$key"
  api_secret_key: {env: WEB_SECRET}
kubernetes_executor:
  worker:
    env:
      - {name: WEB_SECRET, secret: {name: web, key: secret}}
""",
    "multi-executor": """\
name: multi
airflow:
  version: "3.3"
executor: [CeleryExecutor, KubernetesExecutor]
kubernetes_executor:
  profiles:
    gpu:
      resources:
        requests: {gpu: 1}
        limits: {gpu: 1}
      node_selector: {accelerator: a100, zone: b}
      tolerations:
        - {key: nvidia.com/gpu, operator: Exists}
""",
}


def resolved_file(spec: str, env: str | None = None) -> Resolved:
    return pipeline.resolved(str(ROOT / spec), env)


def resolved_text(text: str) -> Resolved:
    return pipeline.from_text(text, "variant.yaml")


def cases() -> dict[str, Resolved]:
    out: dict[str, Resolved] = {}
    for name in EXAMPLES:
        spec = f"examples/{name}/airflow-spec.yaml"
        resolved = resolved_file(spec)
        if resolved.uses_kubernetes:
            out[name] = resolved
            for env in sorted(resolved.spec.environments):
                out[f"{name}@{env}"] = resolved_file(spec, env)
    assert out, "no example uses the KubernetesExecutor"
    out.update({name: resolved_text(text) for name, text in VARIANTS.items()})
    return out


CASES = cases()


def read(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@pytest.fixture(scope="module")
def pods() -> dict[str, dict[str, str]]:
    """Case -> artifact path -> text, for the pod template and every profile."""
    out = {}
    for name, resolved in CASES.items():
        artifacts = [a for a in build(resolved) if a.kind in ("pod-template", "pod-profile")]
        out[name] = {a.path: a.text for a in artifacts}
    return out


def test_every_pod_is_a_valid_kubernetes_pod(pods: dict[str, dict[str, str]], tmp_path: Path) -> None:
    files = []
    yaml = YAML(typ="safe", pure=True)
    for case, artifacts in pods.items():
        for path, text in artifacts.items():
            pod = read(text)
            if path.startswith("kubernetes/profiles/"):
                # A pod_override has no name on purpose (it would replace the task pod's); the validator needs one.
                pod = {
                    "apiVersion": pod["apiVersion"],
                    "kind": pod["kind"],
                    "metadata": {"name": "profile"},
                    **pod,
                }
            target = tmp_path / case / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8") as fh:
                yaml.dump(pod, fh)
            files.append(target)
    proc = run_tool([tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, *files])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" passed for resource pod/") == len(files), proc.stdout


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_shape(case: str, pods: dict[str, dict[str, str]]) -> None:
    resolved = CASES[case]
    pod = read(pods[case]["kubernetes/pod-template.yaml"])
    spec = pod["spec"]
    assert pod["apiVersion"] == "v1" and pod["kind"] == "Pod"
    assert spec["restartPolicy"] == "Never"
    [base] = spec["containers"]
    assert base["name"] == "base"
    worker = resolved.kubernetes_executor.worker
    repository = worker.image.repository if worker.image else resolved.image_repository
    assert base["image"] == f"{repository}:{resolved.image_tag}"
    names = [e["name"] for e in base["env"]]
    assert names == sorted(names) and len(names) == len(set(names))
    env = {e["name"]: e for e in base["env"]}
    for section, options in resolved.sections().items():
        for option, value in options.items():
            assert env[f"AIRFLOW__{section.upper()}__{option.upper()}"]["value"] == value.replace("$", "$$")
    for setting in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
        assert setting in env or f"{setting}_CMD" in env, setting
    if resolved.catalog.major >= 3:
        url = f"http://{resolved.release}-api-server.{resolved.namespace}.svc.cluster.local:8080/execution/"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]["value"] == url
    assert spec.get("serviceAccountName") == worker.service_account


def test_secrets_as_the_helm_values_wire_them(pods: dict[str, dict[str, str]]) -> None:
    env = {
        e["name"]: e
        for e in read(pods["kubernetes-helm"]["kubernetes/pod-template.yaml"])["spec"]["containers"][0]["env"]
    }
    assert env["AIRFLOW__CORE__FERNET_KEY"]["valueFrom"] == {
        "secretKeyRef": {"name": "airflow-fernet-key", "key": "fernet-key"}
    }
    # The bundled database: the Secret the chart makes for its metadata connection.
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]["valueFrom"] == {
        "secretKeyRef": {"name": "analytics-airflow-metadata", "key": "connection"}
    }
    legacy = {
        e["name"]: e
        for e in read(pods["airflow-2.11"]["kubernetes/pod-template.yaml"])["spec"]["containers"][0]["env"]
    }
    assert legacy["AIRFLOW__CORE__FERNET_KEY"]["value"] == "literal-$$key"
    assert legacy["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD"]["value"] == "cat /run/secrets/sql_alchemy"
    assert legacy["AIRFLOW__WEBSERVER__SECRET_KEY_CMD"]["value"] == "printenv WEB_SECRET"
    assert legacy["WEB_SECRET"]["valueFrom"] == {"secretKeyRef": {"name": "web", "key": "secret"}}
    assert "AIRFLOW__CORE__EXECUTION_API_SERVER_URL" not in legacy
    other = {
        e["name"]: e
        for e in read(pods["git-sync-https"]["kubernetes/pod-template.yaml"])["spec"]["containers"][0]["env"]
    }
    assert other["PLAIN"]["value"] == "a $$(NOT_EXPANDED) b"  # Kubernetes turns $$ back into $
    assert other["FROM_SECRET"]["valueFrom"] == {"secretKeyRef": {"name": "creds", "key": "token"}}


def volumes(pod: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in pod["spec"]["volumes"]}


def mounts(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in container["volumeMounts"]}


def test_dag_volume_mirrors_the_chart(pods: dict[str, dict[str, str]]) -> None:
    # git-sync and persistence: the PVC git-sync fills elsewhere, read-only, no init container.
    pod = read(pods["kubernetes-helm"]["kubernetes/pod-template.yaml"])
    assert volumes(pod)["dags"] == {"name": "dags", "persistentVolumeClaim": {"claimName": "analytics-dags"}}
    assert mounts(pod["spec"]["containers"][0])["dags"] == {
        "name": "dags",
        "mountPath": "/opt/airflow/dags",
        "readOnly": True,
    }
    assert "initContainers" not in pod["spec"]
    # Persistence alone: the PVC, writable; logs on their own claim.
    pod = read(pods["persistence-only"]["kubernetes/pod-template.yaml"])
    assert volumes(pod)["dags"]["persistentVolumeClaim"] == {"claimName": "shared-dags"}
    assert volumes(pod)["logs"]["persistentVolumeClaim"] == {"claimName": "shared-logs"}
    assert mounts(pod["spec"]["containers"][0])["dags"]["readOnly"] is False
    # git-sync alone: an emptyDir that a one-time git-sync fills before the task starts.
    pod = read(pods["git-sync-https"]["kubernetes/pod-template.yaml"])
    assert volumes(pod)["dags"] == {"name": "dags", "emptyDir": {}}
    [init] = pod["spec"]["initContainers"]
    assert init["image"] == GIT_SYNC_IMAGE
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in init["env"]}
    assert env["GITSYNC_ONE_TIME"] == "true"
    assert env["GITSYNC_REPO"] == "https://github.com/example/dags.git"
    assert env["GITSYNC_REF"] == "0123abc"
    assert env["GITSYNC_DEPTH"] == "2"
    assert (env["GITSYNC_ROOT"], env["GITSYNC_LINK"]) == ("/git", "repo")
    assert env["GITSYNC_USERNAME"] == {"secretKeyRef": {"name": "git-credentials", "key": "GITSYNC_USERNAME"}}
    assert mounts(init) == {"dags": {"name": "dags", "mountPath": "/git"}}
    resolved = CASES["git-sync-https"]
    assert (
        resolved.option("core", "dags_folder") == "/opt/airflow/dags/repo/dags"
    )  # <mount>/<link>/<sub_path>
    # SSH: the key from its Secret, known_hosts from the chart's ConfigMap.
    pod = read(pods["git-sync-ssh"]["kubernetes/pod-template.yaml"])
    [init] = pod["spec"]["initContainers"]
    env = {e["name"]: e["value"] for e in init["env"]}
    assert env["GITSYNC_SSH_KEY_FILE"] == "/etc/git-secret/ssh"
    assert env["GITSYNC_SSH_KNOWN_HOSTS"] == "true"
    assert volumes(pod)["git-sync-ssh-key"]["secret"] == {"secretName": "git-ssh", "defaultMode": 288}
    assert volumes(pod)["config"]["configMap"] == {"name": "ssh-dags-airflow-config"}
    assert mounts(init)["config"]["subPath"] == "known_hosts"


def test_worker_placement_and_resources(pods: dict[str, dict[str, str]]) -> None:
    pod = read(pods["git-sync-https"]["kubernetes/pod-template.yaml"])
    spec, base = pod["spec"], pod["spec"]["containers"][0]
    assert base["image"] == "example/airflow-worker:3.3.2"
    assert base["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi", "ephemeral-storage": "2Gi"}}
    assert spec["tolerations"] == [
        {
            "key": "dedicated",
            "operator": "Equal",
            "value": "tasks",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        }
    ]
    assert spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert volumes(pod)["scratch"] == {"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}}
    assert mounts(base)["scratch"] == {"name": "scratch", "mountPath": "/scratch"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_profiles_hold_only_what_differs(case: str, pods: dict[str, dict[str, str]]) -> None:
    profiles = CASES[case].kubernetes_executor.profiles
    paths = sorted(p for p in pods[case] if p.startswith("kubernetes/profiles/"))
    assert paths == [f"kubernetes/profiles/{name}.yaml" for name in sorted(profiles)]
    for name in profiles:
        text = pods[case][f"kubernetes/profiles/{name}.yaml"]
        assert "PodGenerator.deserialize_model_file(" in text
        assert 'executor_config={"pod_override": pod_override}' in text
        pod = read(text)
        assert "metadata" not in pod, "a name here would replace every task pod's own"
        [base] = pod["spec"]["containers"]
        assert set(base) <= {"name", "resources", "env"} and base["name"] == "base"
        assert set(pod["spec"]) <= {"containers", "nodeSelector", "tolerations", "affinity"}


def test_gpu_profile(pods: dict[str, dict[str, str]]) -> None:
    pod = read(pods["multi-executor"]["kubernetes/profiles/gpu.yaml"])
    assert pod["spec"] == {
        "containers": [
            {
                "name": "base",
                "resources": {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1"}},
            }
        ],
        "nodeSelector": {"accelerator": "a100", "zone": "b"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}],
    }
    big = read(pods["git-sync-https"]["kubernetes/profiles/big-memory.yaml"])
    assert big["spec"]["containers"][0] == {
        "name": "base",
        "resources": {"limits": {"memory": "64Gi"}},
        "env": [{"name": "MALLOC_ARENA_MAX", "value": "2"}],
    }


def test_env_reference_to_an_airflow_option_name_is_an_error() -> None:
    text = VARIANTS["multi-executor"].replace(
        "kubernetes_executor:\n",
        "kubernetes_executor:\n  worker:\n    env:\n      - {name: AIRFLOW__CORE__EXECUTOR, value: x}\n",
    )
    with pytest.raises(SpecInvalid) as caught:
        build(resolved_text(text))
    message = str(caught.value)
    assert message.count("\n") == 0
    assert "kubernetes_executor.worker.env[0].name: AIRFLOW__CORE__EXECUTOR is already set" in message


def _spec_texts() -> dict[str, str]:
    out = {name: text for name, text in VARIANTS.items()}
    for name in EXAMPLES:
        text = (ROOT / "examples" / name / "airflow-spec.yaml").read_text(encoding="utf-8")
        if "kubernetes_executor:" in text:
            out[name] = text
    return out


@pytest.mark.parametrize("case", sorted(_spec_texts()))
def test_every_variable_airspec_sets_in_a_task_pod_is_refused_in_worker_env(case: str) -> None:
    """Validation's list of the AIRFLOW__ variables airspec sets itself (semantic.py) and the pod template's
    (render/pod_template.py) are written apart: a name only the renderer knows would let a user's worker env
    silently replace what airspec wires. Each one the template writes is refused when the spec sets it too."""
    import io

    text = _spec_texts()[case]
    data = read(text)
    given = {e["name"] for e in (data.get("kubernetes_executor") or {}).get("worker", {}).get("env", [])}
    pod = read(next(a.text for a in build(resolved_text(text)) if a.kind == "pod-template"))
    written = {e["name"] for e in pod["spec"]["containers"][0]["env"] if e["name"].startswith("AIRFLOW__")}
    assert written, case
    for name in sorted(written - given):
        changed = read(text)
        worker = changed.setdefault("kubernetes_executor", {}).setdefault("worker", {})
        worker.setdefault("env", []).append({"name": name, "value": "x"})
        stream = io.StringIO()
        YAML(typ="safe", pure=True).dump(changed, stream)
        with pytest.raises(SpecInvalid) as caught:
            resolved_text(stream.getvalue())
        assert f"{name} is already set from the spec's Airflow options or secrets" in str(caught.value), name
