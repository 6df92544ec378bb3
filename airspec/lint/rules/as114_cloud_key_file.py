"""A long-lived Google Cloud service-account key file is mounted into Airflow (`GOOGLE_APPLICATION_CREDENTIALS`).

Catches: `GOOGLE_APPLICATION_CREDENTIALS` set to a file path that a volume mounts: in Helm values, an `env:` item
(top level or a component's) or `extraEnv` together with a `mountPath` (top-level `volumeMounts`, a component's
`extraVolumeMounts`) above that path; in compose, a service's `environment:` together with one of its `volumes:`.
A `${VAR}` value is not judged (the path is not in the file).

Why: a key file is a password that does not expire: every DAG (and every dependency a DAG imports) can read it and
use the service account from anywhere until someone deletes the key, and copies of it end up in images, backups
and laptops. On GKE, Workload Identity gives the pods short-lived tokens for the same account with no file; on
other hosts, workload identity federation or the metadata server does.

Bad:

    env:
      - name: GOOGLE_APPLICATION_CREDENTIALS
        value: /var/secrets/google/key.json
    volumeMounts:
      - name: gcp-key
        mountPath: /var/secrets/google

Good:

    serviceAccount:
      annotations:
        iam.gke.io/gcp-service-account: airflow@my-project.iam.gserviceaccount.com
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airspec.lint.compose import environment, services
from airspec.lint.inputs import compose_env, env_ref
from airspec.lint.model import FileContext, Hit, Rule
from airspec.source import Span

_VAR = "GOOGLE_APPLICATION_CREDENTIALS"


def _under(path: str, mounts: list[str]) -> bool:
    return any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounts if m)


def _message(where: str) -> str:
    return (
        f"{_VAR} {where} points at a mounted service-account key file, a credential that never expires; "
        "use Workload Identity (or another source of short-lived tokens) instead"
    )


def _walk(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    nodes = list(_walk(ctx.data, ()))
    mounts = [
        str(n["mountPath"]) for _, n in nodes if isinstance(n, dict) and isinstance(n.get("mountPath"), str)
    ]
    for path, node in nodes:
        if isinstance(node, dict) and node.get("name") == _VAR and isinstance(node.get("value"), str):
            value = node["value"]
            if not env_ref(value) and "{{" not in value and _under(value, mounts):
                yield Hit(ctx.value(*path, "value"), _message(f"({'.'.join(map(str, path))})"))
        elif isinstance(node, str) and path and path[-1] == "extraEnv" and _VAR in node:
            value = _extra_env_value(node)
            if value and not env_ref(value) and _under(value, mounts):
                yield Hit(ctx.value(*path), _message("in extraEnv"))


def _extra_env_value(text: str) -> str | None:
    """The value given to the variable in `extraEnv`, a string of YAML env items (`- name: X` then `value: Y`)."""
    current = None
    for line in text.splitlines():
        key, _, rest = line.strip().lstrip("-").strip().partition(":")
        if key == "name":
            current = rest.strip().strip("'\"")
        elif key == "value" and current == _VAR:
            return rest.strip().strip("'\"")
    return None


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    seen: set[Span] = set()
    targets = {name: _targets(service) for name, service in services(ctx)}
    for name, value, _key, at in compose_env(ctx):
        if name != _VAR or not isinstance(value, str) or env_ref(value) or at in seen:
            continue
        users = [s for s, service in services(ctx) if environment(service).get(_VAR) == value]
        if any(_under(value, targets[s]) for s in users):
            seen.add(at)
            yield Hit(at, _message("in compose"))


def _targets(service: dict[str, Any]) -> list[str]:
    out = []
    volumes = service.get("volumes")
    for volume in volumes if isinstance(volumes, list) else []:
        if isinstance(volume, dict) and isinstance(volume.get("target"), str):
            out.append(volume["target"])
        elif isinstance(volume, str) and ":" in volume:
            out.append(volume.split(":")[1])
    return out


RULE = Rule(
    id="AS114",
    name="cloud-key-file",
    severity="warning",
    category="security",
    files={"helm-values": check_helm, "compose": check_compose},
)
