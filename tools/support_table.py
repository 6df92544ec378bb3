"""Which spec key each target honours: every leaf of the published schema, set to a value other than its default,
compiled for each target. A leaf is `honoured` when the artifacts change, `refused` when validation refuses it
(with the reason), `n/a` where the key has no meaning for the target (with the reason, listed below); anything else
is a silent drop, which tests/test_support_table.py fails on. tools/readme.py writes the table into the README.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from airspec import pipeline
from airspec.artifacts import build
from airspec.errors import SpecInvalid
from airspec.render.yamltext import dump

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schema" / "airflow-spec.schema.json"
TARGETS = ("helm", "compose")

# The smallest spec each target compiles. compose needs the secrets every process shares.
BASES: dict[str, dict[str, Any]] = {
    "helm": {"name": "base", "airflow": {"version": "3.3"}, "targets": ["helm"]},
    "compose": {
        "name": "base",
        "airflow": {"version": "3.3"},
        "targets": ["compose"],
        "secrets": {"jwt_secret": {"env": "JWT_SECRET"}, "api_secret_key": {"env": "API_SECRET_KEY"}},
        "database": {"password": {"env": "POSTGRES_PASSWORD"}},
    },
}
# What a key needs around it to mean anything (the first matching prefix wins).
CONTEXT: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "celery.workers.autoscale.",
        {"executor": "CeleryExecutor", "celery": {"workers": {"autoscale": {"max": 4, "min": 1}}}},
    ),
    (
        "celery.broker.url",
        {
            "executor": "CeleryExecutor",
            "celery": {"broker": {"kind": "external", "url": {"env": "BASE_BROKER_URL"}}},
        },
    ),
    ("celery.flower.", {"executor": "CeleryExecutor", "celery": {"flower": {"enabled": True}}}),
    ("celery.", {"executor": "CeleryExecutor", "celery": {}}),
    (
        "kubernetes_executor.profiles.",
        {"executor": "KubernetesExecutor", "kubernetes_executor": {"profiles": {"p1": {}}}},
    ),
    (
        "kubernetes_executor.worker.image.",
        {"executor": "KubernetesExecutor", "kubernetes_executor": {"worker": {"image": {}}}},
    ),
    ("kubernetes_executor.", {"executor": "KubernetesExecutor", "kubernetes_executor": {}}),
    # Providers go into an image compile writes, which airflow.image must name (not the stock apache/airflow).
    ("airflow.providers", {"airflow": {"image": {"repository": "example/airflow"}}}),
    ("ci.deploy.", {"ci": {"deploy": {"kind": "s3", "bucket": "base-bucket"}}}),
    ("ci.", {"ci": {}}),
    ("logging.remote.", {"logging": {"remote": {"provider": "s3", "base_folder": "s3://base/logs"}}}),
    ("logging.persistence.", {"logging": {"persistence": {}}}),
    ("dags.git_sync.", {"dags": {"git_sync": {"repo": "https://example.com/dags.git"}}}),
    ("dags.persistence.", {"dags": {"persistence": {}}}),
    ("database.url", {"database": {"kind": "external", "url": {"env": "BASE_DATABASE_URL"}}}),
    ("metrics.statsd.exporter.", {"metrics": {"statsd": {"host": "statsd.example.com"}}}),
)
# Values for keys whose type alone does not give a valid non-default one.
SAMPLES: dict[str, Any] = {
    "name": "renamed",
    "airflow.version": "3.2",
    "airflow.image.repository": "example/airflow",
    "airflow.image.tag": "3.3.2-custom",
    "airflow.providers": ["amazon"],
    "airflow.python_version": "3.11",
    "kubernetes_executor.worker.image.repository": "example/airflow",
    "kubernetes_executor.worker.image.tag": "3.3.2-custom",
    "executor": "CeleryExecutor",
    "targets": None,  # the target itself: n/a
    "kubernetes.namespace": "other",
    "kubernetes.release": "other",
    "database.postgres_version": "15",
    "celery.broker.redis_version": "7.4",
    "celery.flower.enabled": False,  # the context turns it on
    "api_server.base_url": "https://airflow.example.org",
    "api_server.expose_config": "non-sensitive-only",
    "dags.folder": "/opt/airflow/other-dags",
    "dags.local_path": "./other-dags",
    "dags.git_sync.repo": "https://example.com/other.git",
    "dags.git_sync.branch": "release",
    "dags.git_sync.rev": "v1.0",
    "dags.git_sync.sub_path": "dags",
    "dags.git_sync.ssh_key_secret": "git-ssh",
    "dags.git_sync.known_hosts": "example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    "dags.git_sync.credentials_secret": "git-creds",
    "dags.persistence.storage_class": "fast",
    "dags.persistence.existing_claim": "dags-claim",
    "dags.persistence.access_mode": "ReadWriteOnce",
    "logging.persistence.storage_class": "fast",
    "logging.persistence.existing_claim": "logs-claim",
    "logging.persistence.access_mode": "ReadWriteOnce",
    "logging.remote.provider": "gcs",
    "logging.remote.base_folder": "s3://other/logs",
    "logging.remote.conn_id": "other_conn",
    "metrics.statsd.host": "statsd.example.org",
    "metrics.statsd.prefix": "other",
    "metrics.prometheus.targets": ["pushgateway:9091"],
    "kubernetes_executor.namespace": "tasks",
    "kubernetes_executor.worker.node_selector": {"pool": "tasks"},
    "kubernetes_executor.worker.tolerations": [
        {"key": "tasks", "operator": "Exists", "effect": "NoSchedule"}
    ],
    "kubernetes_executor.worker.affinity": {"nodeAffinity": {}},
    "kubernetes_executor.worker.env": [{"name": "EXTRA", "value": "1"}],
    "kubernetes_executor.worker.volumes": [{"name": "scratch", "emptyDir": {}}],
    "kubernetes_executor.worker.volume_mounts": [{"name": "scratch", "mountPath": "/scratch"}],
    "kubernetes_executor.worker.service_account": "tasks",
    "kubernetes_executor.profiles.p1.node_selector": {"pool": "p1"},
    "kubernetes_executor.profiles.p1.tolerations": [{"key": "p1", "operator": "Exists"}],
    "kubernetes_executor.profiles.p1.affinity": {"nodeAffinity": {}},
    "kubernetes_executor.profiles.p1.env": [{"name": "EXTRA", "value": "1"}],
    "ci.python_version": "3.11",
    "ci.dags_path": "airflow/dags",
    "ci.tests_path": "airflow/tests",
    "ci.branch": "release",
    "ci.airspec_requirement": "airspec @ git+https://example.com/airspec.git",
    "ci.deploy.kind": "git-sync",
    "ci.deploy.bucket": "other-bucket",
    "ci.deploy.prefix": "other",
    "ci.deploy.region": "eu-west-1",
    "ci.deploy.role_arn": "arn:aws:iam::123456789012:role/deploy",
    "config": {"core": {"default_timezone": "Europe/Paris"}},
    "compose.overrides": {"services": {"airflow-scheduler": {"labels": {"team": "data"}}}},
    "helm.chart_version": "1.19.0",
    "helm.values": {"labels": {"team": "data"}},
    "environments": None,  # overlays are their own feature: n/a
}
# Keys that mean nothing to a target, and why (the table prints the reason).
_NA_PREFIX: tuple[tuple[str, str, str], ...] = (
    ("kubernetes_executor.", "compose", "docker-compose cannot run the KubernetesExecutor"),
    ("kubernetes.", "compose", "Kubernetes names; compose has none"),
    ("targets", "helm", "the target itself"),
    ("targets", "compose", "the target itself"),
    ("environments", "helm", "overlays are chosen with --env"),
    ("environments", "compose", "overlays are chosen with --env"),
    ("development_only", "helm", "allows literal secrets; by itself it changes no artifact"),
    ("development_only", "compose", "allows literal secrets; by itself it changes no artifact"),
    ("metrics.statsd.exporter.", "helm", "only without metrics.statsd.host, which disabling it requires"),
    ("metrics.statsd.exporter.", "compose", "only without metrics.statsd.host, which disabling it requires"),
)


class OneValue(Exception):
    """The key takes one value only: nothing to set it to."""


class Cell(NamedTuple):
    status: str  # honoured, refused, n/a, dropped, bad-sample
    note: str = ""


def leaves(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every leaf of the schema: a dotted path (task profiles as `p1`) and its schema."""
    defs = schema["$defs"]

    def objects(node: dict[str, Any]) -> dict[str, Any] | None:
        node = resolved_node(node, defs)
        if "properties" in node and node.get("title") != "SecretRef":
            return node
        for option in node.get("anyOf", []):
            found = objects(option)
            if found is not None:
                return found
        return None

    def walk(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        obj = objects(node)
        if obj is not None and not _is_secret(node, defs):
            for key, child in obj["properties"].items():
                yield from walk(child, f"{path}.{key}" if path else key)
            return
        pattern = resolved_node(node, defs).get("patternProperties")
        if path.endswith("profiles") and pattern:
            (child,) = pattern.values()
            yield from walk(child, f"{path}.p1")
            return
        yield path, node

    yield from walk(schema, "")


def _is_secret(node: dict[str, Any], defs: dict[str, Any]) -> bool:
    refs = [node.get("$ref", "")] + [o.get("$ref", "") for o in node.get("anyOf", [])]
    return any(r.endswith("/SecretRef") for r in refs)


def sample(path: str, node: dict[str, Any], defs: dict[str, Any], target: str) -> Any:
    """A valid value for the leaf that differs from its default."""
    if path in SAMPLES:
        return SAMPLES[path]
    if _is_secret(node, defs):
        if target == "helm":
            return {"secret": {"name": "support-secret", "key": "connection"}}
        return {"env": "SUPPORT_SECRET"}
    default = node.get("default")
    options = [resolved_node(o, defs) for o in node.get("anyOf", [node])]
    types = {o.get("type") for o in options}
    enums = [v for o in options for v in o.get("enum", [o["const"]] if "const" in o else [])]
    if enums:
        others = [v for v in enums if v != default]
        if not others:
            raise OneValue(path)
        return others[0]
    if "boolean" in types:
        return not default
    if any(o.get("pattern", "").startswith("^(\\d+(ms|s|m|h|d|w))+$") for o in options):
        return "7m"
    if "integer" in types:
        for o in options:
            if o.get("type") == "integer":
                low = o.get("minimum", 0)
                value = max(low, (default or 0) + 2)
                return min(value, o.get("maximum", value))
    if "number" in types:
        return 0.5 if default != 0.5 else 0.25
    if "string" in types and any("Ki|Mi|Gi" in o.get("pattern", "") for o in options):
        return "3Gi"
    raise KeyError(f"no sample for {path}: add one to SAMPLES")


def resolved_node(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _with(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    *parents, leaf = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value
    return out


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def _compiled(data: dict[str, Any]) -> dict[str, str] | SpecInvalid:
    text = dump(data, "")
    try:
        resolved = pipeline.from_text(text, "airflow-spec.yaml")
    except SpecInvalid as exc:
        return exc
    return {a.path: a.text for a in build(resolved)}


def cell(path: str, node: dict[str, Any], defs: dict[str, Any], target: str) -> Cell:
    for prefix, where, why in _NA_PREFIX:
        if where == target and (path == prefix or path.startswith(prefix)):
            return Cell("n/a", why)
    base = BASES[target]
    for prefix, extra in CONTEXT:
        if path.startswith(prefix):
            base = _merge(base, extra)
            break
    before = _compiled(base)
    if isinstance(before, SpecInvalid):  # what the key needs around it is itself refused for this target
        return Cell("refused", before.diagnostics[0].message)
    try:
        value = sample(path, node, defs, target)
    except OneValue:
        return Cell("n/a", "takes one value only")
    after = _compiled(_with(base, path, value))
    if isinstance(after, SpecInvalid):
        message = after.diagnostics[0].message
        if "expected" in message and message.startswith(path):
            return Cell("bad-sample", message)
        return Cell("refused", message)
    if after != before:
        return Cell("honoured")
    return Cell("dropped")


def table() -> list[tuple[str, dict[str, Cell]]]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    return [(path, {t: cell(path, node, defs, t) for t in TARGETS}) for path, node in leaves(schema)]


def markdown() -> str:
    head = ["| key | helm | compose |", "|---|---|---|"]
    rows = []
    for path, cells in table():
        shown = []
        for target in TARGETS:
            c = cells[target]
            shown.append(f"{c.status}: {c.note}".replace("|", "\\|") if c.note else c.status)
        rows.append(f"| `{path}` | " + " | ".join(shown) + " |")
    return "\n".join(head + rows) + "\n"
