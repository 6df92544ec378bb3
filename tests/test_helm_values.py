"""Helm values for the official chart: valid against the chart's own schema (with unknown top-level keys made errors),
`config:` identical to airflow.cfg's options, secrets wired the way the chart reads them, and YAML that reads the same
under YAML 1.1 and 1.2."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from airspec import pipeline
from airspec.artifacts import build
from airspec.errors import SpecInvalid
from airspec.render import helm_values
from airspec.render.airflow_cfg import escape
from airspec.resolve import Resolved
from tests.conftest import EXAMPLES, ROOT
from tests.validators import shared

AIRFLOW2_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "helm-chart-airflow2" / "values.schema.json"
HELM_EXAMPLES = [e for e in EXAMPLES if "helm" in (ROOT / "examples" / e / "airflow-spec.yaml").read_text()]

CELERY_BUNDLED = """\
name: celery-bundled
airflow: {version: "3.3"}
executor: CeleryExecutor
targets: [helm]
celery:
  broker: {kind: bundled}
  workers:
    replicas: 3
    resources: {requests: {cpu: 500m, memory: 1Gi}}
  flower: {enabled: true, resources: {limits: {memory: 256Mi}}}
secrets:
  fernet_key: {secret: {name: af-fernet, key: fernet-key}}
"""

EXTERNAL_DB = """\
name: external-db
airflow: {version: "3.3"}
executor: LocalExecutor
targets: [helm]
database:
  kind: external
  url: {secret: {name: airflow-db, key: uri}}
metrics:
  statsd: {enabled: false}
logging:
  persistence: {size: 20Gi, storage_class: fast, existing_claim: airflow-logs}
"""

MULTI_EXECUTOR = """\
name: hybrid
airflow: {version: "3.3"}
executor: [CeleryExecutor, KubernetesExecutor]
targets: [helm]
kubernetes: {namespace: data}
database:
  kind: external
  url: {secret: {name: airflow-db, key: connection}}
celery:
  broker:
    kind: external
    url: {secret: {name: airflow-broker, key: url}}
  result_backend:
    url: {secret: {name: airflow-results, key: connection}}
kubernetes_executor:
  worker:
    resources: {requests: {cpu: 250m}}
dags:
  folder: /opt/airflow/bundles
  persistence: {size: 2Gi, access_mode: ReadWriteOnce}
"""

DEV_LITERALS = """\
name: dev
development_only: true
airflow: {version: "3.3"}
targets: [helm]
database:
  password: devpass
secrets:
  fernet_key: "ZmVybmV0LWtleS1mb3ItZGV2ZWxvcG1lbnQtb25seS0xMjM="
  api_secret_key: dev-api-secret
  jwt_secret: dev-jwt-secret
dags:
  git_sync:
    repo: https://example.com/dags.git
    credentials_secret: git-creds
    rev: 0123abcd
"""

AIRFLOW2_FALLBACKS = """\
name: legacy-fallbacks
airflow: {version: "2.11"}
executor: CeleryExecutor
targets: [helm]
database:
  kind: external
  url: {secret: {name: airflow-db, key: uri}}
celery:
  broker: {kind: bundled}
  result_backend:
    url: {file: /run/secrets/result-backend}
secrets:
  fernet_key: {env: FERNET_KEY}
  api_secret_key: {secret: {name: web, key: flask}}
dag_processor: {enabled: true, replicas: 2}
triggerer: {enabled: false}
"""

VARIANTS = {
    "celery-bundled": CELERY_BUNDLED,
    "external-db": EXTERNAL_DB,
    "multi-executor": MULTI_EXECUTOR,
    "dev-literals": DEV_LITERALS,
    "airflow2-fallbacks": AIRFLOW2_FALLBACKS,
}


def resolve_file(path: str) -> Resolved:
    return pipeline.resolved(path)


def resolve_text(write: Any, text: str) -> Resolved:
    return resolve_file(write(text))


def values_of(resolved: Resolved) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(helm_values.render(resolved))
    return data


@cache
def _chart_schema(major: int) -> dict[str, Any]:
    path = shared("upstream", "helm-chart", "values.schema.json") if major >= 3 else AIRFLOW2_SCHEMA
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def strict_schema(major: int) -> dict[str, Any]:
    """The chart's schema with unknown top-level keys made errors (its root allows any)."""
    schema = copy.deepcopy(_chart_schema(major))
    schema["additionalProperties"] = False
    return schema


def schema_errors(values: dict[str, Any], major: int) -> list[str]:
    schema = strict_schema(major)
    validator = jsonschema.validators.validator_for(schema)(schema)
    return sorted(
        f"{'.'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
        for e in validator.iter_errors(values)
    )


def assert_valid(values: dict[str, Any], major: int) -> None:
    errors = schema_errors(values, major)
    assert not errors, "values rejected by the chart schema:\n" + "\n".join(errors)


def _all_cases(write: Any) -> list[Resolved]:
    cases = [resolve_file(str(ROOT / "examples" / e / "airflow-spec.yaml")) for e in HELM_EXAMPLES]
    return cases + [resolve_text(write, text) for text in VARIANTS.values()]


def test_helm_examples_exist() -> None:
    assert {"kubernetes-helm", "airflow2-celery-helm"} <= set(HELM_EXAMPLES)


@pytest.mark.parametrize("example", HELM_EXAMPLES)
def test_example_validates_against_its_chart_schema(example: str) -> None:
    resolved = resolve_file(str(ROOT / "examples" / example / "airflow-spec.yaml"))
    assert_valid(values_of(resolved), resolved.catalog.major)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_validates_against_its_chart_schema(variant: str, write: Any) -> None:
    resolved = resolve_text(write, VARIANTS[variant])
    assert_valid(values_of(resolved), resolved.catalog.major)


def test_airflow2_values_fail_the_airflow3_schema() -> None:
    """The two schemas really differ: Airflow 2 values need the older chart."""
    resolved = resolve_file(str(ROOT / "examples" / "airflow2-celery-helm" / "airflow-spec.yaml"))
    errors = schema_errors(values_of(resolved), 3)
    assert any("webserver" in e for e in errors), errors


def test_airflow2_fixture_is_the_recorded_file() -> None:
    import hashlib

    digest = hashlib.sha256(AIRFLOW2_SCHEMA.read_bytes()).hexdigest()
    assert digest == "060fc8ab9abf2ce192cc2bcc8965df10e88933c10206e78282384f28907b75ad"
    assert digest in (AIRFLOW2_SCHEMA.parent / "README.md").read_text(encoding="utf-8")
    schema = _chart_schema(2)
    jsonschema.Draft7Validator.check_schema(schema)
    assert {"webserver", "webserverSecretKeySecretName", "apiServer"} <= set(schema["properties"])


@pytest.mark.parametrize("major", [3, 2])
@pytest.mark.parametrize(
    "misplaced",
    [{"kubernetesExecutor": {"namespace": "x"}}, {"gitSync": {"enabled": True}}, {"podTemplates": "x"}],
)
def test_strict_schema_rejects_misplaced_top_level_keys(major: int, misplaced: dict[str, Any]) -> None:
    example = "kubernetes-helm" if major == 3 else "airflow2-celery-helm"
    values = values_of(resolve_file(str(ROOT / "examples" / example / "airflow-spec.yaml")))
    assert_valid(values, major)
    errors = schema_errors({**values, **misplaced}, major)
    assert any(next(iter(misplaced)) in e for e in errors), errors


def test_config_is_exactly_the_airflow_cfg_options(write: Any) -> None:
    for resolved in _all_cases(write):
        assert values_of(resolved)["config"] == resolved.sections(), resolved.spec_file


def test_config_values_are_written_as_airflow_cfg_and_tpl_read_them(write: Any) -> None:
    """The chart copies `config` into airflow.cfg through `tpl`: `%` is doubled like airflow.cfg does, `{{` is
    made literal."""
    resolved = resolve_text(
        write,
        "name: esc\nairflow: {version: '3.3'}\ntargets: [helm]\n"
        "config:\n  logging:\n    log_format: '{{ ts }} 100% %(message)s'\n",
    )
    written = values_of(resolved)["config"]["logging"]["log_format"]
    assert written == '{{ "{{" }} ts }} 100%% %%(message)s'
    rendered_by_tpl = written.replace('{{ "{{" }}', "{{")
    assert rendered_by_tpl == escape(resolved.sections()["logging"]["log_format"])


def test_values_read_the_same_as_yaml_1_1_and_1_2(write: Any) -> None:
    resolved = resolve_text(
        write,
        "name: amb\nairflow: {version: '3.3'}\ntargets: [helm]\n"
        "config:\n  api:\n    instance_name: 'on'\n  core:\n    default_timezone: '3.10'\n",
    )
    for case in [*_all_cases(write), resolved]:
        text = helm_values.render(case)
        yaml11 = YAML(typ="safe")
        yaml11.version = (1, 1)
        assert yaml11.load(text) == YAML(typ="safe").load(text), case.spec_file
    assert values_of(resolved)["config"]["api"]["instance_name"] == "on"


def test_render_is_deterministic_and_has_a_header(write: Any) -> None:
    for resolved in _all_cases(write):
        text = helm_values.render(resolved)
        assert text == helm_values.render(resolved)
        assert text.startswith(f"# Generated by airspec from {resolved.spec_file}")
        assert text.endswith("\n")


def test_airflow3_kubernetes_example() -> None:
    resolved = resolve_file(str(ROOT / "examples" / "kubernetes-helm" / "airflow-spec.yaml"))
    values = values_of(resolved)
    assert values["executor"] == "KubernetesExecutor"
    assert values["airflowVersion"] == values["defaultAirflowTag"] == resolved.airflow_version
    # The example lists providers, so it names the image compile builds with them (image/Dockerfile).
    assert values["defaultAirflowRepository"] == "registry.example.com/analytics/airflow"
    assert values["apiServer"]["replicas"] == 2
    assert values["apiServer"]["resources"]["limits"] == {"cpu": "1000m", "memory": "2Gi"}
    assert "webserver" not in values and "workers" not in values and "flower" not in values
    assert values["dagProcessor"]["enabled"] is True
    # Secret keys the chart reads itself: only the names are needed.
    assert values["fernetKeySecretName"] == "airflow-fernet-key"
    assert values["apiSecretKeySecretName"] == "airflow-api-secret-key"
    assert values["jwtSecretName"] == "airflow-jwt-secret"
    assert "enableBuiltInSecretEnvVars" not in values and "secret" not in values
    assert values["postgresql"] == {"enabled": True}
    assert values["redis"] == {"enabled": False}
    sync = values["dags"]["gitSync"]
    assert sync["period"] == "60s" and "wait" not in sync
    assert (sync["branch"], sync["rev"], sync["ref"]) == ("main", "HEAD", "main")
    assert sync["sshKeySecret"] == "airflow-git-ssh" and sync["knownHosts"].startswith("github.com ")
    assert values["dags"]["persistence"] == {
        "enabled": True,
        "size": "5Gi",
        "storageClassName": "standard",
        "accessMode": "ReadWriteMany",
    }


def test_dags_folder_is_where_the_chart_puts_the_checkout() -> None:
    resolved = resolve_file(str(ROOT / "examples" / "kubernetes-helm" / "airflow-spec.yaml"))
    values = values_of(resolved)
    dags = values["dags"]
    expected = f"{dags['mountPath']}/repo/{dags['gitSync']['subPath']}"
    assert values["config"]["core"]["dags_folder"] == expected


def test_statsd_carries_exactly_the_compiled_mappings() -> None:
    """overrideMappings replaces the chart's defaults with the monitoring artifact's mappings, one source."""
    from airspec.render.statsd import statsd_mappings_data

    resolved = resolve_file("examples/kubernetes-helm/airflow-spec.yaml")
    values = values_of(resolved)
    assert values["statsd"]["overrideMappings"] == statsd_mappings_data(resolved)
    assert "extraMappings" not in values["statsd"]


def test_statsd_host_names_the_chart_service() -> None:
    """The chart's StatsD Service is `<fullname>-statsd`; fullnameOverride pins fullname to the release."""
    resolved = resolve_file(str(ROOT / "examples" / "kubernetes-helm" / "airflow-spec.yaml"))
    values = values_of(resolved)
    assert "airflow" not in resolved.release  # so without the override fullname would be <release>-airflow
    assert values["fullnameOverride"] == resolved.release
    host = values["config"]["metrics"]["statsd_host"]
    assert host == f"{values['fullnameOverride']}-statsd.{resolved.namespace}.svc.cluster.local"
    assert values["statsd"]["enabled"] is True
    assert values["ports"] == {"statsdIngest": int(values["config"]["metrics"]["statsd_port"])}


def test_airflow2_example() -> None:
    resolved = resolve_file(str(ROOT / "examples" / "airflow2-celery-helm" / "airflow-spec.yaml"))
    values = values_of(resolved)
    assert values["webserver"]["replicas"] == 2
    assert values["webserver"]["resources"]["limits"] == {"cpu": "1", "memory": "2Gi"}
    assert "apiServer" not in values and "jwtSecretName" not in values
    # Its default chart is 1.19.0, the newest published release with `webserver:`: replicas under workers.celery
    # (workers.replicas is deprecated there), resources still under workers (1.19 has no workers.celery.resources).
    assert resolved.chart_version == "1.19.0"
    assert values["workers"] == {
        "celery": {"replicas": 4},
        "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}},
    }
    assert values["dagProcessor"] == {"enabled": False}
    assert values["config"]["scheduler"]["standalone_dag_processor"] == "False"
    assert values["webserverSecretKeySecretName"] == "airflow-webserver-secret"
    # The broker Secret holds its URL under `connection`, the only key these releases read: the chart takes it
    # by name, which its render-time check needs with redis disabled.
    assert values["data"] == {
        "metadataSecretName": "airflow-metadata",
        "brokerUrlSecretName": "airflow-broker",
    }
    assert values["postgresql"] == {"enabled": False} and values["redis"] == {"enabled": False}
    assert "enableBuiltInSecretEnvVars" not in values and "secret" not in values
    assert values["dags"]["gitSync"]["period"] == "120s"


def test_airflow3_custom_secret_keys_use_the_chart_key_values(write: Any) -> None:
    values = values_of(resolve_text(write, MULTI_EXECUTOR))
    assert values["executor"] == "CeleryExecutor,KubernetesExecutor"
    assert values["config"]["core"]["executor"] == values["executor"]
    assert values["data"] == {
        "metadataSecretName": "airflow-db",
        "brokerUrlSecretName": "airflow-broker",
        "brokerUrlSecretKey": "url",
        "resultBackendSecretName": "airflow-results",
    }
    assert "enableBuiltInSecretEnvVars" not in values
    assert values["workers"] == {"celery": {"replicas": 1}}
    assert values["dags"] == {
        "mountPath": "/opt/airflow/bundles",
        "persistence": {"enabled": True, "size": "2Gi", "accessMode": "ReadWriteOnce"},
    }
    assert values["config"]["core"]["dags_folder"] == "/opt/airflow/bundles"
    assert values["config"]["kubernetes_executor"]["namespace"] == "data"


def test_external_db_with_custom_key_and_logs_volume(write: Any) -> None:
    values = values_of(resolve_text(write, EXTERNAL_DB))
    assert values["data"] == {"metadataSecretName": "airflow-db", "metadataSecretKey": "uri"}
    assert values["postgresql"] == {"enabled": False}
    assert values["statsd"] == {"enabled": False} and "ports" not in values
    assert values["logs"] == {
        "persistence": {
            "enabled": True,
            "size": "20Gi",
            "storageClassName": "fast",
            "existingClaim": "airflow-logs",
        }
    }


def test_celery_bundled_redis(write: Any) -> None:
    values = values_of(resolve_text(write, CELERY_BUNDLED))
    assert values["redis"] == {"enabled": True}
    assert "brokerUrlSecretName" not in values.get("data", {})
    assert values["workers"]["celery"] == {
        "replicas": 3,
        "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}},
    }
    assert values["flower"] == {"enabled": True, "resources": {"limits": {"memory": "256Mi"}}}
    assert values["fernetKeySecretName"] == "af-fernet"


def test_development_literals_go_to_the_chart_value_keys(write: Any) -> None:
    values = values_of(resolve_text(write, DEV_LITERALS))
    assert values["fernetKey"] == "ZmVybmV0LWtleS1mb3ItZGV2ZWxvcG1lbnQtb25seS0xMjM="
    assert values["apiSecretKey"] == "dev-api-secret"
    assert values["jwtSecret"] == "dev-jwt-secret"
    assert values["postgresql"] == {"enabled": True, "auth": {"postgresPassword": "devpass"}}
    assert values["data"] == {"metadataConnection": {"pass": "devpass"}}
    sync = values["dags"]["gitSync"]
    assert (sync["rev"], sync["ref"], sync["credentialsSecret"]) == ("0123abcd", "0123abcd", "git-creds")
    assert "sshKeySecret" not in sync


def test_airflow2_fallbacks_for_keys_files_and_env(write: Any) -> None:
    values = values_of(resolve_text(write, AIRFLOW2_FALLBACKS))
    assert values["enableBuiltInSecretEnvVars"] == {
        "AIRFLOW__CORE__FERNET_KEY": False,
        "AIRFLOW__WEBSERVER__SECRET_KEY": False,
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN": False,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": False,
        "AIRFLOW_CONN_AIRFLOW_DB": False,
        "AIRFLOW__CELERY__CELERY_RESULT_BACKEND": False,
        "AIRFLOW__CELERY__RESULT_BACKEND": False,
    }
    assert values["secret"] == [
        {"envName": "AIRFLOW__WEBSERVER__SECRET_KEY", "secretName": "web", "secretKey": "flask"},
        {"envName": "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "secretName": "airflow-db", "secretKey": "uri"},
        {"envName": "AIRFLOW_CONN_AIRFLOW_DB", "secretName": "airflow-db", "secretKey": "uri"},
    ]
    assert values["env"] == [
        {"name": "AIRFLOW__CORE__FERNET_KEY_CMD", "value": "printenv FERNET_KEY"},
        {"name": "AIRFLOW__CELERY__RESULT_BACKEND_CMD", "value": "cat /run/secrets/result-backend"},
    ]
    assert values["dagProcessor"] == {"enabled": True, "replicas": 2}
    assert values["triggerer"] == {"enabled": False}
    assert values["redis"] == {"enabled": True}
    assert "FERNET_KEY must be set" in helm_values.render(resolve_text(write, AIRFLOW2_FALLBACKS))


def test_dag_access_mode_the_chart_lacks_is_an_error(write: Any) -> None:
    text = MULTI_EXECUTOR.replace("access_mode: ReadWriteOnce", "access_mode: ReadWriteOncePod")
    with pytest.raises(SpecInvalid) as info:
        helm_values.render(resolve_text(write, text))
    assert "dags.persistence.access_mode" in str(info.value.diagnostics[0])


def test_pod_template_is_the_pod_template_without_its_header() -> None:
    from airspec.render import pod_template

    resolved = resolve_file(str(ROOT / "examples" / "kubernetes-helm" / "airflow-spec.yaml"))
    text = pod_template.render(resolved)
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))
    assert text.startswith("#") and body.startswith("apiVersion: v1")
    assert values_of(resolved)["podTemplate"] == helm_values.tpl_literal(body)


def test_pod_template_body_drops_only_leading_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "# one\n# two\napiVersion: v1\n# kept: not leading\nkind: Pod\n"
    monkeypatch.setattr(helm_values.pod_template, "render", lambda resolved: text)
    resolved = resolve_file(str(ROOT / "examples" / "kubernetes-helm" / "airflow-spec.yaml"))
    assert helm_values.pod_template_body(resolved) == "apiVersion: v1\n# kept: not leading\nkind: Pod\n"


def test_no_pod_template_without_the_kubernetes_executor(write: Any) -> None:
    assert "podTemplate" not in values_of(resolve_text(write, CELERY_BUNDLED))


def test_tpl_literal() -> None:
    assert helm_values.tpl_literal("plain") == "plain"
    assert helm_values.tpl_literal("a{{b}}c") == 'a{{ "{{" }}b}}c'
    assert helm_values.tpl_literal("{{{{") == '{{ "{{" }}{{ "{{" }}'


def test_compile_writes_helm_values_only_for_the_helm_target(write: Any) -> None:
    helm = build(resolve_file(str(ROOT / "examples" / "kubernetes-helm" / "airflow-spec.yaml")))
    assert [(a.kind, a.path) for a in helm if a.kind == "helm-values"] == [
        ("helm-values", "helm/values.yaml")
    ]
    compose = build(resolve_file(str(ROOT / "examples" / "celery-compose" / "airflow-spec.yaml")))
    assert not [a for a in compose if a.kind == "helm-values"]


def test_literal_database_url_goes_to_env_with_dollars_kept(write: Any) -> None:
    resolved = resolve_text(
        write,
        "name: dev-db\ndevelopment_only: true\nairflow: {version: '3.3'}\ntargets: [helm]\n"
        "database:\n  kind: external\n  url: 'postgresql://u:pa$(x)@db:5432/airflow'\n",
    )
    values = values_of(resolved)
    assert_valid(values, 3)
    assert values["enableBuiltInSecretEnvVars"] == {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": False,
        "AIRFLOW_CONN_AIRFLOW_DB": False,
    }
    url = "postgresql://u:pa$$(x)@db:5432/airflow"
    assert values["env"] == [
        {"name": "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "value": url},
        {"name": "AIRFLOW_CONN_AIRFLOW_DB", "value": url},
    ]
