"""Where in the spec a place in an artifact comes from, to show the spec line beside each change.

airflow.cfg options carry their spec path (resolve.Option.origin); so do environment variables named after them
(`AIRFLOW__CORE__PARALLELISM`). Other places map through the tables below to the spec section that sets them; the
spec line is then the deepest part of that path the spec file writes (a default the spec never writes has none).
"""

from __future__ import annotations

import re
from typing import Any

from airspec.envopt import env_option, indirect
from airspec.resolve import Resolved
from airspec.source import Path

TreePath = tuple[Any, ...]

_HELM: dict[str, Path] = {
    "fullnameOverride": ("kubernetes", "release"),
    "airflowVersion": ("airflow", "version"),
    "defaultAirflowRepository": ("airflow", "image", "repository"),
    "executor": ("executor",),
    "fernetKey": ("secrets", "fernet_key"),
    "fernetKeySecretName": ("secrets", "fernet_key"),
    "apiSecretKey": ("secrets", "api_secret_key"),
    "apiSecretKeySecretName": ("secrets", "api_secret_key"),
    "webserverSecretKey": ("secrets", "api_secret_key"),
    "webserverSecretKeySecretName": ("secrets", "api_secret_key"),
    "jwtSecret": ("secrets", "jwt_secret"),
    "jwtSecretName": ("secrets", "jwt_secret"),
    "enableBuiltInSecretEnvVars": ("secrets",),
    "postgresql": ("database",),
    "redis": ("celery", "broker"),
    "apiServer": ("api_server",),
    "webserver": ("api_server",),
    "scheduler": ("scheduler",),
    "dagProcessor": ("dag_processor",),
    "triggerer": ("triggerer",),
    "workers": ("celery", "workers"),
    "flower": ("celery", "flower"),
    "statsd": ("metrics", "statsd"),
    "ports": ("metrics", "statsd", "port"),
    "logs": ("logging",),
    "config": ("config",),
    "airflowLocalSettings": ("task_defaults",),
}
_HELM_DATA: dict[str, Path] = {
    "metadataSecretName": ("database", "url"),
    "metadataSecretKey": ("database", "url"),
    "metadataConnection": ("database", "password"),
    "brokerUrl": ("celery", "broker", "url"),
    "brokerUrlSecretName": ("celery", "broker", "url"),
    "brokerUrlSecretKey": ("celery", "broker", "url"),
    "resultBackendSecretName": ("celery", "result_backend", "url"),
    "resultBackendSecretKey": ("celery", "result_backend", "url"),
}
_HELM_DAGS: dict[str, Path] = {
    "mountPath": ("folder",),
    "gitSync": ("git_sync",),
    "persistence": ("persistence",),
}
_COMPOSE_SERVICES: dict[str, Path] = {
    "postgres": ("database",),
    "redis": ("celery", "broker"),
    "airflow-apiserver": ("api_server",),
    "airflow-webserver": ("api_server",),
    "airflow-scheduler": ("scheduler",),
    "airflow-dag-processor": ("dag_processor",),
    "airflow-triggerer": ("triggerer",),
    "airflow-worker": ("celery", "workers"),
    "flower": ("celery", "flower"),
    "statsd-exporter": ("metrics", "statsd"),
    "prometheus": ("metrics", "prometheus"),
    "grafana": ("metrics", "statsd"),
    "airflow-init": ("airflow",),
}
# Chart and Kubernetes spellings of spec keys.
_KEYS = {
    "subPath": "sub_path",
    "sshKeySecret": "ssh_key_secret",
    "knownHosts": "known_hosts",
    "credentialsSecret": "credentials_secret",
    "period": "wait",
    "ref": "branch",
    "storageClassName": "storage_class",
    "accessMode": "access_mode",
    "existingClaim": "existing_claim",
    "nodeSelector": "node_selector",
    "volumeMounts": "volume_mounts",
    "serviceAccountName": "service_account",
    "nvidia.com/gpu": "gpu",
    "ephemeral-storage": "ephemeral_storage",
}
_OTHER: dict[str, Path] = {
    "local-settings": ("task_defaults",),
    "statsd-mappings": ("metrics", "statsd"),
    "prometheus-scrape": ("metrics", "prometheus"),
    "prometheus-rules": ("metrics", "alerts"),
    "grafana-datasources": ("metrics", "prometheus"),
    "grafana-dashboard-provider": ("metrics", "statsd"),
    "ci-workflow": ("ci",),
}
_PROFILE = re.compile(r"profiles/([^/]+)\.ya?ml$")


def spec_line(resolved: Resolved, path: Path | None) -> str | None:
    """file:line:col of the deepest part of `path` the spec writes, or None if it writes none of it."""
    if not path:
        return None
    source = resolved.source
    for end in range(len(path), 0, -1):
        prefix = path[:end]
        span = source.values.get(prefix) or source.keys.get(prefix)
        if span is not None:
            return str(span)
    return None


def option_origin(resolved: Resolved, section: str, name: str) -> Path | None:
    for option in resolved.options:
        if (option.section, option.name) == (section, name):
            return option.origin
    for secret in resolved.secrets:
        if (secret.section, secret.name) == (section, name):
            return secret.origin
    return None


def env_origin(resolved: Resolved, env_name: str) -> Path | None:
    place = env_option(env_name)
    if place is not None:
        section, name = place
        via = indirect(name)
        for candidate in (name, via[0]) if via else (name,):
            found = option_origin(resolved, section, candidate)
            if found is not None:
                return found
    for secret in resolved.secrets:  # compose .env: the variable a secret reference names
        if secret.ref.env == env_name:
            return secret.origin
    password = resolved.spec.database.password
    if password is not None and password.env == env_name:
        return ("database", "password")
    return None


def tree_origin(resolved: Resolved, kind: str, artifact_path: str, path: TreePath) -> Path | None:
    parts = [str(p) for p in path]
    if kind == "helm-values":
        return _helm(resolved, parts)
    if kind == "compose":
        return _compose(resolved, parts)
    if kind == "compose-env":
        return env_origin(resolved, parts[0]) if parts else None
    if kind == "pod-template":
        return _pod(resolved, parts, ("kubernetes_executor", "worker"))
    if kind == "pod-profile":
        match = _PROFILE.search(artifact_path)
        base: Path = (
            ("kubernetes_executor", "profiles", match.group(1)) if match else ("kubernetes_executor",)
        )
        return _pod(resolved, parts, base)
    return _OTHER.get(kind)


def _spec_keys(parts: list[str]) -> Path:
    return tuple(_KEYS.get(p, p) for p in parts)


def _helm(resolved: Resolved, parts: list[str]) -> Path | None:
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    if head == "config" and len(rest) >= 2:
        return option_origin(resolved, rest[0], rest[1]) or ("config", rest[0], rest[1])
    if head == "podTemplate":
        return _pod(resolved, rest, ("kubernetes_executor", "worker"))
    if head in ("env", "secret") and rest:
        return env_origin(resolved, rest[0]) or ("secrets",)
    if head == "defaultAirflowTag":
        return ("airflow", "image", "tag") if resolved.spec.airflow.image.tag else ("airflow", "version")
    if head == "data" and rest:
        return _HELM_DATA.get(rest[0], ("database",))
    if head == "dags":
        if not rest:
            return ("dags",)
        return ("dags", *_HELM_DAGS.get(rest[0], (rest[0],)), *_spec_keys(rest[1:]))
    if head in ("workers",) and rest and rest[0] == "celery":
        rest = rest[1:]
    base = _HELM.get(head)
    if base is None:
        return None
    if head == "logs":
        return (*base, *_spec_keys(rest))
    return (*base, *_spec_keys(rest)) if head not in ("ports", "config") else base


def _compose(resolved: Resolved, parts: list[str]) -> Path | None:
    if not parts:
        return None
    if parts[0] == "name":
        return ("name",)
    if parts[0] == "volumes":
        return ("database",)
    if parts[0] != "services" or len(parts) < 2:
        return None
    service, rest = parts[1], parts[2:]
    if rest[:1] == ["environment"] and len(rest) >= 2:
        return env_origin(resolved, rest[1]) or _COMPOSE_SERVICES.get(service)
    base = _COMPOSE_SERVICES.get(service)
    if base is None:
        return None
    if rest[:1] == ["image"] and service.startswith("airflow-"):
        return ("airflow", "image")
    if rest[:2] == ["deploy", "replicas"]:
        return (*base, "replicas")
    if rest[:1] == ["ports"] and service in ("airflow-apiserver", "airflow-webserver"):
        return ("api_server", "port")
    if rest[:1] == ["volumes"] and service.startswith("airflow-"):
        return ("dags", "local_path")
    return base


def _pod(resolved: Resolved, parts: list[str], base: Path) -> Path:
    if len(parts) >= 4 and parts[0] == "spec" and parts[1] == "containers":
        rest = parts[3:]
        if rest[:1] == ["env"] and len(rest) >= 2:
            return env_origin(resolved, rest[1]) or (*base, "env")
        if rest[:1] == ["image"]:
            return (*base, "image")
        return (*base, *_spec_keys(rest))
    if len(parts) >= 2 and parts[0] == "spec":
        return (*base, *_spec_keys(parts[1:]))
    return base
