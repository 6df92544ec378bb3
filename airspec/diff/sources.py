"""Reading what is deployed: a directory of artifacts, one artifact file, a ConfigMap manifest, Helm release values,
or an API configuration dump. Live sources (k8s://, http(s)://) are in `live.py` and end up here as text.

A single file's kind is told from its name and content:
- `*.cfg`, or text that starts (after comments) with a `[section]` line: airflow.cfg;
- `.env`, `*.env`, `.env.*`: the compose environment file (only its variable names are compared: the values are the
  deployment's own, secrets among them);
- JSON with `sections`: the response of GET /api/v2/config or /api/v1/config saved to a file;
- YAML: `kind: ConfigMap` (or a `List` holding one) with an `airflow.cfg` key, as `kubectl get configmap
  <release>-airflow-config -o yaml` prints it (its `pod_template_file.yaml` is the pod template); `helm get values`
  output, with or without its `USER-SUPPLIED VALUES:` / `COMPUTED VALUES:` first line; `kind: Pod`; compose
  (`services:`); statsd mappings; Prometheus config or rules; a GitHub workflow; any other mapping: Helm values.

Helm values: user-supplied values (what `helm get values` prints) are compared in full, so a value set on the release
that the spec does not set is drift. Computed values (`helm get values --all`) hold every chart default, so only the
keys airspec writes are compared there.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path as FsPath
from typing import Any

from airspec.artifacts import YAML_KINDS, Artifact
from airspec.diff import cfg
from airspec.errors import InputError
from airspec.loader import BOM, load_text, read_text
from airspec.terminal import printable

USER_SUPPLIED = "USER-SUPPLIED VALUES:"
COMPUTED = "COMPUTED VALUES:"
MAX_FILES = 5000  # a directory walk stops here: a source is a folder of artifacts, not a disk
MAX_JSON_DEPTH = 64  # as the YAML loader's MAX_DEPTH; the json module recurses, and fails near 1000

# Options the official chart's default `config:` fills into the ConfigMap's airflow.cfg (chart/values.yaml of
# apache/airflow at de1e3bde, main after chart 1.22.0; shared/upstream/helm-chart/values.yaml, checked by
# tests/test_diff_sources.py). Unless the spec sets them they are the chart's business, not drift.
CHART_CONFIG: frozenset[cfg.Place] = frozenset(
    {
        ("core", "dags_folder"),
        ("core", "load_examples"),
        ("core", "executor"),
        ("core", "auth_manager"),
        ("logging", "remote_logging"),
        ("logging", "colored_console_log"),
        ("metrics", "statsd_on"),
        ("metrics", "statsd_port"),
        ("metrics", "statsd_prefix"),
        ("metrics", "statsd_host"),
        ("metrics", "otel_on"),
        ("metrics", "otel_host"),
        ("metrics", "otel_port"),
        ("traces", "otel_on"),
        ("fab", "enable_proxy_fix"),
        ("celery", "flower_url_prefix"),
        ("celery", "worker_concurrency"),
        ("celery", "sync_parallelism"),
        ("dag_processor", "dag_bundle_config_list"),
        ("elasticsearch", "json_format"),
        ("elasticsearch", "log_id_template"),
        ("elasticsearch_configs", "max_retries"),
        ("elasticsearch_configs", "timeout"),
        ("elasticsearch_configs", "retry_timeout"),
        ("kerberos", "keytab"),
        ("kerberos", "reinit_frequency"),
        ("kerberos", "principal"),
        ("kerberos", "ccache"),
        ("celery_kubernetes_executor", "kubernetes_queue"),
        ("kubernetes_executor", "namespace"),
        ("kubernetes_executor", "pod_template_file"),
        ("kubernetes_executor", "worker_container_repository"),
        ("kubernetes_executor", "worker_container_tag"),
        ("kubernetes_executor", "multi_namespace_mode"),
    }
)
CONFIGMAP_CFG_KEY = "airflow.cfg"
CONFIGMAP_POD_TEMPLATE_KEY = "pod_template_file.yaml"
CONFIGMAP_LOCAL_SETTINGS_KEY = "airflow_local_settings.py"


@dataclass(frozen=True)
class Deployed:
    """One deployed artifact, parsed. `data` is a cfg.Cfg for airflow.cfg, a set of names for compose-env, the YAML
    data for YAML artifacts and the text for the rest."""

    kind: str
    label: str  # where it came from, for the report
    data: Any
    name: str = ""  # file name, to pick among artifacts of one kind (pod profiles); "" fits any
    only_spec_keys: bool = False


def read_path(source: str, artifacts: list[Artifact]) -> list[Deployed]:
    path = FsPath(source)
    if path.is_dir():
        return read_dir(path, artifacts)
    if not path.exists():
        raise InputError(f"{printable(source)}: no such file or directory")
    return read_file(printable(source), read_text(source), artifacts)


def read_dir(root: FsPath, artifacts: list[Artifact]) -> list[Deployed]:
    """Each artifact at its `compile` path under `root`, or else the one file of that name anywhere below it."""
    files = _walk(root)
    out: list[Deployed] = []
    for artifact in artifacts:
        found = _find(root, files, artifact)
        if found is not None:  # a file's name is the deployment's: shown escaped, in messages too
            text = read_text(str(found))
            out.append(parse_artifact(artifact.kind, printable(str(found)), text, found.name))
    return out


def _walk(root: FsPath) -> list[FsPath]:
    files: list[FsPath] = []
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in (".git", "node_modules", "__pycache__"))
        files.extend(FsPath(directory) / n for n in sorted(names))
        if len(files) > MAX_FILES:
            raise InputError(
                f"{printable(str(root))}: more than {MAX_FILES} files; point --against at the artifacts' folder"
            )
    return files


def _find(root: FsPath, files: list[FsPath], artifact: Artifact) -> FsPath | None:
    exact = root / artifact.path
    if artifact.kind == "compose-env" and (exact.parent / ".env").is_file():
        return exact.parent / ".env"  # the deployment's own .env, filled in from .env.example
    if exact.is_file():
        return exact
    base = FsPath(artifact.path).name
    if artifact.kind == "pod-profile":  # profiles/<name>.yaml: the folder tells a profile from other YAML
        matches = [f for f in files if f.name == base and f.parent.name == "profiles"]
    elif artifact.kind == "compose-env":
        matches = [f for f in files if f.name == ".env"] or [f for f in files if f.name == base]
    else:
        matches = [f for f in files if f.name == base]
    if len(matches) > 1:
        shown = ", ".join(str(m) for m in matches[:3])
        raise InputError(
            printable(f"{root}: more than one {base} ({shown}); point --against at one deployment's folder")
        )
    return matches[0] if matches else None


def read_file(label: str, text: str, artifacts: list[Artifact]) -> list[Deployed]:
    name = FsPath(label).name
    kind = _kind_by_name(name)
    if kind is not None:
        return [parse_artifact(kind, label, text, name)]
    stripped = text.lstrip()
    if stripped.startswith("{") and '"sections"' in stripped[:200]:
        return [api_config(label, load_json(text, label))]
    if _looks_like_ini(text):
        if stripped.startswith("[") and _is_json(text, label):  # `[1, 2, 3]` is JSON, not a [section] line
            raise InputError(
                f"{label}: a JSON array; expected an Airflow configuration response (an object with 'sections')"
            )
        return [parse_artifact("airflow.cfg", label, text, name)]
    return read_yaml(label, text, artifacts, name)


_JSON_ESCAPE = re.compile(r"\\.", re.DOTALL)
_JSON_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_JSON_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """How deeply `text`'s arrays and objects nest, counted without parsing (so without recursion): escapes, then
    strings, then everything but brackets are dropped, each step one linear regular-expression pass."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", _JSON_ESCAPE.sub("", text)))
    return max(accumulate(map(_JSON_STEP.__getitem__, brackets)), default=0)


def load_json(text: str, label: str) -> Any:
    """JSON text as data, or one InputError: invalid, or nested deeper than MAX_JSON_DEPTH (checked first)."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InputError(f"{label}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise InputError(f"{label}: invalid JSON") from None


def _is_json(text: str, label: str) -> bool:
    """Whether `text` is JSON; too deeply nested to tell is an error (a real airflow.cfg is never that)."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InputError(f"{label}: brackets nested deeper than {MAX_JSON_DEPTH} levels (JSON?)")
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def _kind_by_name(name: str) -> str | None:
    if name.endswith(".cfg"):
        return "airflow.cfg"
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "compose-env"
    if name.endswith(".py"):
        return "local-settings"
    return None


def _looks_like_ini(text: str) -> bool:
    for line in text.removeprefix(BOM).splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        return line.startswith("[") and line.endswith("]") and not line.startswith("[[")
    return False


def api_config(label: str, payload: Any) -> Deployed:
    return Deployed("airflow.cfg", label, cfg.Cfg(cfg.from_api(payload, label), complete=True))


def read_yaml(label: str, text: str, artifacts: list[Artifact], name: str = "") -> list[Deployed]:
    header = _helm_header(text)
    if header is not None:
        return [
            helm_values(label, load_text(text.partition("\n")[2], label).data, computed=header == COMPUTED)
        ]
    data = load_text(text, label).data
    if not isinstance(data, dict):
        raise InputError(f"{label}: expected a YAML mapping")
    if data.get("kind") == "List" and isinstance(data.get("items"), list):
        maps = [i for i in data["items"] if isinstance(i, dict) and i.get("kind") == "ConfigMap"]
        with_cfg = [m for m in maps if isinstance(m.get("data"), dict) and CONFIGMAP_CFG_KEY in m["data"]]
        if len(with_cfg) != 1:
            raise InputError(f"{label}: expected one ConfigMap with an {CONFIGMAP_CFG_KEY} key in the list")
        return configmap(label, with_cfg[0])
    if data.get("kind") == "ConfigMap":
        return configmap(label, data)
    kinds = {a.kind for a in artifacts}
    if data.get("kind") == "Pod":
        profiles = {FsPath(a.path).name for a in artifacts if a.kind == "pod-profile"}
        kind = (
            "pod-profile" if name in profiles and FsPath(label).parent.name == "profiles" else "pod-template"
        )
        return [Deployed(kind, label, data, name)]
    for key, kind in (
        ("services", "compose"),
        ("mappings", "statsd-mappings"),
        ("scrape_configs", "prometheus-scrape"),
        ("groups", "prometheus-rules"),
        ("datasources", "grafana-datasources"),
        ("providers", "grafana-dashboard-provider"),
        ("jobs", "ci-workflow"),
    ):
        if key in data:
            return [Deployed(kind, label, data, name)]
    if "helm-values" in kinds:
        return [helm_values(label, data, computed=False)]
    raise InputError(
        f"{label}: cannot tell which artifact this is (the spec makes: {', '.join(sorted(kinds))})"
    )


def _helm_header(text: str) -> str | None:
    first = text.partition("\n")[0].strip()
    return first if first in (USER_SUPPLIED, COMPUTED) else None


def helm_values(label: str, values: Any, computed: bool) -> Deployed:
    if values is None:  # `helm get values` prints `null` for a release without user-supplied values
        values = {}
    if not isinstance(values, dict):
        raise InputError(f"{label}: Helm values must be a mapping")
    return Deployed("helm-values", label, values, only_spec_keys=computed)


def configmap(label: str, manifest: dict[str, Any]) -> list[Deployed]:
    data = manifest.get("data") or {}
    metadata = manifest.get("metadata")
    name = metadata.get("name", "") if isinstance(metadata, dict) else ""
    where = printable(f"{label} (ConfigMap {name})") if name else label  # the name is the cluster's
    text = data.get(CONFIGMAP_CFG_KEY) if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise InputError(f"{label}: the ConfigMap has no {CONFIGMAP_CFG_KEY} key")
    options = cfg.parse(text, f"{where} {CONFIGMAP_CFG_KEY}")
    out = [Deployed("airflow.cfg", where, cfg.Cfg(options, chart_filled=CHART_CONFIG))]
    pod = data.get(CONFIGMAP_POD_TEMPLATE_KEY)
    if isinstance(pod, str):
        pod_label = f"{where} {CONFIGMAP_POD_TEMPLATE_KEY}"
        out.append(Deployed("pod-template", pod_label, load_text(pod, pod_label).data))
    local_settings = data.get(CONFIGMAP_LOCAL_SETTINGS_KEY)
    if isinstance(local_settings, str):
        out.append(Deployed("local-settings", f"{where} {CONFIGMAP_LOCAL_SETTINGS_KEY}", local_settings))
    return out


def parse_artifact(kind: str, label: str, text: str, name: str = "") -> Deployed:
    """A file known to be an artifact of `kind`."""
    if kind == "airflow.cfg":
        return Deployed(kind, label, cfg.Cfg(cfg.parse(text, label)), name)
    if kind == "compose-env":
        return Deployed(kind, label, env_names(text), name)
    if kind not in YAML_KINDS:
        return Deployed(kind, label, text, name)
    header = _helm_header(text) if kind == "helm-values" else None
    if header is not None:  # `helm get values` output saved as values.yaml
        return helm_values(label, load_text(text.partition("\n")[2], label).data, computed=header == COMPUTED)
    return Deployed(kind, label, load_text(text, label).data, name)


def env_names(text: str) -> frozenset[str]:
    """Variable names a compose .env file sets (values are the deployment's own and are never read)."""
    names = set()
    for line in text.removeprefix(BOM).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        name, sep, _ = line.partition("=")
        if sep and name.strip():
            names.add(name.strip())
    return frozenset(names)
