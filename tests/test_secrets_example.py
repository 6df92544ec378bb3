"""kubernetes/secrets.example.yaml: the Secrets a Helm deployment reads, read by kubernetes-validate --strict, and
holding exactly the Secret names and keys that the compiled Helm values and pod templates reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from airspec import pipeline
from airspec.artifacts import build
from tests.conftest import EXAMPLES, ROOT
from tests.validators import run_tool, tool

KUBERNETES_VERSION = "1.33.0"


def _docs(text: str) -> list[Any]:
    return [d for d in YAML(typ="safe", pure=True).load_all(text) if d is not None]


def _referenced(node: Any, found: set[tuple[str, str]]) -> None:
    """Every (Secret, key) a chart value or pod spec names: secretKeyRef, the chart's *SecretName with its key."""
    if isinstance(node, dict):
        ref = node.get("secretKeyRef")
        if isinstance(ref, dict):
            found.add((ref["name"], ref["key"]))
        if {"secretName", "secretKey"} <= set(node):
            found.add((node["secretName"], node["secretKey"]))
        for value in node.values():
            _referenced(value, found)
    elif isinstance(node, list):
        for value in node:
            _referenced(value, found)


def test_every_example_with_secrets_is_valid_kubernetes(tmp_path: Path) -> None:
    files = []
    for name in EXAMPLES:
        artifacts = {
            a.kind: a for a in build(pipeline.resolved(str(ROOT / f"examples/{name}/airflow-spec.yaml")))
        }
        if "secrets-example" in artifacts:
            path = tmp_path / f"{name}.yaml"
            path.write_text(artifacts["secrets-example"].text, encoding="utf-8")
            files.append(path)
    assert files
    proc = run_tool([tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, *map(str, files)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("passed for resource secret/") == sum(
        len(_docs(f.read_text(encoding="utf-8"))) for f in files
    )


def test_holds_what_the_kubernetes_artifacts_read_and_no_value() -> None:
    text = (ROOT / "examples/kubernetes-helm/airflow-spec.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "kubernetes_executor:\n  worker:\n",
        "kubernetes_executor:\n  worker:\n    env:\n      - {name: TOKEN, secret: {name: task-token, key: token}}\n",
    )
    artifacts = {a.path: a.text for a in build(pipeline.from_text(text, "airflow-spec.yaml"))}
    secrets = {
        doc["metadata"]["name"]: doc["stringData"]
        for doc in _docs(artifacts["kubernetes/secrets.example.yaml"])
    }
    assert all(value == "" for data in secrets.values() for value in data.values())
    listed = {(name, key) for name, data in secrets.items() for key in data}
    found: set[tuple[str, str]] = set()
    _referenced(_docs(artifacts["kubernetes/pod-template.yaml"]), found)
    # The chart makes these itself (the bundled database's connection, a generated fernet key).
    made_by_chart = {("analytics-airflow-metadata", "connection"), ("analytics-fernet-key", "fernet-key")}
    assert found - made_by_chart <= listed, found - listed
    # Independent of airspec's code: the Secrets the example spec names, by hand.
    assert listed == {
        ("airflow-api-secret-key", "api-secret-key"),
        ("airflow-fernet-key", "fernet-key"),
        ("airflow-git-ssh", "gitSshKey"),
        ("airflow-jwt-secret", "jwt-secret"),
        ("task-token", "token"),
    }


def test_not_written_without_helm_or_secrets() -> None:
    for name in ("celery-compose", "minimal"):
        kinds = {a.kind for a in build(pipeline.resolved(str(ROOT / f"examples/{name}/airflow-spec.yaml")))}
        assert "secrets-example" not in kinds, name
