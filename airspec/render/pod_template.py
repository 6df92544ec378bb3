"""The KubernetesExecutor's pod_template_file, and one pod_override file per task profile.

The template mirrors the official chart's (chart/files/pod-template-file.kubernetes-helm-yaml): a container named
`base`, `restartPolicy: Never`, a `logs` volume, and the DAG volume the chart would give task pods: the DAG PVC when
dags.persistence is set (read-only when git-sync fills it), else with git-sync an emptyDir that a one-time git-sync
init container fills at <folder>/repo (SSH known_hosts come from the chart's `<release>-airflow-config` ConfigMap, as
in the chart's template). When the spec needs a cluster policy, the same ConfigMap's airflow_local_settings.py (the
Helm values' airflowLocalSettings) is mounted at $AIRFLOW_HOME/config, as the chart mounts it in its own containers.

It does not mount the chart's airflow.cfg: every option airflow.cfg sets is in the environment with the identical
value, so a task pod reads what the scheduler reads whichever chart version renders it. On Airflow 3 it adds the
execution API URL of the chart's api-server, unless the spec sets one. Sensitive options are wired as the Helm values
wire them (a Secret's key, or `_CMD`); the fernet key and metadata connection, which tasks need to decrypt connections
and reach the database, fall back to the Secrets the chart creates (`<release>-fernet-key`, `<release>-airflow-metadata`).

Kubernetes expands `$(VAR)` in env values and reduces `$$` to `$`, so each literal `$` is written `$$`.
"""

from __future__ import annotations

import shlex
from typing import Any

from airspec.model.spec import TaskProfile
from airspec.model.types import EnvVar, KubernetesSecretKey, Resources, Toleration
from airspec.options import place
from airspec.render import local_settings
from airspec.render.airflow_cfg import header
from airspec.render.yamltext import Document, dump
from airspec.resolve import Resolved, SecretOption

_MEMO = "pod-template"  # its key in Resolved.derived

# The git-sync image the official chart pins (chart/values.yaml images.gitSync) and the user it runs as.
GIT_SYNC_IMAGE = "registry.k8s.io/git-sync/git-sync:v4.4.2"
GIT_SYNC_UID = 65533
AIRFLOW_UID = 50000  # the official image's airflow user; the chart's default uid
AIRFLOW_GID = 0
LOGS_FOLDER = "/opt/airflow/logs"  # {AIRFLOW_HOME}/logs of the official image, where the chart mounts logs
GIT_ROOT = "/git"
CHART_API_SERVER_PORT = 8080  # the chart's ports.apiServer
GIT_SECRET_DIR = "/etc/git-secret"


def escape(value: str) -> str:
    return value.replace("$", "$$")


def execution_api_url(resolved: Resolved) -> str:
    """The chart's api-server Service (named `<release>-api-server` with fullnameOverride set to the release, as the
    Helm values do) on the chart's ports.apiServer, from any namespace."""
    host = f"{resolved.release}-api-server.{resolved.namespace}.svc.cluster.local"
    return f"http://{host}:{CHART_API_SERVER_PORT}/execution/"


def render(resolved: Resolved) -> str:
    # Written once per model: the Helm values carry the same text (helm_values.pod_template_body).
    text = resolved.derived.get(_MEMO)
    if text is None:
        text = resolved.derived[_MEMO] = dump(*document(resolved))
    return text


def document(resolved: Resolved) -> Document:
    k8s = resolved.kubernetes_executor
    worker = k8s.worker
    image = worker.image
    repository = image.repository if image else resolved.image_repository
    tag = (image.tag or resolved.airflow_version) if image else resolved.image_tag
    mounts: list[dict[str, Any]] = [{"name": "logs", "mountPath": LOGS_FOLDER}]
    volumes: list[dict[str, Any]] = [_logs_volume(resolved)]
    init_containers: list[dict[str, Any]] = []
    config: dict[str, Any] = {"name": "config", "configMap": {"name": f"{resolved.release}-airflow-config"}}
    dags = resolved.spec.dags
    git = dags.git_sync
    if dags.persistence is not None or git is not None:
        mounts.append({"name": "dags", "mountPath": dags.folder, "readOnly": git is not None})
        if dags.persistence is not None:
            claim = dags.persistence.existing_claim or f"{resolved.release}-dags"
            volumes.append({"name": "dags", "persistentVolumeClaim": {"claimName": claim}})
        else:
            volumes.append({"name": "dags", "emptyDir": {}})
            init_containers.append(_git_sync_init(resolved))
            if git is not None and git.ssh_key_secret is not None:
                volumes.append(
                    {
                        "name": "git-sync-ssh-key",
                        "secret": {"secretName": git.ssh_key_secret, "defaultMode": 288},
                    }
                )
                if git.known_hosts is not None:
                    # The chart's known_hosts live in its airflow config ConfigMap ("airflow_config" helper).
                    volumes.append(config)
    if local_settings.applies(resolved):
        # Task processes re-parse their DAG, so they need the cluster policy too: from the same ConfigMap, where
        # the chart puts airflowLocalSettings, at the path the chart mounts it in its own containers.
        mounts.append(
            {
                "name": "config",
                "mountPath": local_settings.IN_CONTAINER,
                "subPath": local_settings.FILE_NAME,
                "readOnly": True,
            }
        )
        if config not in volumes:
            volumes.append(config)
    mounts += worker.volume_mounts
    volumes += worker.volumes
    container: dict[str, Any] = {
        "name": "base",
        "image": f"{repository}:{tag}",
        "imagePullPolicy": "IfNotPresent",
        "env": _worker_env(resolved),
    }
    resources = container_resources(worker.resources)
    if resources:
        container["resources"] = resources
    container["volumeMounts"] = mounts
    spec: dict[str, Any] = {}
    if init_containers:
        spec["initContainers"] = init_containers
    spec["containers"] = [container]
    spec["restartPolicy"] = "Never"
    spec["securityContext"] = {"runAsUser": AIRFLOW_UID, "fsGroup": AIRFLOW_GID}
    if worker.service_account is not None:
        spec["serviceAccountName"] = worker.service_account
    spec.update(_placement(worker))
    spec["volumes"] = volumes
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "placeholder-name",
            "labels": {"tier": "airflow", "component": "worker", "release": resolved.release},
        },
        "spec": spec,
    }
    lines = [
        *header(resolved),
        "The KubernetesExecutor's pod_template_file ([kubernetes_executor] pod_template_file): every task pod",
        "starts from it. The executor fills in the pod's name, labels, namespace and the command of `base`.",
    ]
    return Document(pod, "\n".join(lines))


def render_profile(resolved: Resolved, name: str) -> str:
    """Task profile `name` as a pod_override: only what differs from the pod template."""
    return dump(*profile_document(resolved, name))


def profile_document(resolved: Resolved, name: str) -> Document:
    profile: TaskProfile = resolved.kubernetes_executor.profiles[name]
    container: dict[str, Any] = {"name": "base"}
    resources = container_resources(profile.resources)
    if resources:
        container["resources"] = resources
    env = _spec_env(profile.env)
    if env:
        container["env"] = env
    spec: dict[str, Any] = {"containers": [container], **_placement(profile)}
    pod = {"apiVersion": "v1", "kind": "Pod", "spec": spec}
    lines = [
        *header(resolved),
        f'Task profile "{name}": a pod_override for the KubernetesExecutor, merged over the pod template.',
        f"Use it on any task, e.g. with this file at profiles/{name}.yaml beside the DAG file:",
        "",
        "    import os",
        "    from airflow.providers.cncf.kubernetes.pod_generator import PodGenerator",
        "",
        "    pod_override = PodGenerator.deserialize_model_file(",
        f'        os.path.join(os.path.dirname(__file__), "profiles", "{name}.yaml")',
        "    )",
        '    # on an operator or @task: executor_config={"pod_override": pod_override}',
        "",
        "deserialize_model_file only logs a warning for a missing file and returns an empty pod: check the path.",
    ]
    return Document(pod, "\n".join(lines))


def _worker_env(resolved: Resolved) -> list[dict[str, Any]]:
    env: dict[str, dict[str, Any]] = {}
    for section, options in resolved.sections().items():
        for option, value in options.items():
            name = f"AIRFLOW__{section.upper()}__{option.upper()}"
            env[name] = {"name": name, "value": escape(value)}
    api = ("core", "execution_api_server_url")
    if resolved.catalog.option(*api) is not None and resolved.option(*api) is None:
        # Airflow 3 tasks report through the api-server; without this they would try {base_url} or localhost.
        name = "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"
        env[name] = {"name": name, "value": escape(execution_api_url(resolved))}
    given = {(s.section, s.name) for s in resolved.secrets}
    for secret in resolved.secrets:
        wired = _secret(secret)
        env[wired["name"]] = wired
    for setting, fallback in (
        ("fernet_key", KubernetesSecretKey(name=f"{resolved.release}-fernet-key", key="fernet-key")),
        (
            "sql_alchemy_conn",
            KubernetesSecretKey(name=f"{resolved.release}-airflow-metadata", key="connection"),
        ),
    ):
        where = place(resolved.catalog, setting)
        if where is not None and where not in given:
            name = f"AIRFLOW__{where[0].upper()}__{where[1].upper()}"
            env[name] = {
                "name": name,
                "valueFrom": {"secretKeyRef": {"name": fallback.name, "key": fallback.key}},
            }
    # Validation refuses a worker variable that airspec sets itself, or one listed twice.
    for item in _spec_env(resolved.kubernetes_executor.worker.env):
        env[item["name"]] = item
    return [env[name] for name in sorted(env)]


def _spec_env(items: list[EnvVar]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for var in items:
        if var.secret is not None:
            out[var.name] = {"name": var.name, "valueFrom": {"secretKeyRef": _key_ref(var.secret)}}
        else:
            out[var.name] = {"name": var.name, "value": escape(var.value or "")}
    return [out[name] for name in sorted(out)]


def _secret(secret: SecretOption) -> dict[str, Any]:
    """As the Helm values wire it: a Secret's key, a literal, or an `_CMD` that prints the file or variable
    (validation refuses {env}/{file} for an option without `_cmd`)."""
    ref = secret.ref
    if ref.secret is not None:
        return {"name": secret.env_name, "valueFrom": {"secretKeyRef": _key_ref(ref.secret)}}
    if ref.literal is not None:
        return {"name": secret.env_name, "value": escape(ref.literal)}
    if ref.env is not None:
        # Airflow runs *_cmd with shlex.split and no shell; the variable comes from kubernetes_executor.worker.env.
        return {"name": f"{secret.env_name}_CMD", "value": escape(f"printenv {ref.env}")}
    # The file comes from kubernetes_executor.worker.volumes.
    return {"name": f"{secret.env_name}_CMD", "value": escape(f"cat {shlex.quote(ref.file or '')}")}


def _key_ref(secret: KubernetesSecretKey) -> dict[str, str]:
    return {"name": secret.name, "key": secret.key}


def _git_sync_init(resolved: Resolved) -> dict[str, Any]:
    """The chart's git-sync container as an init container: one sync into the dags volume, then exit."""
    git = resolved.spec.dags.git_sync
    assert git is not None
    env = {
        "GITSYNC_REPO": git.repo,
        "GITSYNC_REF": git.branch if git.rev == "HEAD" else git.rev,
        "GITSYNC_DEPTH": str(git.depth),
        "GITSYNC_ROOT": GIT_ROOT,
        "GITSYNC_LINK": "repo",
        "GITSYNC_ADD_USER": "true",
        "GITSYNC_ONE_TIME": "true",
    }
    mounts: list[dict[str, Any]] = [{"name": "dags", "mountPath": GIT_ROOT}]
    secret_env: list[dict[str, Any]] = []
    if git.ssh_key_secret is not None:
        env["GITSYNC_SSH_KEY_FILE"] = f"{GIT_SECRET_DIR}/ssh"
        env["GITSYNC_SSH"] = "true"
        env["GITSYNC_SSH_KNOWN_HOSTS"] = "true" if git.known_hosts else "false"
        mounts.append(
            {
                "name": "git-sync-ssh-key",
                "mountPath": f"{GIT_SECRET_DIR}/ssh",
                "readOnly": True,
                "subPath": "gitSshKey",
            }
        )
        if git.known_hosts:
            env["GITSYNC_SSH_KNOWN_HOSTS_FILE"] = f"{GIT_SECRET_DIR}/known_hosts"
            mounts.append(
                {
                    "name": "config",
                    "mountPath": f"{GIT_SECRET_DIR}/known_hosts",
                    "readOnly": True,
                    "subPath": "known_hosts",
                }
            )
    elif git.credentials_secret is not None:
        for key in ("GITSYNC_USERNAME", "GITSYNC_PASSWORD"):
            secret_env.append(
                {"name": key, "valueFrom": {"secretKeyRef": {"name": git.credentials_secret, "key": key}}}
            )
    items = [{"name": k, "value": escape(v)} for k, v in env.items()] + secret_env
    return {
        "name": "git-sync-init",
        "image": GIT_SYNC_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "securityContext": {"runAsUser": GIT_SYNC_UID},
        "env": sorted(items, key=lambda item: str(item["name"])),
        "volumeMounts": mounts,
    }


def _logs_volume(resolved: Resolved) -> dict[str, Any]:
    persistence = resolved.spec.logging.persistence
    if persistence is None:
        return {"name": "logs", "emptyDir": {}}
    claim = persistence.existing_claim or f"{resolved.release}-logs"
    return {"name": "logs", "persistentVolumeClaim": {"claimName": claim}}


def container_resources(resources: Resources) -> dict[str, dict[str, str]]:
    """A Kubernetes container's resources (the Helm values use the same shape)."""
    out: dict[str, dict[str, str]] = {}
    for kind in ("requests", "limits"):
        given = getattr(resources, kind)
        values = {
            "cpu": given.cpu,
            "memory": given.memory,
            "ephemeral-storage": given.ephemeral_storage,
            "nvidia.com/gpu": None if given.gpu is None else str(given.gpu),
        }
        present = {k: v for k, v in values.items() if v is not None}
        if present:
            out[kind] = present
    return out


def _placement(profile: TaskProfile) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if profile.node_selector:
        out["nodeSelector"] = dict(sorted(profile.node_selector.items()))
    if profile.affinity:
        out["affinity"] = profile.affinity
    if profile.tolerations:
        out["tolerations"] = [_toleration(t) for t in profile.tolerations]
    return out


def _toleration(t: Toleration) -> dict[str, Any]:
    fields = (
        ("key", t.key),
        ("operator", t.operator),
        ("value", t.value),
        ("effect", t.effect),
        ("tolerationSeconds", t.toleration_seconds),
    )
    return {k: v for k, v in fields if v is not None}
