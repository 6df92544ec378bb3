"""Helm values per chart release: each spec compiled for 1.16.0, 1.19.0 and its default release passes that release's
schema with a strict root (airspec's catalog copy and, independently, the chart's own file in ../shared), and the
chart's render-time checks; what a release cannot carry is refused by validate at the spec key; `helm.values` is
merged last and checked."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from airspec import pipeline
from airspec.catalog import charts
from airspec.errors import SpecInvalid
from airspec.render import helm_values
from airspec.resolve import Resolved
from tests.conftest import ROOT
from tests.validators import shared

CELERY_REDIS = """\
name: celery-redis
airflow: {version: "3.3"}
executor: CeleryExecutor
celery:
  workers: {replicas: 3, resources: {requests: {cpu: 500m}}}
  flower: {enabled: true}
secrets:
  fernet_key: {secret: {name: af-fernet, key: fernet-key}}
  api_secret_key: {secret: {name: af-api, key: api-secret-key}}
  jwt_secret: {secret: {name: af-jwt, key: jwt-secret}}
"""

# An external broker whose Secret holds the URL under a key of its own: only 1.22.0 has data.brokerUrlSecretKey.
CELERY_CUSTOM_KEY = """\
name: celery-custom-key
airflow: {version: "3.3"}
executor: CeleryExecutor
database:
  kind: external
  url: {secret: {name: airflow-db, key: uri}}
celery:
  broker:
    kind: external
    url: {secret: {name: airflow-broker, key: url}}
  result_backend:
    url: {secret: {name: airflow-results, key: uri}}
"""

# The same with the broker under `connection`: the metadata and result backend keys fall back to the chart's
# generic `secret:` list where the release has no data.*SecretKey.
CELERY_KEY_FALLBACKS = CELERY_CUSTOM_KEY.replace("key: url}", "key: connection}").replace(
    "celery-custom-key", "celery-fallbacks"
)

KUBERNETES = """\
name: k8s
airflow: {version: "3.3"}
executor: KubernetesExecutor
kubernetes_executor:
  worker: {resources: {requests: {cpu: 250m}}}
secrets:
  api_secret_key: {secret: {name: af-api, key: flask}}
  jwt_secret: {secret: {name: af-jwt, key: jwt-secret}}
"""

CELERY_KUBERNETES_2 = """\
name: ck2
airflow: {version: "2.11"}
executor: CeleryKubernetesExecutor
celery:
  workers: {replicas: 2, resources: {limits: {memory: 2Gi}}}
secrets:
  api_secret_key: {secret: {name: web, key: webserver-secret-key}}
"""

SPECS = {
    "celery-redis": CELERY_REDIS,
    "celery-custom-key": CELERY_CUSTOM_KEY,
    "celery-fallbacks": CELERY_KEY_FALLBACKS,
    "kubernetes": KUBERNETES,
    "celery-kubernetes-2": CELERY_KUBERNETES_2,
}
EXAMPLES = ["kubernetes-helm", "airflow2-celery-helm"]
CHARTS = ["1.16.0", "1.19.0", None]  # None: the spec's default release


def with_chart(text: str, chart: str | None) -> str:
    return text if chart is None else text + f'helm: {{chart_version: "{chart}"}}\n'


def example_text(name: str) -> str:
    return (ROOT / "examples" / name / "airflow-spec.yaml").read_text(encoding="utf-8")


def values_of(resolved: Resolved) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(helm_values.render(resolved))
    return data


def compile_text(text: str) -> Resolved:
    return pipeline.from_text(text)


def refusals(text: str) -> list[str]:
    with pytest.raises(SpecInvalid) as info:
        pipeline.from_text(text)
    return [str(d) for d in info.value.diagnostics]


@cache
def upstream_schema(release: str) -> dict[str, Any]:
    """The chart's own values.schema.json for the release (1.22.0: the main-after-1.22.0 file), strict root."""
    if release == "1.22.0":
        path = shared("upstream", "helm-chart", "values.schema.json")
    else:
        path = shared("upstream", "helm-chart", "versions", release, "values.schema.json")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    schema = copy.deepcopy(schema)
    schema["additionalProperties"] = False
    return schema


def upstream_errors(release: str, values: dict[str, Any]) -> list[str]:
    schema = upstream_schema(release)
    validator = jsonschema.validators.validator_for(schema)(schema)
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(values))


CASES = [(f"example:{e}", example_text(e)) for e in EXAMPLES] + list(SPECS.items())


def _refused_on(name: str, chart: str | None) -> bool:
    return name == "celery-custom-key" and chart is not None and chart != "1.22.0"


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c or "default")
@pytest.mark.parametrize(("name", "text"), CASES, ids=[n for n, _ in CASES])
def test_values_pass_the_release_schema_and_render_checks(name: str, text: str, chart: str | None) -> None:
    if _refused_on(name, chart):
        found = refusals(with_chart(text, chart))
        assert any(
            "celery.broker.url.secret.key" in d and "use chart 1.22.0 (data.brokerUrlSecretKey)" in d
            for d in found
        ), found
        return
    resolved = compile_text(with_chart(text, chart))
    release = chart or charts.default_for(resolved.airflow_version)
    assert resolved.chart_version == release
    values = values_of(resolved)
    assert charts.validate_values(release, values) == []
    assert upstream_errors(release, values) == []
    assert charts.render_refusals(release, values) == []
    facts = charts.release(release)
    workers = values.get("workers", {})
    if resolved.uses_celery and facts.has_workers_celery:  # the deprecated place is not written
        assert "replicas" not in workers and workers["celery"]["replicas"] == resolved.celery.workers.replicas
    elif resolved.uses_celery:
        assert "celery" not in workers and workers["replicas"] == resolved.celery.workers.replicas
    assert set(values.get("enableBuiltInSecretEnvVars", {})) <= set(facts.builtin_secret_env_vars)
    assert not set(values.get("data", {})) - set(facts.data_keys)
    assert values["config"]["core"]["executor"] == values["executor"]
    assert f"--version {release} " in helm_values.render(resolved)


def test_default_release_per_airflow_version() -> None:
    assert charts.default_for("3.3.2") == charts.default_release() == "1.22.0"
    assert charts.default_for("3.1.8") == "1.22.0"
    # 1.22.0 (as on main after it) dropped webserver and needs Airflow 3.1; 1.20.0-dev was never published.
    assert charts.default_for("3.0.6") == "1.19.0"
    assert charts.default_for("2.11.2") == "1.19.0"
    assert charts.default_for("2.10.5") == "1.19.0"
    assert compile_text(CELERY_KUBERNETES_2).chart_version == "1.19.0"


def test_celery_worker_places_per_release() -> None:
    on = {
        c: values_of(compile_text(with_chart(CELERY_REDIS, c)))["workers"]
        for c in ("1.16.0", "1.19.0", "1.22.0")
    }
    assert on["1.16.0"] == {"replicas": 3, "resources": {"requests": {"cpu": "500m"}}}
    # 1.19 has workers.celery.replicas but no workers.celery.resources.
    assert on["1.19.0"] == {"celery": {"replicas": 3}, "resources": {"requests": {"cpu": "500m"}}}
    assert on["1.22.0"] == {"celery": {"replicas": 3, "resources": {"requests": {"cpu": "500m"}}}}


def test_secrets_a_release_cannot_name_go_through_its_generic_secret_list() -> None:
    # 1.16.0 has neither apiSecretKeySecretName nor jwtSecretName, nor their built-in variables.
    values = values_of(compile_text(with_chart(CELERY_REDIS, "1.16.0")))
    assert "apiSecretKeySecretName" not in values and "jwtSecretName" not in values
    assert values["secret"] == [
        {"envName": "AIRFLOW__API__SECRET_KEY", "secretName": "af-api", "secretKey": "api-secret-key"},
        {"envName": "AIRFLOW__API_AUTH__JWT_SECRET", "secretName": "af-jwt", "secretKey": "jwt-secret"},
    ]
    assert "enableBuiltInSecretEnvVars" not in values
    on_122 = values_of(compile_text(with_chart(CELERY_REDIS, "1.22.0")))
    assert (on_122["apiSecretKeySecretName"], on_122["jwtSecretName"]) == ("af-api", "af-jwt")
    assert "secret" not in on_122


def test_custom_keys_on_releases_without_data_secret_keys() -> None:
    values = values_of(compile_text(with_chart(CELERY_KEY_FALLBACKS, "1.19.0")))
    assert values["data"] == {"brokerUrlSecretName": "airflow-broker"}
    assert values["enableBuiltInSecretEnvVars"] == {
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN": False,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": False,
        "AIRFLOW_CONN_AIRFLOW_DB": False,
        "AIRFLOW__CELERY__CELERY_RESULT_BACKEND": False,
        "AIRFLOW__CELERY__RESULT_BACKEND": False,
    }
    assert {e["envName"] for e in values["secret"]} == {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW_CONN_AIRFLOW_DB",
        "AIRFLOW__CELERY__RESULT_BACKEND",
    }
    on_122 = values_of(compile_text(CELERY_CUSTOM_KEY))
    assert on_122["data"] == {
        "metadataSecretName": "airflow-db",
        "metadataSecretKey": "uri",
        "brokerUrlSecretName": "airflow-broker",
        "brokerUrlSecretKey": "url",
        "resultBackendSecretName": "airflow-results",
        "resultBackendSecretKey": "uri",
    }


def test_header_names_the_release_and_pins_it() -> None:
    text = helm_values.render(compile_text(with_chart(CELERY_REDIS, "1.19.0")))
    assert "# Values for the official Apache Airflow Helm chart 1.19.0.\n" in text
    assert (
        "helm upgrade --install celery-redis apache-airflow/airflow --version 1.19.0 --namespace airflow"
        in text
    )
    dev = helm_values.render(compile_text(with_chart(CELERY_REDIS, "1.20.0-dev")))
    assert "--version" not in dev and charts.release("1.20.0-dev").commit in dev
    assert "as on main after 1.22.0" in helm_values.render(compile_text(CELERY_REDIS))


# ---------------------------------------------------------------------------------------------- refused by validate


def test_unknown_chart_version_names_the_known_ones() -> None:
    (found,) = refusals(with_chart(CELERY_REDIS, "1.21.0"))
    assert found.startswith("airflow-spec.yaml:11:23: error: helm.chart_version: chart 1.21.0 is not in")
    assert "known releases: " + ", ".join(charts.releases()) in found


@pytest.mark.parametrize(
    ("version", "chart", "why"),
    [
        ("2.11", "1.22.0", "chart 1.22.0 dropped the webserver section that Airflow 2 needs"),
        ("3.0", "1.22.0", "chart 1.22.0 refuses airflowVersion below 3.1.0"),
        ("2.10", "1.20.0-dev", "chart 1.20.0-dev refuses airflowVersion below 2.11.0"),
    ],
)
def test_release_that_does_not_deploy_the_airflow_version(version: str, chart: str, why: str) -> None:
    text = f'name: x\nairflow: {{version: "{version}"}}\nhelm: {{chart_version: "{chart}"}}\n'
    (found,) = refusals(text)
    assert f"helm.chart_version: {why}" in found and "; chart 1.19.0 does" in found


def test_broker_the_chart_cannot_name_is_refused() -> None:
    text = CELERY_CUSTOM_KEY.replace("{secret: {name: airflow-broker, key: url}}", "{env: BROKER_URL}")
    (found,) = refusals(text)
    assert "celery.broker.url: chart 1.22.0 needs the broker URL in a Kubernetes Secret" in found
    # Airflow 2 on its newest release: no release that deploys it has data.brokerUrlSecretKey, so none is offered.
    legacy = example_text("airflow2-celery-helm").replace("key: connection}", "key: url}")
    (found,) = refusals(legacy)
    assert (
        "celery.broker.url.secret.key: chart 1.19.0 reads the broker URL only from the key `connection`"
        in found
    )
    assert "use chart" not in found


def test_bundled_database_password_reference_is_refused_not_commented() -> None:
    text = 'name: x\nairflow: {version: "3.3"}\ndatabase:\n  password: {secret: {name: pg, key: password}}\n'
    (found,) = refusals(text)
    assert found.startswith(
        "airflow-spec.yaml:4:13: error: database.password: chart 1.22.0 builds the bundled"
    )
    # compose alone still takes it (from .env)
    compose = text.replace("airflow: {", "targets: [compose]\nairflow: {").replace(
        "{secret: {name: pg, key: password}}", "{env: PG_PASSWORD}"
    )
    with pytest.raises(SpecInvalid) as info:
        pipeline.from_text(compose)
    assert not any("database.password" in str(d) for d in info.value.diagnostics)


def test_helm_section_without_the_helm_target() -> None:
    text = 'name: x\ndevelopment_only: true\ntargets: [compose]\nairflow: {version: "3.3"}\nhelm: {chart_version: "1.19.0"}\n'
    (found,) = refusals(text)
    assert "helm: set, but the spec does not target helm" in found


def test_config_executor_is_set_with_executor_only() -> None:
    found = refusals(CELERY_REDIS + "config:\n  core: {executor: LocalExecutor}\n")
    assert any("config.core.executor" in d and "already set by executor" in d for d in found), found
    found = refusals(CELERY_REDIS + "helm:\n  values:\n    config: {core: {executor: LocalExecutor}}\n")
    assert any("helm.values.config: set Airflow options in the spec's config:" in d for d in found), found


# ---------------------------------------------------------------------------------------------- helm.values


def test_helm_values_are_merged_last() -> None:
    text = (
        CELERY_REDIS
        + (
            "helm:\n  values:\n"
            "    scheduler: {replicas: 1, podAnnotations: {team: data}}\n"  # replicas: the same value airspec writes
            "    workers: {celery: {queue: heavy}}\n"
            "    labels: {env: prod}\n"
        )
    )
    values = values_of(compile_text(text))
    assert values["scheduler"] == {"replicas": 1, "podAnnotations": {"team": "data"}}
    assert values["workers"]["celery"] == {
        "replicas": 3,
        "resources": {"requests": {"cpu": "500m"}},
        "queue": "heavy",
    }
    assert list(values)[-1] == "labels" and values["labels"] == {"env": "prod"}


def test_helm_values_cannot_override_what_airspec_sets() -> None:
    text = (
        CELERY_REDIS + "helm:\n  values:\n    executor: LocalExecutor\n    workers: {celery: {replicas: 9}}\n"
    )
    found = refusals(text)
    assert found == [
        "airflow-spec.yaml:13:5: error: helm.values.executor: airspec already sets executor to another value "
        "(from the spec); change the spec instead",
        "airflow-spec.yaml:14:24: error: helm.values.workers.celery.replicas: airspec already sets "
        "workers.celery.replicas to another value (from the spec); change the spec instead",
    ]


def test_helm_values_must_pass_the_release_schema_at_the_helm_values_key() -> None:
    text = with_chart(CELERY_REDIS, "1.16.0").replace(
        'helm: {chart_version: "1.16.0"}\n',
        'helm:\n  chart_version: "1.16.0"\n  values:\n    workers: {celery: {queue: q}}\n    uid: s3cr3t-value\n'
        "    typo: 1\n",
    )
    found = refusals(text)
    assert all(
        d.startswith("airflow-spec.yaml:13:3: error: helm.values (merged with what airspec sets): ")
        for d in found
    )
    joined = "\n".join(found)
    assert "'typo' is not a key of the top level in chart 1.16.0" in joined
    assert "chart 1.16.0 wants uid to be an integer" in joined
    assert "'celery' is not a key of workers in chart 1.16.0" in joined
    assert "s3cr3t" not in joined  # a value given there may be a secret: never quoted


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "data: {brokerUrl: 'redis://x'}",
            "needs exactly one of data.brokerUrlSecretName and data.brokerUrl",
        ),
        (
            "elasticsearch: {enabled: true, secretName: es}\n    opensearch: {enabled: true, secretName: os}",
            "both true",
        ),
        ("elasticsearch: {enabled: true}", "elasticsearch.enabled needs exactly one of"),
        ("postgresql: {postgresqlUsername: u}", "an old Bitnami key the chart refuses"),
    ],
)
def test_chart_render_time_refusals_of_merged_values(extra: str, message: str) -> None:
    base = CELERY_KEY_FALLBACKS.replace("celery-fallbacks", "x")
    found = refusals(base + "helm:\n  values:\n    " + extra + "\n")
    assert any(
        "helm.values: the merged values fail chart 1.22.0's templates" in d and message in d for d in found
    ), found


def test_render_refusals_on_values() -> None:
    ok = values_of(compile_text(CELERY_REDIS))
    assert charts.render_refusals("1.22.0", ok) == []
    assert charts.render_refusals(
        "1.22.0", {**ok, "redis": {"enabled": True, "passwordSecretName": "r"}}
    ) == [(("redis",), "redis.passwordSecretName needs data.brokerUrlSecretName")]
    both = {
        **ok,
        "redis": {"enabled": True, "passwordSecretName": "r", "password": "p"},
        "data": {"brokerUrlSecretName": "b"},
    }
    assert charts.render_refusals("1.22.0", both) == [
        (("redis",), "redis.passwordSecretName and redis.password are both set")
    ]
    mismatch = {**ok, "config": {"core": {"executor": "LocalExecutor"}}}
    assert charts.render_refusals("1.22.0", mismatch) == [
        (("config", "core", "executor"), "differs from `executor`; set the executor with `executor` only")
    ]
    assert charts.render_refusals("1.20.0-dev", {**ok, "airflowVersion": "2.10.5"})[0][0] == (
        "airflowVersion",
    )
    no_broker = {**ok, "redis": {"enabled": False}}
    assert charts.render_refusals("1.19.0", no_broker)[0][0] == ("data",)


def test_readme_lists_every_release() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("- Helm values are written for one release of the official chart")
    paragraph = text[start : text.index("\n- ", start + 1)]
    assert all(release in paragraph for release in charts.releases())
