"""Diff sources as Kubernetes and Helm print them: a ConfigMap manifest (`kubectl get configmap -o yaml`), release
values (`helm get values -o yaml`, with its `USER-SUPPLIED VALUES:` line), k8s://NAMESPACE/RELEASE through fake
`kubectl`/`helm` on PATH, and a saved REST API response; plus the value rules underneath."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from airspec.catalog import load
from airspec.diff import cfg, run
from airspec.diff.sources import CHART_CONFIG
from airspec.mask import Masker, sensitive_name
from tests.diff_support import compiled, example, run_diff
from tests.validators import shared

SPEC = example("kubernetes-helm")
SECRET = "c2VjcmV0LWZyb20tdGhlLWNsdXN0ZXItOTk5OQ"


def yaml_text(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def chart_cfg(spec_cfg: str, **changes: str) -> str:
    """airflow.cfg as the official chart renders it into its ConfigMap: the chart's default `config:` merged with the
    values' `config:`, sections and keys in sorted order, no comments (chart/templates/configmaps/configmap.yaml)."""
    sections: dict[str, dict[str, str]] = {
        "celery": {"flower_url_prefix": "", "sync_parallelism": "1", "worker_concurrency": "16"},
        "core": {"auth_manager": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"},
        "dag_processor": {"dag_bundle_config_list": '[{"name": "dags-folder"}]'},
        "elasticsearch": {"json_format": "True", "log_id_template": "{dag_id}-{task_id}-{run_id}"},
        "fab": {"enable_proxy_fix": "True"},
        "kubernetes_executor": {
            "multi_namespace_mode": "False",
            "pod_template_file": "/opt/airflow/pod_templates/pod_template_file.yaml",
            "worker_container_repository": "apache/airflow",
            "worker_container_tag": "3.3.2",
        },
        "logging": {"colored_console_log": "False"},
        "metrics": {"otel_host": "", "otel_on": "False", "otel_port": "4318"},
        "traces": {"otel_on": "False"},
    }
    section = ""
    for line in spec_cfg.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif " = " in line:
            key, _, value = line.partition(" = ")
            sections.setdefault(section, {})[key] = value
    for dotted, value in changes.items():
        s, _, k = dotted.partition("__")
        sections.setdefault(s, {})[k] = value
    out = []
    for s in sorted(sections):
        out.append(f"[{s}]")
        out.extend(f"{k} = {v}" for k, v in sorted(sections[s].items()))
        out.append("")
    return "\n".join(out)


def configmap_manifest(out: Path, **changes: str) -> str:
    """`kubectl get configmap analytics-airflow-config -o yaml` for a release installed from `out`'s values."""
    values = YAML(typ="safe", pure=True).load((out / "helm/values.yaml").read_text())
    manifest = {
        "apiVersion": "v1",
        "data": {
            "airflow.cfg": chart_cfg((out / "airflow.cfg").read_text(), **changes),
            "airflow_local_settings.py": (out / "config/airflow_local_settings.py").read_text(),
            "pod_template_file.yaml": values["podTemplate"],
            "known_hosts": "github.com ssh-ed25519 AAAA",
        },
        "kind": "ConfigMap",
        "metadata": {
            "annotations": {
                "meta.helm.sh/release-name": "analytics",
                "meta.helm.sh/release-namespace": "airflow",
            },
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {
                "app.kubernetes.io/managed-by": "Helm",
                "chart": "airflow-1.23.0",
                "component": "config",
                "heritage": "Helm",
                "release": "analytics",
                "tier": "airflow",
            },
            "name": "analytics-airflow-config",
            "namespace": "airflow",
            "resourceVersion": "123456",
            "uid": "0d6a4b1e-7c1f-4d2b-9d53-2f1b8f0d9e11",
        },
    }
    return yaml_text(manifest)


def helm_values_output(
    out: Path, header: str = "USER-SUPPLIED VALUES:", replicas: Any = None, **extra: Any
) -> str:
    """`helm get values analytics -o yaml`: the values the release was installed with, keys sorted."""
    values = YAML(typ="safe", pure=True).load((out / "helm/values.yaml").read_text())
    values.update(extra)
    if replicas is not None:
        values["scheduler"]["replicas"] = replicas
    return f"{header}\n{yaml_text(values)}"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    target = tmp_path / "out"
    compiled(SPEC, target)
    return target


# --- ConfigMap and Helm values as files ---------------------------------------------------------------------------


def test_configmap_manifest_from_the_chart_has_no_drift(out: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "configmap.yaml"
    manifest.write_text(configmap_manifest(out))
    report = run(SPEC, str(manifest))
    assert report.changes == ()
    assert [(c.artifact, c.source) for c in report.compared] == [
        ("airflow.cfg", f"{manifest} (ConfigMap analytics-airflow-config)"),
        ("local-settings", f"{manifest} (ConfigMap analytics-airflow-config) airflow_local_settings.py"),
        ("pod-template", f"{manifest} (ConfigMap analytics-airflow-config) pod_template_file.yaml"),
    ]


def test_configmap_change_is_reported(out: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "configmap.yaml"
    manifest.write_text(
        configmap_manifest(out, core__parallelism="16", core__max_active_runs_per_dag="4.0", fab__x="1")
    )
    report = run(SPEC, str(manifest))
    assert sorted((c.location, c.kind, c.spec_value, c.deployed_value) for c in report.changes) == [
        ("[core] parallelism", "changed", "64", "16"),
        ("[fab] x", "added", None, "1"),
    ]


def test_configmap_list_and_errors(out: Path, tmp_path: Path) -> None:
    single = YAML(typ="safe", pure=True).load(configmap_manifest(out))
    listed = tmp_path / "list.yaml"
    listed.write_text(yaml_text({"apiVersion": "v1", "kind": "List", "items": [single], "metadata": {}}))
    assert run(SPEC, str(listed)).changes == ()
    del single["data"]["airflow.cfg"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml_text(single))
    result = run_diff(SPEC, "--against", str(broken))
    assert (result.returncode, result.stderr) == (
        2,
        f"error: {broken}: the ConfigMap has no airflow.cfg key\n",
    )


def test_helm_get_values_output(out: Path, tmp_path: Path) -> None:
    saved = tmp_path / "values.txt"
    saved.write_text(helm_values_output(out))
    assert saved.read_text().startswith("USER-SUPPLIED VALUES:\nairflow")  # keys sorted, as helm prints them
    assert run(SPEC, str(saved)).changes == ()
    # A value set on the release that the spec does not set is drift; so is a changed one.
    saved.write_text(helm_values_output(out, workers={"replicas": 4}, executor="CeleryExecutor"))
    assert sorted((c.location, c.kind) for c in run(SPEC, str(saved)).changes) == [
        ("executor", "changed"),
        ("workers", "added"),
    ]


def test_computed_values_compare_only_what_airspec_sets(out: Path, tmp_path: Path) -> None:
    saved = tmp_path / "all.txt"
    chart_defaults: dict[str, Any] = {
        "ingress": {"web": {"enabled": False}},
        "uid": 50000,
        "webserver": {"replicas": 1},
    }
    saved.write_text(helm_values_output(out, "COMPUTED VALUES:", **chart_defaults))
    assert run(SPEC, str(saved)).changes == ()
    saved.write_text(helm_values_output(out, "COMPUTED VALUES:", executor="CeleryExecutor", **chart_defaults))
    assert [c.location for c in run(SPEC, str(saved)).changes] == ["executor"]


def test_a_bare_values_file_is_helm_values(out: Path) -> None:
    report = run(SPEC, str(out / "helm/values.yaml"))
    assert report.changes == () and [c.artifact for c in report.compared] == ["helm-values"]


def test_api_dump_hidden_secrets_are_unverifiable(out: Path, tmp_path: Path) -> None:
    """The JSON of GET /api/v2/config saved to a file: the whole configuration, sensitive values hidden."""
    options = cfg.parse((out / "airflow.cfg").read_text(), "airflow.cfg")
    options[("core", "fernet_key")] = "< hidden >"
    options[("api", "secret_key")] = "< hidden >"
    options[("api_auth", "jwt_secret")] = ""  # empty: the server has none, though the spec wires one
    options[("database", "sql_alchemy_conn")] = "< hidden >"  # wired by the chart, not the spec: not reported
    options[("core", "dags_are_paused_at_creation")] = "True"  # Airflow's default
    options[("logging", "base_log_folder")] = "/opt/airflow/logs"  # {AIRFLOW_HOME}/logs
    options[("celery", "celery_app_name")] = (
        "airflow.executors.celery_executor"  # a provider the spec does not use
    )
    options[("atlas", "port")] = "21000"  # not in airspec's catalog
    sections: dict[str, list[dict[str, str]]] = {}
    for (section, key), value in options.items():
        sections.setdefault(section, []).append({"key": key, "value": value})
    dump = tmp_path / "config.json"
    dump.write_text(json.dumps({"sections": [{"name": s, "options": o} for s, o in sections.items()]}))
    report = run(SPEC, str(dump))
    assert sorted((c.location, c.kind, c.spec_value, c.deployed_value) for c in report.changes) == [
        (
            "[api] secret_key",
            "unverifiable",
            "(from Secret airflow-api-secret-key, key api-secret-key)",
            None,
        ),
        ("[api_auth] jwt_secret", "changed", "(from Secret airflow-jwt-secret, key jwt-secret)", ""),
        ("[core] fernet_key", "unverifiable", "(from Secret airflow-fernet-key, key fernet-key)", None),
    ]
    assert report.drift  # the empty jwt_secret; without it only unverifiable changes remain
    assert not run(SPEC, str(dump), ignore=["[api_auth] jwt_secret"]).drift


# --- k8s:// through kubectl and helm on PATH ----------------------------------------------------------------------


def fake_tools(bin_dir: Path, outputs: dict[str, str], log: Path, fail: dict[str, str] | None = None) -> None:
    """`kubectl` and `helm` scripts that record their arguments and print a fixture (or fail like the real ones)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        fixture = bin_dir / f"{name}.out"
        fixture.write_text(text)
        error = (fail or {}).get(name)
        body = (
            f"sys.stderr.write({error!r} + '\\n')\nsys.exit(1)\n"
            if error
            else f"sys.stdout.write(open({str(fixture)!r}).read())\n"
        )
        script = bin_dir / name
        script.write_text(
            f"#!{sys.executable}\nimport sys\n"
            f"open({str(log)!r}, 'a').write(' '.join(['{name}', *sys.argv[1:]]) + '\\n')\n" + body
        )
        script.chmod(0o755)


def test_k8s_source_reads_configmap_and_release_values(out: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    fake_tools(
        tmp_path / "bin",
        {
            "kubectl": configmap_manifest(out, core__parallelism="32"),
            "helm": helm_values_output(out, replicas=3),
        },
        log,
    )
    result = run_diff(
        SPEC, "--against", "k8s://airflow/analytics", "--format", "json", path=str(tmp_path / "bin")
    )
    assert result.returncode == 1, result.stderr
    assert log.read_text().splitlines() == [
        "kubectl get configmap analytics-airflow-config --namespace airflow --output yaml",
        "helm get values analytics --namespace airflow --output yaml",
    ]
    report = json.loads(result.stdout)
    assert sorted(
        (c["artifact"], c["location"], c["spec_value"], c["deployed_value"]) for c in report["changes"]
    ) == [
        ("airflow.cfg", "[core] parallelism", "64", "32"),
        ("helm-values", "scheduler.replicas", 2, 3),
    ]
    assert {c["source"] for c in report["compared"]} >= {
        "k8s://airflow/analytics configmap/analytics-airflow-config (ConfigMap analytics-airflow-config)",
        "k8s://airflow/analytics helm get values analytics",
    }


def test_k8s_source_without_drift(out: Path, tmp_path: Path) -> None:
    fake_tools(
        tmp_path / "bin",
        {"kubectl": configmap_manifest(out), "helm": helm_values_output(out)},
        tmp_path / "calls.log",
    )
    result = run_diff(SPEC, "--against", "k8s://airflow/analytics", path=str(tmp_path / "bin"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("no drift: ")


def test_k8s_source_needs_the_tools(out: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_diff(SPEC, "--against", "k8s://airflow/analytics", path=str(empty))
    assert result.returncode == 2
    assert result.stderr == (
        "error: kubectl is not on PATH (k8s:// reads ConfigMap analytics-airflow-config with it); "
        "install it or diff against saved manifests\n"
    )
    fake_tools(tmp_path / "bin", {"kubectl": configmap_manifest(out)}, tmp_path / "calls.log")
    result = run_diff(SPEC, "--against", "k8s://airflow/analytics", path=str(tmp_path / "bin"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: helm is not on PATH") and result.stderr.count("\n") == 1


def test_k8s_tool_failure_is_one_line(out: Path, tmp_path: Path) -> None:
    message = 'Error from server (NotFound): configmaps "analytics-airflow-config" not found'
    fake_tools(
        tmp_path / "bin",
        {"kubectl": "", "helm": helm_values_output(out)},
        tmp_path / "calls.log",
        fail={"kubectl": message},
    )
    result = run_diff(SPEC, "--against", "k8s://airflow/analytics", path=str(tmp_path / "bin"))
    assert result.returncode == 2
    assert result.stderr == (
        "error: `kubectl get configmap analytics-airflow-config --namespace airflow --output yaml` failed: "
        f"{message}\n"
    )


def test_k8s_secret_in_configmap_is_masked(out: Path, tmp_path: Path) -> None:
    fake_tools(
        tmp_path / "bin",
        {"kubectl": configmap_manifest(out, core__fernet_key=SECRET), "helm": helm_values_output(out)},
        tmp_path / "calls.log",
    )
    for fmt in ("text", "json"):
        result = run_diff(
            SPEC, "--against", "k8s://airflow/analytics", "--format", fmt, path=str(tmp_path / "bin")
        )
        assert result.returncode == 1
        assert SECRET not in result.stdout + result.stderr
        assert "[core] fernet_key" in result.stdout


# --- the rules underneath -----------------------------------------------------------------------------------------


def test_chart_config_list_matches_the_charts_values() -> None:
    values = YAML(typ="safe", pure=True).load(shared("upstream", "helm-chart", "values.yaml").read_text())
    assert {(s, o) for s, options in values["config"].items() for o in options} == set(CHART_CONFIG)


@pytest.mark.parametrize(
    ("a", "b", "type_", "equal"),
    [
        ("True", "true", None, True),
        ("64", "64.0", "integer", True),
        ("1.5", "1.50", "float", True),
        ("t", "True", "boolean", True),
        ("1", "True", "boolean", True),
        ("1", "True", "string", False),
        ("64", "65", None, False),
        (" x ", "x", None, True),
        ("3.10", "3.1", None, True),  # numbers by value: the one spelling that loses a difference
        ("Europe/Amsterdam", "europe/amsterdam", None, False),
    ],
)
def test_values_by_meaning(a: str, b: str, type_: str | None, equal: bool) -> None:
    assert cfg.same(a, b, type_) is equal


@pytest.mark.parametrize(
    ("default", "value", "matches"),
    [
        ("{AIRFLOW_HOME}/logs", "/opt/airflow/logs", True),
        ("{AIRFLOW_HOME}/logs", "/opt/airflow/other", False),
        ("%%(asctime)s %%(levelname)s - %%(message)s", "%(asctime)s %(levelname)s - %(message)s", True),
        ('[{{\n  "kwargs": {{}}\n}}]', '[{\n  "kwargs": {}\n}]', True),
        ("dag_id={{ ti.dag_id }}", "dag_id={{ ti.dag_id }}", True),  # is_template defaults are not expanded
        (None, "", True),
        (None, "x", False),
        ("16", "16.0", True),
    ],
)
def test_catalog_defaults(default: str | None, value: str, matches: bool) -> None:
    assert cfg.is_default(default, value, None) is matches


def test_sensitive_names() -> None:
    sensitive = [
        "fernet_key",
        "sql_alchemy_conn",
        "POSTGRES_PASSWORD",
        "AIRFLOW__CELERY__BROKER_URL",
        "apiSecretKey",
        "AIRFLOW_CONN_METADATA",
        "result_backend",
        "token",
        "pass",
    ]
    plain = [
        "fernetKeySecretName",
        "simple_auth_manager_passwords_file",
        "parallelism",
        "knownHosts",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "worker_autoscale",
        "jwt_private_key_path",
        "monkey",
    ]
    assert [n for n in sensitive if not sensitive_name(n)] == []
    assert [n for n in plain if sensitive_name(n)] == []
    masker = Masker(False, load("3.3"))
    assert masker.option("logging", "remote_task_handler_kwargs", "{}") == "***"  # the catalog says sensitive
    assert masker.tree(("env", "AIRFLOW__LOGGING__REMOTE_TASK_HANDLER_KWARGS", "value"), "{}") == "***"
    assert masker.tree(("env", "X", "valueFrom", "secretKeyRef", "key"), "fernet-key") == "fernet-key"
