"""docker-compose.yaml and .env.example, read by the real consumers: the Compose Specification's JSON Schema
(check-jsonschema, one call for every file) and `docker-compose config` (per file), whose interpolated output must
carry every airflow.cfg option with the identical value."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from airspec import pipeline
from airspec.artifacts import build
from airspec.errors import SpecInvalid
from airspec.render import grafana_provisioning
from airspec.render.compose import GRAFANA_IMAGE, PROMETHEUS_IMAGE, STATSD_EXPORTER_IMAGE
from airspec.resolve import Resolved
from tests.conftest import EXAMPLES, ROOT
from tests.validators import run_tool, tool

# A value with everything compose, YAML or Airflow could reinterpret: interpolation, comments, quoting, `%`.
TRICKY_VALUE = "ops+100%$HOME ${X}: #not-a-comment 'single' \"double\" $$"
TRICKY_PASSWORD = "p@ss:w/rd$1 #%"

VARIANTS = {
    "local-3.3": """\
name: local33
airflow:
  version: "3.3"
executor: LocalExecutor
targets: [compose]
database:
  password: {env: PG_PASSWORD}
secrets:
  fernet_key: {env: FERNET_KEY}
  api_secret_key: {file: /run/secrets/api_key}
  jwt_secret: {file: /run/secrets/jwt}
triggerer:
  enabled: false
dags:
  local_path: ../my dags
  folder: /opt/airflow/dags
metrics:
  statsd:
    enabled: false
""",
    "celery-2.11": """\
name: legacy-compose
development_only: true
airflow:
  version: "2.11"
executor: CeleryExecutor
targets: [compose]
database:
  postgres_version: "15"
celery:
  workers:
    replicas: 2
    concurrency: 4
  flower:
    enabled: false
dag_processor:
  enabled: false
secrets:
  fernet_key: "literal-fernet-$key"
  api_secret_key: {env: WEB_SECRET}
api_server:
  port: 8081
metrics:
  statsd:
    enabled: true
    exporter: {enabled: false}
    host: statsd.example.com
""",
    "celery-2.11-processor": """\
name: legacy-processor
development_only: true
airflow:
  version: "2.11"
executor: CeleryExecutor
targets: [compose]
celery:
  flower: {enabled: true, port: 5556}
dag_processor:
  enabled: true
config:
  scheduler:
    enable_health_check: false
""",
    "tricky": f"""\
name: tricky
development_only: true
airflow:
  version: "3.3"
targets: [compose]
database:
  password: {json.dumps(TRICKY_PASSWORD)}
secrets:
  jwt_secret: {json.dumps(TRICKY_VALUE)}
config:
  smtp:
    smtp_mail_from: {json.dumps(TRICKY_VALUE)}
""",
    "external-db": """\
name: external
airflow:
  version: "3.0"
executor: [CeleryExecutor, LocalExecutor]
targets: [compose]
database:
  kind: external
  url: {env: DATABASE_URL}
celery:
  broker:
    kind: external
    url: {env: BROKER_URL}
secrets:
  jwt_secret: {env: JWT}
  api_secret_key: {env: API_SECRET_KEY}
""",
    "overrides-logs": """\
name: overrides
development_only: true
airflow:
  version: "3.3"
  image: {repository: local/airflow, tag: dev}
  providers: [postgres]
executor: CeleryExecutor
targets: [compose]
celery:
  flower: {enabled: true}
logging:
  persistence: {}
config:
  logging:
    base_log_folder: /var/log/airflow
compose:
  overrides:
    name: overrides
    services:
      airflow-scheduler:
        labels: {team: data}
        stop_grace_period: 2m
      postgres:
        shm_size: 256m
        restart: always
    volumes:
      postgres-db-volume: {name: airflow_postgres-db-volume}
    x-notes: kept as written
""",
    "resources": """\
name: sized
development_only: true
airflow:
  version: "3.3"
executor: CeleryExecutor
targets: [compose]
api_server:
  resources: {limits: {cpu: 500m, memory: 1Gi}}
scheduler:
  resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: "2", memory: 2G}}
celery:
  workers:
    replicas: 2
    resources: {limits: {cpu: 1.5, memory: 4Gi, gpu: 1}}
""",
    "both-targets": """\
name: both
development_only: true
airflow:
  version: "3.3"
targets: [helm, compose]
dags:
  git_sync:
    repo: https://github.com/example/dags.git
    sub_path: dags
""",
}


def resolved_file(spec: str) -> Resolved:
    return pipeline.resolved(str(ROOT / spec))


def resolved_text(text: str) -> Resolved:
    return pipeline.from_text(text, "variant.yaml")


def cases() -> dict[str, Resolved]:
    out: dict[str, Resolved] = {}
    for name in EXAMPLES:
        resolved = resolved_file(f"examples/{name}/airflow-spec.yaml")
        if "compose" in resolved.spec.targets:
            out[name] = resolved
    assert out, "no example targets compose"
    out.update({name: resolved_text(text) for name, text in VARIANTS.items()})
    return out


CASES = cases()
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")


def fill(env_example: str) -> str:
    """A .env for docker-compose: every variable gets a value that names it."""
    names = [line.split("=", 1)[0] for line in env_example.splitlines() if line and not line.startswith("#")]
    return "".join(f"{name}=value-of-{name}\n" for name in names)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Resolved, Path, str, str]]:
    """Each case compiled into its own folder: (resolved, compose file, compose text, .env.example text)."""
    root = tmp_path_factory.mktemp("compose")
    out = {}
    for name, resolved in CASES.items():
        artifacts = {a.kind: a for a in build(resolved)}
        folder = root / name
        folder.mkdir()
        compose, env = artifacts["compose"], artifacts["compose-env"]
        assert compose.path == "compose/docker-compose.yaml" and env.path == "compose/.env.example"
        (folder / "docker-compose.yaml").write_text(compose.text, encoding="utf-8")
        (folder / ".env").write_text(fill(env.text), encoding="utf-8")
        out[name] = (resolved, folder / "docker-compose.yaml", compose.text, env.text)
    return out


@pytest.fixture(scope="module")
def configs(compiled: dict[str, tuple[Resolved, Path, str, str]]) -> dict[str, dict[str, Any]]:
    """`docker-compose config` of every case: the model Compose runs, after interpolation."""
    binary = tool("docker-compose")
    out = {}
    for name, (_, path, _, _) in compiled.items():
        proc = run_tool([binary, "-f", path, "--profile", "*", "config", "--format", "json"], cwd=path.parent)
        assert proc.returncode == 0, f"{name}: docker-compose config failed:\n{proc.stderr}"
        assert "WARN" not in proc.stderr, f"{name}: {proc.stderr}"
        out[name] = container_view(json.loads(proc.stdout))
    return out


def container_view(data: Any) -> Any:
    """`config` prints the canonical model, itself valid compose input, so each `$` of a value is doubled again
    there; undoing that gives what a container is given."""
    if isinstance(data, dict):
        return {k: container_view(v) for k, v in data.items()}
    if isinstance(data, list):
        return [container_view(v) for v in data]
    return data.replace("$$", "$") if isinstance(data, str) else data


def test_every_file_matches_the_compose_specification(
    compiled: dict[str, tuple[Resolved, Path, str, str]],
) -> None:
    files = [path for _, path, _, _ in compiled.values()]
    proc = run_tool([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", *files])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", sorted(CASES))
def test_docker_compose_reads_it_quietly(
    case: str, compiled: dict[str, tuple[Resolved, Path, str, str]]
) -> None:
    _, path, text, _ = compiled[case]
    proc = run_tool([tool("docker-compose"), "-f", path, "config", "-q"], cwd=path.parent)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    assert not text.startswith("version") and "\nversion:" not in text
    assert "&id" not in text and "*id" not in text, "no YAML anchors: each service states its environment"


BACKING_IMAGES = ("postgres:", "redis:", STATSD_EXPORTER_IMAGE, PROMETHEUS_IMAGE, GRAFANA_IMAGE)


def airflow_services(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every service that runs Airflow (the stock image, or the one built from ../image), by elimination."""
    services = {n: s for n, s in config["services"].items() if not s["image"].startswith(BACKING_IMAGES)}
    assert services, "no Airflow service found"
    return services


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_airflow_cfg_option_reaches_every_airflow_service(
    case: str,
    compiled: dict[str, tuple[Resolved, Path, str, str]],
    configs: dict[str, dict[str, Any]],
) -> None:
    resolved = compiled[case][0]
    overridden = {"AIRFLOW__METRICS__STATSD_HOST"} if case == "both-targets" else set()
    for service, body in airflow_services(configs[case]).items():
        env = body["environment"]
        for section, options in resolved.sections().items():
            for option, value in options.items():
                name = f"AIRFLOW__{section.upper()}__{option.upper()}"
                if name not in overridden:
                    assert env.get(name) == value, f"{case}/{service}: {name}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_secrets_come_from_env_file_or_literal(
    case: str,
    compiled: dict[str, tuple[Resolved, Path, str, str]],
    configs: dict[str, dict[str, Any]],
) -> None:
    resolved, _, text, _ = compiled[case]
    env = configs[case]["services"]["airflow-scheduler"]["environment"]
    for secret in resolved.secrets:
        ref = secret.ref
        if ref.env is not None:
            assert env[secret.env_name] == f"value-of-{ref.env}"
            assert f"{secret.env_name}: ${{{ref.env}}}" in text
        elif ref.file is not None:
            assert secret.env_name not in env
            assert env[f"{secret.env_name}_CMD"].startswith("cat ")
        else:
            assert env[secret.env_name] == ref.literal


def test_file_references_are_one_shell_word(configs: dict[str, dict[str, Any]]) -> None:
    env = configs["local-3.3"]["services"]["airflow-apiserver"]["environment"]
    assert env["AIRFLOW__API__SECRET_KEY_CMD"] == "cat /run/secrets/api_key"
    assert env["AIRFLOW__API_AUTH__JWT_SECRET_CMD"] == "cat /run/secrets/jwt"


def test_values_with_dollars_quotes_and_hashes_survive_compose(configs: dict[str, dict[str, Any]]) -> None:
    services = configs["tricky"]["services"]
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__SMTP__SMTP_MAIL_FROM"] == TRICKY_VALUE
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == TRICKY_VALUE
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == TRICKY_PASSWORD
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        "postgresql+psycopg2://airflow:p%40ss%3Aw%2Frd%241%20%23%25@postgres/airflow"
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_env_example_lists_every_variable_and_no_value(
    case: str, compiled: dict[str, tuple[Resolved, Path, str, str]]
) -> None:
    _, _, text, env_example = compiled[case]
    used = set(VARIABLE.findall(text))
    assignments = [line for line in env_example.splitlines() if line and not line.startswith("#")]
    listed = {line.split("=", 1)[0] for line in assignments}
    assert used <= listed, used - listed
    assert "AIRFLOW_UID" in listed
    assert all(line.endswith("=") for line in assignments), "placeholders only, never a value"


def expected_services(resolved: Resolved) -> set[str]:
    spec = resolved.spec
    names = {"airflow-init", "airflow-scheduler"}
    names.add("airflow-apiserver" if resolved.catalog.major >= 3 else "airflow-webserver")
    if resolved.runs_dag_processor:
        names.add("airflow-dag-processor")
    if resolved.runs_triggerer:
        names.add("airflow-triggerer")
    if spec.database.kind == "bundled":
        names.add("postgres")
    if resolved.uses_celery:
        names.add("airflow-worker")
        if resolved.celery.broker.kind == "bundled":
            names.add("redis")
        if resolved.celery.flower.enabled:
            names.add("flower")
    if spec.metrics.statsd.enabled and spec.metrics.statsd.exporter.enabled:
        names |= {"statsd-exporter", "prometheus", "grafana"}
    return names


@pytest.mark.parametrize("case", sorted(CASES))
def test_services_follow_the_official_compose_file(
    case: str,
    compiled: dict[str, tuple[Resolved, Path, str, str]],
    configs: dict[str, dict[str, Any]],
) -> None:
    resolved = compiled[case][0]
    services = configs[case]["services"]
    assert set(services) == expected_services(resolved)
    image = f"{resolved.image_repository}:{resolved.image_tag}"
    if resolved.catalog.major >= 3:
        api = services["airflow-apiserver"]
        assert api["command"] == ["api-server"]
        assert api["healthcheck"]["test"][-1] == "http://localhost:8080/api/v2/monitor/health"
        url = "http://airflow-apiserver:8080/execution/"
        assert all(
            s["environment"]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == url
            for s in airflow_services(configs[case]).values()
        )
    else:
        api = services["airflow-webserver"]
        assert api["command"] == ["webserver"]
        assert api["healthcheck"]["test"][-1] == "http://localhost:8080/health"
        assert "AIRFLOW__CORE__EXECUTION_API_SERVER_URL" not in api["environment"]
    assert api["ports"][0]["published"] == str(resolved.spec.api_server.port)
    scheduler = services["airflow-scheduler"]
    # A spec may turn the scheduler's health server off; then its health check asks the database instead.
    if resolved.option("scheduler", "enable_health_check") == "False":
        assert scheduler["healthcheck"]["test"][-1].startswith("airflow jobs check --job-type SchedulerJob")
    else:
        assert scheduler["healthcheck"]["test"][-1] == "http://localhost:8974/health"
        assert scheduler["environment"]["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "True"
    init = services["airflow-init"]
    assert init["command"] == ["db", "migrate"]
    for name, body in airflow_services(configs[case]).items():
        assert body["image"] == image
        if name != "airflow-init":
            assert body["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        for backing in ("postgres", "redis"):
            if backing in services:
                assert body["depends_on"][backing]["condition"] == "service_healthy"
        mount = body["volumes"][0]
        assert mount["type"] == "bind"
        assert mount["target"] == resolved.option("core", "dags_folder")
        assert mount["source"] == str((compiled[case][1].parent / resolved.spec.dags.local_path).resolve())
    if "postgres" in services:
        assert services["postgres"]["image"] == f"postgres:{resolved.spec.database.postgres_version}"
        assert services["postgres"]["environment"]["POSTGRES_USER"] == "airflow"
    if "redis" in services:
        assert services["redis"]["image"] == f"redis:{resolved.celery.broker.redis_version}"
        env = scheduler["environment"]
        assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    if "airflow-worker" in services:
        worker = services["airflow-worker"]
        assert worker["command"] == ["celery", "worker"]
        assert worker["deploy"]["replicas"] == resolved.celery.workers.replicas
    if "flower" in services:
        assert services["flower"]["profiles"] == ["flower"]
        assert services["flower"]["ports"][0]["published"] == str(resolved.celery.flower.port)
    if "statsd-exporter" in services:
        assert services["statsd-exporter"]["image"] == STATSD_EXPORTER_IMAGE
        assert scheduler["environment"]["AIRFLOW__METRICS__STATSD_HOST"] == "statsd-exporter"


def test_bundled_database_and_broker_urls(configs: dict[str, dict[str, Any]]) -> None:
    env = configs["celery-compose"]["services"]["airflow-worker"]["environment"]
    password = "value-of-POSTGRES_PASSWORD"
    assert (
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        == f"postgresql+psycopg2://airflow:{password}@postgres/airflow"
    )
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == f"db+postgresql://airflow:{password}@postgres/airflow"
    assert env["DUMB_INIT_SETSID"] == "0"
    assert configs["celery-compose"]["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] == password
    # Airflow 2.10/2.11 read the connection in [database] too; an external URL comes from .env as it is.
    legacy = configs["celery-2.11"]["services"]["airflow-scheduler"]["environment"]
    assert (
        legacy["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        == "postgresql+psycopg2://airflow:airflow@postgres/airflow"
    )
    external = configs["external-db"]["services"]["airflow-scheduler"]["environment"]
    assert external["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "value-of-DATABASE_URL"
    assert external["AIRFLOW__CELERY__BROKER_URL"] == "value-of-BROKER_URL"
    assert "AIRFLOW__CELERY__RESULT_BACKEND" not in external  # the Celery provider falls back to the database


def test_statsd_host_differs_only_when_another_target_owns_airflow_cfg(
    compiled: dict[str, tuple[Resolved, Path, str, str]], configs: dict[str, dict[str, Any]]
) -> None:
    resolved, _, text, _ = compiled["both-targets"]
    assert resolved.option("metrics", "statsd_host") != "statsd-exporter"
    env = configs["both-targets"]["services"]["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__METRICS__STATSD_HOST"] == "statsd-exporter"
    assert "# [metrics] statsd_host differs from airflow.cfg" in text
    assert "differs" not in compiled["celery-compose"][2]


def compose_error(text: str) -> str:
    with pytest.raises(SpecInvalid) as caught:
        build(resolved_text(text))
    return str(caught.value)


BASE = 'name: x\nairflow:\n  version: "3.3"\ntargets: [compose]\n'


def test_kubernetes_secret_in_compose_is_a_one_line_error() -> None:
    text = BASE + "database:\n  password: {env: PG}\nsecrets:\n  jwt_secret: {env: JWT}\n"
    text += "  api_secret_key: {env: KEY}\n"
    message = compose_error(text + "  fernet_key: {secret: {name: airflow-fernet, key: key}}\n")
    assert message.count("\n") == 0
    assert message.startswith(
        "variant.yaml:10:15: error: secrets.fernet_key: a Kubernetes Secret cannot reach"
    )


def test_compose_needs_shared_secrets_and_a_database_password_unless_development_only() -> None:
    message = compose_error(BASE)
    assert "the bundled database needs a password" in message
    assert "must share [api_auth] jwt_secret (execution API tokens); set secrets.jwt_secret" in message
    assert (
        "must share [api] secret_key (signed requests for task logs); set secrets.api_secret_key" in message
    )
    secrets = (
        "database:\n  password: {env: PG}\nsecrets:\n  jwt_secret: {env: JWT}\n  api_secret_key: {env: KEY}\n"
    )
    relative = compose_error(BASE + secrets + "  fernet_key: {file: key.txt}\n")
    assert relative.endswith(
        "secrets.fernet_key.file: expected an absolute path of letters, digits and . _ - /, got 'key.txt'"
    )
    dev = scheduler_env(BASE.replace("targets:", "development_only: true\ntargets:"))
    assert dev["AIRFLOW__API_AUTH__JWT_SECRET"] == "airspec-development-only-jwt-secret"
    assert dev["AIRFLOW__API__SECRET_KEY"] == "airspec-development-only-api-secret-key"


def scheduler_env(text: str) -> dict[str, str]:
    """The scheduler's environment as written (no interpolation needed: no ${VAR} in these specs)."""
    compose = next(a for a in build(resolved_text(text)) if a.kind == "compose")
    data = YAML(typ="safe", pure=True).load(compose.text)
    env: dict[str, str] = data["services"]["airflow-scheduler"]["environment"]
    return env


def test_statsd_exporter_loads_the_compiled_mappings() -> None:
    """The exporter's mapping file is the statsd-mappings artifact, found relative to the compose folder."""
    import posixpath

    artifacts = {
        a.kind: a for a in build(resolved_text(BASE.replace("targets:", "development_only: true\ntargets:")))
    }
    compose_dir = posixpath.dirname(artifacts["compose"].path)
    exporter = YAML(typ="safe", pure=True).load(artifacts["compose"].text)["services"]["statsd-exporter"]
    (mount,) = exporter["volumes"]
    assert (
        posixpath.normpath(posixpath.join(compose_dir, mount["source"])) == artifacts["statsd-mappings"].path
    )
    assert f"--statsd.mapping-config={mount['target']}" in exporter["command"]


# ---------------------------------------------------------------------------------------------- parity


def official() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(
        (ROOT.parent / "shared" / "upstream" / "compose" / "docker-compose.yaml").read_text(encoding="utf-8")
    )
    return data


# Services airspec adds that the official file has no counterpart for (the Airflow 2 web process is named as the
# Airflow 2 official file named it).
AIRSPEC_ONLY = {"statsd-exporter", "prometheus", "grafana", "airflow-webserver"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_names_match_the_official_file(
    case: str, compiled: dict[str, tuple[Resolved, Path, str, str]]
) -> None:
    upstream = official()
    resolved, _, text, _ = compiled[case]
    data = YAML(typ="safe", pure=True).load(text)
    assert set(data["services"]) - AIRSPEC_ONLY <= set(upstream["services"])
    for name, service in data["services"].items():
        if name in upstream["services"]:
            assert service.get("profiles") == upstream["services"][name].get("profiles"), name
    if resolved.spec.database.kind == "bundled":
        assert set(upstream["volumes"]) <= set(data["volumes"])
        official_mount = upstream["services"]["postgres"]["volumes"]
        assert data["services"]["postgres"]["volumes"] == official_mount


@pytest.mark.parametrize("case", sorted(CASES))
def test_header_says_how_to_start_and_how_it_differs(
    case: str, compiled: dict[str, tuple[Resolved, Path, str, str]]
) -> None:
    resolved, _, text, _ = compiled[case]
    header = text[: text.index("\nname:")]
    flower = resolved.uses_celery and resolved.celery.flower.enabled
    grafana = "Grafana is in the `grafana` profile: `docker compose --profile grafana up -d` starts it"
    monitoring = resolved.spec.metrics.statsd.enabled and resolved.spec.metrics.statsd.exporter.enabled
    assert (grafana in header) == monitoring
    if monitoring:
        assert "grafana (the `grafana` profile) are not there" in header
    profiles = header.replace("the `debug` profile there", "").replace("`grafana` profile", "")
    profiles = profiles.replace("--profile grafana", "")
    if flower:
        assert "Start with `docker compose --profile flower up -d` in this folder" in header
        assert "flower is in the `flower` profile" in header
    else:
        assert "Start with `docker compose up -d` in this folder" in header
        assert "profile" not in profiles
    assert "# Differences from the official docker-compose.yaml of the Airflow docs:" in header
    assert "airflow-init runs `airflow db migrate` only" in header
    if resolved.spec.database.kind == "bundled":
        assert f"(Docker names it {resolved.spec.name}_postgres-db-volume)" in header
    if resolved.spec.airflow.providers:
        assert f"build {resolved.image_repository}:{resolved.image_tag} from ../image" in header


def started_services(path: Path, *profile: str) -> set[str]:
    """The services `docker-compose config --services` starts from the compose file, with these options."""
    proc = run_tool([tool("docker-compose"), "-f", path, *profile, "config", "--services"], cwd=path.parent)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_the_flower_profile_starts_flower(compiled: dict[str, tuple[Resolved, Path, str, str]]) -> None:
    """What the header's start command starts: `config --services` with and without the profile."""
    _, path, _, _ = compiled["celery-compose"]

    assert "flower" not in started_services(path)
    assert "flower" in started_services(path, "--profile", "flower")


# ---------------------------------------------------------------------------------------------- logs


def test_logging_persistence_is_a_logs_volume_in_every_airflow_service(
    configs: dict[str, dict[str, Any]],
) -> None:
    config = configs["overrides-logs"]
    assert "airflow-logs" in config["volumes"]
    for name, service in airflow_services(config).items():
        mounts = [v for v in service["volumes"] if v["type"] == "volume"]
        assert [(m["source"], m["target"]) for m in mounts] == [("airflow-logs", "/var/log/airflow")], name
        assert service["environment"]["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] == "/var/log/airflow"
    default = scheduler_volumes(BASE_DEV + "logging:\n  persistence: {}\n")
    assert {"type": "volume", "source": "airflow-logs", "target": "/opt/airflow/logs"} in default
    assert all(v.get("type") != "volume" for v in scheduler_volumes(BASE_DEV))


BASE_DEV = BASE.replace("targets:", "development_only: true\ntargets:")


def scheduler_volumes(text: str) -> list[Any]:
    compose = next(a for a in build(resolved_text(text)) if a.kind == "compose")
    volumes: list[Any] = YAML(typ="safe", pure=True).load(compose.text)["services"]["airflow-scheduler"][
        "volumes"
    ]
    return volumes


def test_claim_settings_of_logging_persistence_are_refused_on_compose_alone() -> None:
    message = compose_error(BASE_DEV + "logging:\n  persistence:\n    size: 5Gi\n    storage_class: fast\n")
    assert (
        "variant.yaml:8:5: error: logging.persistence.size: a setting of the Kubernetes volume claim"
        in message
    )
    assert (
        "variant.yaml:9:5: error: logging.persistence.storage_class: a setting of the Kubernetes" in message
    )
    both = BASE_DEV.replace("[compose]", "[compose, helm]") + "logging:\n  persistence:\n    size: 5Gi\n"
    assert {a.kind for a in build(resolved_text(both))} >= {"compose", "helm-values"}


# ---------------------------------------------------------------------------------------------- overrides


def test_overrides_reach_the_file_compose_runs(configs: dict[str, dict[str, Any]]) -> None:
    config = configs["overrides-logs"]
    scheduler = config["services"]["airflow-scheduler"]
    assert scheduler["labels"] == {"team": "data"}
    assert scheduler["stop_grace_period"] == "2m0s"
    assert config["services"]["postgres"]["shm_size"] == "268435456"
    assert config["volumes"]["postgres-db-volume"]["name"] == "airflow_postgres-db-volume"
    assert "labels" not in config["services"]["airflow-triggerer"]


def test_overrides_text_keeps_what_airspec_wrote(
    compiled: dict[str, tuple[Resolved, Path, str, str]],
) -> None:
    _, _, text, _ = compiled["overrides-logs"]
    data = YAML(typ="safe", pure=True).load(text)
    assert data["x-notes"] == "kept as written"
    assert data["services"]["postgres"]["restart"] == "always"
    assert data["services"]["postgres"]["image"] == "postgres:16"


OVERRIDES = BASE_DEV + "compose:\n  overrides:\n"


def test_an_override_that_changes_what_airspec_sets_is_refused_at_its_key() -> None:
    text = OVERRIDES + "    services:\n      postgres:\n        image: postgres:17\n        environment:\n"
    text += "          POSTGRES_PASSWORD: hunter2-secret\n"
    message = compose_error(text)
    lines = message.splitlines()
    assert lines == [
        "variant.yaml:10:9: error: compose.overrides.services.postgres.image: airspec already sets this key to "
        "another value; change it through the spec, or leave it out",
        "variant.yaml:12:11: error: compose.overrides.services.postgres.environment.POSTGRES_PASSWORD: airspec "
        "already sets this key to another value; change it through the spec, or leave it out",
    ]
    assert "hunter2" not in message


def test_an_airflow_option_in_overrides_is_refused() -> None:
    text = OVERRIDES + "    services:\n      airflow-scheduler:\n        environment:\n"
    message = compose_error(text + "          AIRFLOW__CORE__PARALLELISM: '64'\n")
    assert message == (
        "variant.yaml:11:11: error: compose.overrides.services.airflow-scheduler.environment."
        "AIRFLOW__CORE__PARALLELISM: an Airflow option: set it under config: (or the key the spec models it with)"
    )


def test_overrides_must_pass_the_compose_specification() -> None:
    text = OVERRIDES + "    services:\n      airflow-scheduler:\n        restart_policy: always\n"
    text += "        cpus: [1]\n"
    message = compose_error(text)
    assert message.splitlines() == [
        "variant.yaml:9:7: error: compose.overrides.services.airflow-scheduler: not valid for the Compose "
        "Specification: unexpected key restart_policy",
        "variant.yaml:11:9: error: compose.overrides.services.airflow-scheduler.cpus: not valid for the Compose "
        "Specification: expected a number or a string",
    ]
    secret = compose_error(
        OVERRIDES + "    services:\n      redis-ui:\n        image: {password: s3cr3t-value}\n"
    )
    assert secret.startswith("variant.yaml:10:9: error: compose.overrides.services.redis-ui.image: ")
    assert "s3cr3t" not in secret


def test_overrides_need_the_compose_target() -> None:
    text = BASE_DEV.replace("[compose]", "[helm]") + "compose:\n  overrides: {x-a: 1}\n"
    assert (
        compose_error(text) == "variant.yaml:7:3: error: compose.overrides: set, but compose is not a target"
    )


def test_the_vendored_schema_is_check_jsonschemas_copy() -> None:
    import hashlib

    import check_jsonschema

    ours = (ROOT / "airspec" / "schemas" / "compose-spec.json").read_bytes()
    theirs = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
    digest = hashlib.sha256(ours).hexdigest()
    assert f"`{digest}`" in (ROOT / "airspec" / "schemas" / "README.md").read_text(encoding="utf-8")
    assert hashlib.sha256(theirs.read_bytes()).hexdigest() == digest


def test_resources_reach_compose_as_docker_compose_reads_them(configs: dict[str, dict[str, Any]]) -> None:
    """Kubernetes quantities become compose's deploy.resources; expectations worked out by hand from the spec:
    500m = 0.5 CPUs, 1Gi = 1073741824 bytes, 2G = 2000000000 bytes, 4Gi = 4294967296 bytes."""
    services = configs["resources"]["services"]
    assert services["airflow-apiserver"]["deploy"]["resources"]["limits"] == {
        "cpus": 0.5,
        "memory": "1073741824",
    }
    scheduler = services["airflow-scheduler"]["deploy"]["resources"]
    assert scheduler["limits"] == {"cpus": 2, "memory": "2000000000"}
    assert scheduler["reservations"] == {"cpus": 0.25, "memory": "536870912"}
    worker = services["airflow-worker"]["deploy"]
    assert worker["replicas"] == 2
    assert worker["resources"]["limits"] == {"cpus": 1.5, "memory": "4294967296"}
    assert worker["resources"]["reservations"]["devices"] == [
        {"capabilities": ["gpu"], "driver": "nvidia", "count": 1}
    ]


# ---------------------------------------------------------------------------------------------- monitoring


def _monitored() -> list[str]:
    return sorted(name for name, r in CASES.items() if grafana_provisioning.applies(r))


def test_monitoring_runs_beside_the_statsd_exporter_only() -> None:
    """Prometheus and Grafana come with the exporter they read; a spec whose StatsD goes elsewhere gets neither,
    nor the provisioning files."""
    assert {"celery-compose", "minimal", "both-targets"} <= set(_monitored())
    for name, resolved in CASES.items():
        kinds = {a.kind for a in build(resolved)}
        monitored = name in _monitored()
        assert ({"grafana-datasources", "grafana-dashboard-provider"} & kinds) == (
            {"grafana-datasources", "grafana-dashboard-provider"} if monitored else set()
        ), name


def test_the_grafana_profile_starts_grafana(compiled: dict[str, tuple[Resolved, Path, str, str]]) -> None:
    """What the header says: Prometheus runs with the file, Grafana only in the `grafana` profile."""
    _, path, _, _ = compiled["minimal"]

    assert {"statsd-exporter", "prometheus"} <= started_services(path)
    assert "grafana" not in started_services(path)
    assert "grafana" in started_services(path, "--profile", "grafana")
    quiet = run_tool(
        [tool("docker-compose"), "-f", path, "--profile", "grafana", "config", "-q"], cwd=path.parent
    )
    assert quiet.returncode == 0 and not quiet.stderr, quiet.stderr


def _under_out(compose_path: str, source: str) -> str:
    """A mount's host path (relative to the compose file's folder) as a path under OUT."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(compose_path), source))


@pytest.mark.parametrize("case", _monitored())
def test_monitoring_mounts_are_the_compiled_artifacts(case: str) -> None:
    """Every file Prometheus and Grafana are given is an artifact of the same compile, mounted where each program
    reads it: Prometheus its --config.file and the rule file that config names (relative to the config's folder,
    as Prometheus resolves it); Grafana its provisioning folders under GF_PATHS_PROVISIONING (/etc/grafana/
    provisioning in the grafana image's Dockerfile) and the dashboard under the provider's options.path, as a
    .json file (Grafana's file reader reads nothing else)."""
    built = {a.kind: a for a in build(CASES[case])}
    compose = built["compose"]
    services = YAML(typ="safe", pure=True).load(compose.text)["services"]
    paths = {a.path: a for a in built.values()}

    def mounts(service: str) -> dict[str, str]:
        binds = [v for v in services[service]["volumes"] if v["type"] == "bind"]
        assert all(v["read_only"] for v in binds), service
        return {v["target"]: _under_out(compose.path, v["source"]) for v in binds}

    prom = mounts("prometheus")
    config = next(
        a.split("=", 1)[1] for a in services["prometheus"]["command"] if a.startswith("--config.file=")
    )
    assert paths[prom[config]].kind == "prometheus-scrape"
    (rules,) = YAML(typ="safe", pure=True).load(built["prometheus-scrape"].text)["rule_files"]
    assert paths[prom[posixpath.join(posixpath.dirname(config), rules)]].kind == "prometheus-rules"

    graf = mounts("grafana")
    folders = {
        posixpath.dirname(built[k].path): k for k in ("grafana-datasources", "grafana-dashboard-provider")
    }
    assert folders[graf["/etc/grafana/provisioning/datasources"]] == "grafana-datasources"
    assert folders[graf["/etc/grafana/provisioning/dashboards"]] == "grafana-dashboard-provider"
    (provider,) = YAML(typ="safe", pure=True).load(built["grafana-dashboard-provider"].text)["providers"]
    (dashboard,) = [
        t for t, s in graf.items() if paths.get(s) is not None and paths[s].kind == "grafana-dashboard"
    ]
    assert posixpath.dirname(dashboard) == provider["options"]["path"] and dashboard.endswith(".json")
    assert services["grafana"]["profiles"] == ["grafana"]
    assert services["grafana"]["depends_on"] == {"prometheus": {"condition": "service_started"}}
    password = services["grafana"].get("environment", {}).get("GF_SECURITY_ADMIN_PASSWORD")
    assert password == (None if CASES[case].spec.development_only else "${GRAFANA_ADMIN_PASSWORD}")


@pytest.mark.parametrize("case", _monitored())
def test_grafana_reads_the_prometheus_this_file_runs(case: str, configs: dict[str, dict[str, Any]]) -> None:
    """The data source's URL is the prometheus service on the compose network, at the port Prometheus listens on
    (its default, 9090, as the command sets no --web.listen-address), which the service publishes."""
    built = {a.kind: a for a in build(CASES[case])}
    (source,) = YAML(typ="safe", pure=True).load(built["grafana-datasources"].text)["datasources"]
    url = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", source["url"])
    assert url is not None and source["access"] == "proxy" and source["isDefault"] is True
    service = configs[case]["services"][url.group(1)]
    assert service["image"] == PROMETHEUS_IMAGE
    assert not any(a.startswith("--web.listen-address") for a in service["command"])
    assert url.group(2) == "9090" and [p["target"] for p in service["ports"]] == [9090]


@pytest.mark.parametrize("case", _monitored())
def test_scrape_targets_resolve_to_compose_services(case: str, configs: dict[str, dict[str, Any]]) -> None:
    """Each target of the exporter's scrape job is a name the statsd-exporter service answers to on the compose
    network (its service name or an alias, as `docker-compose config` reads them), at the port its
    --web.listen-address serves; any other target is one the spec lists itself (metrics.prometheus.targets)."""
    resolved = CASES[case]
    scrape = YAML(typ="safe", pure=True).load(
        next(a.text for a in build(resolved) if a.kind == "prometheus-scrape")
    )
    exporter = configs[case]["services"]["statsd-exporter"]
    default_network = (exporter.get("networks") or {}).get("default") or {}
    names = {"statsd-exporter", *(default_network.get("aliases") or [])}
    port = next(a.rsplit(":", 1)[1] for a in exporter["command"] if a.startswith("--web.listen-address="))
    for job in scrape["scrape_configs"]:
        for target in (t for c in job["static_configs"] for t in c["targets"]):
            if job["job_name"] == "airflow-statsd-exporter":
                host, _, at = target.rpartition(":")
                assert host in names and at == port, (case, target, names)
            else:
                assert target in resolved.spec.metrics.prometheus.targets, (case, target)
    if case == "both-targets":
        assert names != {"statsd-exporter"}, (
            "the Helm service name the shared scrape config names is an alias"
        )
