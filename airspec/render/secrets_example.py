"""kubernetes/secrets.example.yaml: every Kubernetes Secret the spec reads from, with each key it reads, for the
operator to fill in (or to create the same Secrets another way: sealed-secrets, an external secrets operator).

The values are empty on purpose: airspec never sees a secret value. Kubernetes creates a Secret with empty values
as written, so the header says to fill them in before applying. One YAML document per Secret, sorted by name.
"""

from __future__ import annotations

from typing import Any

from airspec.render.airflow_cfg import header
from airspec.render.yamltext import dump
from airspec.resolve import Resolved
from airspec.semantic import secret_fields

# Keys the chart's git-sync reads from the Secrets the spec names (dags.git_sync).
GIT_SSH_KEY = "gitSshKey"
GIT_CREDENTIALS = ("GITSYNC_USERNAME", "GITSYNC_PASSWORD")


def secrets(resolved: Resolved) -> dict[str, set[str]]:
    """Secret name -> the keys airspec's artifacts read from it."""
    spec = resolved.spec
    found: dict[str, set[str]] = {}
    for _, ref in secret_fields(spec):
        if ref.secret is not None:
            found.setdefault(ref.secret.name, set()).add(ref.secret.key)
    if spec.kubernetes_executor is not None:
        k8s = spec.kubernetes_executor
        for var in [*k8s.worker.env, *(v for p in k8s.profiles.values() for v in p.env)]:
            if var.secret is not None:
                found.setdefault(var.secret.name, set()).add(var.secret.key)
    git = spec.dags.git_sync
    if git is not None and git.ssh_key_secret is not None:
        found.setdefault(git.ssh_key_secret, set()).add(GIT_SSH_KEY)
    if git is not None and git.credentials_secret is not None:
        found.setdefault(git.credentials_secret, set()).update(GIT_CREDENTIALS)
    return found


def applies(resolved: Resolved) -> bool:
    return "helm" in resolved.spec.targets and bool(secrets(resolved))


def render(resolved: Resolved) -> str:
    documents = []
    for name, keys in sorted(secrets(resolved).items()):
        secret: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": resolved.namespace},
            "type": "Opaque",
            "stringData": dict.fromkeys(sorted(keys), ""),
        }
        documents.append(dump(secret))
    lines = [
        *header(resolved),
        "The Kubernetes Secrets this deployment reads, with every key it reads. Fill in each value, then",
        f"kubectl apply -n {resolved.namespace} -f secrets.example.yaml (or create them another way). Keep the",
        "filled-in file out of version control.",
    ]
    return "".join(f"# {line}\n" for line in lines) + "---\n".join(documents)
