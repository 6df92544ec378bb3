"""docker-compose.yaml (the Compose Specification, no `version:`) and the `.env.example` beside it.

Services follow the official Airflow docker-compose file (airflow-core/docs/howto/docker-compose/docker-compose.yaml):
the same commands, health checks and `depends_on` conditions, chosen per executor and Airflow line.

Every Airflow service gets the same environment, written out in full per service rather than through a YAML anchor:
`AIRFLOW__SECTION__KEY` for every option airflow.cfg sets, with the identical value, plus what only compose knows
(bundled database and broker URLs, the execution API URL, the scheduler health server). Compose substitutes `$`, so
each literal `$` is written `$$`. Secrets never appear as values: `{env: VAR}` becomes `${VAR}` (from `.env`),
`{file: PATH}` becomes `..._CMD: cat PATH`, a literal (development_only specs) is written inline. A Kubernetes Secret
cannot reach a compose service and is an error. When the spec needs a cluster policy, every Airflow service
bind-mounts the compiled config/airflow_local_settings.py at $AIRFLOW_HOME/config. With logging.persistence, the
named volume airflow-logs holds the logs folder of every Airflow service. When the spec lists providers, every
Airflow service builds its image from ../image (the image artifact) and tags it as airflow.image names it.

With the statsd-exporter, the file also runs `prometheus` (the compiled monitoring/prometheus.yml and
alert-rules.yml; its scrape target is a name of this file's exporter) and, in the `grafana` profile, `grafana`,
provisioned from ./grafana/provisioning (render/grafana_provisioning.py) with that Prometheus and the compiled
dashboard. Neither has a counterpart in the official file.

Names follow the official file: services, the `flower` profile, the volume postgres-db-volume. What behaves
differently from it is said in the file's header (parity_notes). `compose.overrides` is merged in last (validation
refused any key airspec sets with another value, and checked the result against the Compose Specification).
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from airspec.model.types import Resources, SecretRef
from airspec.options import place, secret_ref
from airspec.overrides import merge
from airspec.render import grafana_provisioning, image, local_settings, prometheus
from airspec.render.airflow_cfg import header
from airspec.render.yamltext import Document, dump
from airspec.resolve import Resolved, SecretOption
from airspec.semantic import SHARED_SECRETS
from airspec.source import format_path

# The exporter image the official chart pins (chart/values.yaml images.statsd, v0.31.0), from Docker Hub.
STATSD_EXPORTER_IMAGE = "prom/statsd-exporter:v0.31.0"
STATSD_MAPPINGS_IN_CONTAINER = "/etc/statsd-exporter/mappings.yaml"
STATSD_EXPORTER_WEB_PORT = prometheus.SCRAPE_PORT
# Prometheus as promtool of the validators checks monitoring/prometheus.yml (scripts/install-validators.sh), from
# Docker Hub; Grafana from Docker Hub, a release that reads the dashboard's schemaVersion (39) without a downgrade.
PROMETHEUS_IMAGE = "prom/prometheus:v2.42.0"
GRAFANA_IMAGE = "grafana/grafana:11.1.0"
GRAFANA_PROFILE = "grafana"
GRAFANA_PORT = 3000  # Grafana's default http_port
GRAFANA_ADMIN_PASSWORD = "GRAFANA_ADMIN_PASSWORD"
PROMETHEUS_IN_CONTAINER = "/etc/prometheus"
PROMETHEUS_VOLUME = "prometheus-data"
POSTGRES_USER = "airflow"  # also the database name, as in the official file
DEV_DATABASE_PASSWORD = "airflow"
AIRFLOW_UID = "AIRFLOW_UID"
POSTGRES_VOLUME = "postgres-db-volume"  # the official file's name: the same project keeps its database
LOGS_VOLUME = "airflow-logs"
AIRFLOW_HOME = "/opt/airflow"  # of the official image
# The web process's service, named as the official files name it, by the command it runs.
API_SERVICE = {"webserver": "airflow-webserver", "api-server": "airflow-apiserver"}
HEALTH = {"interval": "30s", "timeout": "10s", "retries": 5, "start_period": "30s"}
WORKER_PING = (
    'celery --app airflow.providers.celery.executors.celery_executor.app inspect ping -d "celery@$${HOSTNAME}"'
    ' || celery --app airflow.executors.celery_executor.app inspect ping -d "celery@$${HOSTNAME}"'
)


def escape(value: str) -> str:
    """A literal value for compose: `$` starts an interpolation unless doubled."""
    return value.replace("$", "$$")


@dataclass
class _Plan:
    """The compose file as data, the `${VAR}`s it reads (name -> what it feeds), and notes for its header."""

    resolved: Resolved
    variables: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def variable(self, name: str, purpose: str) -> str:
        self.variables.setdefault(name, purpose)
        return "${" + name + "}"


def render(resolved: Resolved) -> str:
    return dump(*document(resolved))


def document(resolved: Resolved) -> Document:
    plan, data = _build(resolved)
    lines = [*header(resolved), *start_lines(resolved), *plan.notes, *parity_notes(resolved)]
    return Document(merge(data, resolved.spec.compose.overrides), "\n".join(lines))


def base_document(resolved: Resolved) -> dict[str, Any]:
    """The compose file as airspec builds it, before compose.overrides."""
    return _build(resolved)[1]


def start_lines(resolved: Resolved) -> list[str]:
    flower = resolved.uses_celery and resolved.celery.flower.enabled
    command = "docker compose --profile flower up -d" if flower else "docker compose up -d"
    lines = [
        f"Start with `{command}` in this folder, after copying .env.example to .env and filling it in.",
        "Relative host paths are relative to this folder.",
    ]
    if grafana_provisioning.applies(resolved):
        login = "admin and GRAFANA_ADMIN_PASSWORD" if not resolved.spec.development_only else "admin/admin"
        lines.append(
            f"Grafana is in the `{GRAFANA_PROFILE}` profile: `docker compose --profile {GRAFANA_PROFILE} up -d` "
            f"starts it at http://localhost:{GRAFANA_PORT} (log in as {login}), with this file's Prometheus as its "
            "data source and the compiled dashboard (monitoring/grafana-dashboard.json)."
        )
    if image.applies(resolved):
        lines.append(
            f"The Airflow services build {resolved.image_repository}:{resolved.image_tag} from ../image "
            "(the reference image with airflow.providers) when neither this machine nor its registry has it; "
            "`docker compose build` rebuilds it."
        )
    return lines


def parity_notes(resolved: Resolved) -> list[str]:
    """How this file behaves differently from the official docker-compose.yaml of the Airflow docs."""
    spec = resolved.spec
    notes = ["Differences from the official docker-compose.yaml of the Airflow docs:"]
    if resolved.uses_celery and resolved.celery.flower.enabled:
        notes.append(
            "- flower is in the `flower` profile, as there: plain `docker compose up -d` does not start it."
        )
    if grafana_provisioning.applies(resolved):
        notes.append(
            f"- prometheus (scraping statsd-exporter, with monitoring/alert-rules.yml) and grafana (the "
            f"`{GRAFANA_PROFILE}` profile) are not there; Prometheus keeps its data in the volume {PROMETHEUS_VOLUME}."
        )
    if spec.database.kind == "bundled":
        notes.append(
            f"- Postgres keeps its data in the volume {POSTGRES_VOLUME}, as there, of project {spec.name} "
            f"(Docker names it {spec.name}_{POSTGRES_VOLUME}); the official file's project is named after its "
            f"folder: to keep a database it started, run that folder's name as the project here (-p NAME)."
        )
    notes.append(
        "- airflow-init runs `airflow db migrate` only: it creates no login user and changes no file ownership."
    )
    notes.append("- There is no airflow-cli service (the `debug` profile there): use `docker compose run`.")
    mounts = "only the DAG folder is mounted from the host"
    if local_settings.applies(resolved):
        mounts += " (and the compiled airflow_local_settings.py)"
    notes.append(f"- No logs, plugins or config folders from the host: {mounts}.")
    if spec.logging.persistence is None:
        notes.append("- Task logs stay inside each container (set logging.persistence for a shared volume).")
    else:
        notes.append(f"- Task logs are in the volume {LOGS_VOLUME}, shared by every Airflow service.")
    notes.append(
        "- Airflow options come from the spec alone (no AIRFLOW_IMAGE_NAME, _PIP_ADDITIONAL_REQUIREMENTS or "
        "AIRFLOW_PROJ_DIR); extra providers come from airflow.providers, in an image built from image/Dockerfile."
    )
    return notes


def render_env_example(resolved: Resolved) -> str:
    plan, _ = _build(resolved)
    lines = [f"# {line}" for line in header(resolved)]
    lines += [
        "# Copy to .env beside docker-compose.yaml and fill in; docker compose substitutes these into the file.",
        "# Keep .env out of version control: it holds the deployment's secrets.",
        "",
        "# User ID the Airflow containers run as (`id -u` on Linux); empty means 50000, the image's airflow user.",
        f"{AIRFLOW_UID}=",
    ]
    for name in sorted(plan.variables):
        lines += ["", f"# {plan.variables[name]}", f"{name}="]
    return "\n".join(lines) + "\n"


def _build(resolved: Resolved) -> tuple[_Plan, dict[str, Any]]:
    plan = _Plan(resolved)
    spec = resolved.spec
    env = _environment(plan)
    services: dict[str, Any] = {}
    bundled_db = spec.database.kind == "bundled"
    bundled_broker = resolved.uses_celery and resolved.celery.broker.kind == "bundled"
    if bundled_db:
        services["postgres"] = _postgres(plan)
    if bundled_broker:
        services["redis"] = {
            "image": f"redis:{resolved.celery.broker.redis_version}",
            "expose": ["6379"],
            "healthcheck": {
                "test": ["CMD", "redis-cli", "ping"],
                "interval": "10s",
                "timeout": "30s",
                "retries": 50,
                "start_period": "30s",
            },
            "restart": "always",
        }
    backing = [name for name in ("postgres", "redis") if name in services]
    ready: dict[str, Any] = {name: {"condition": "service_healthy"} for name in backing}
    after_init: dict[str, Any] = {**ready, "airflow-init": {"condition": "service_completed_successfully"}}
    volumes: list[Any] = [_dags_mount(resolved)]
    if spec.logging.persistence is not None:
        volumes.append({"type": "volume", "source": LOGS_VOLUME, "target": logs_folder(resolved)})
    if local_settings.applies(resolved):
        # The cluster policy airspec compiles beside this file (config/airflow_local_settings.py under OUT), where
        # Airflow imports it: $AIRFLOW_HOME/config. Every process that parses DAGs or runs tasks needs it.
        volumes.append(
            {
                "type": "bind",
                "source": f"../{local_settings.PATH}",
                "target": local_settings.IN_CONTAINER,
                "read_only": True,
            }
        )

    def airflow(
        command: str,
        health: list[str] | None,
        *,
        environment: dict[str, str] | None = None,
        ports: list[str] | None = None,
        profiles: list[str] | None = None,
        deploy: dict[str, Any] | None = None,
        depends_on: dict[str, Any] | None = None,
        restart: str = "always",
    ) -> dict[str, Any]:
        service: dict[str, Any] = {
            "image": f"{resolved.image_repository}:{resolved.image_tag}",
            **built,
            "command": command,
            "user": "${" + AIRFLOW_UID + ":-50000}:0",
            "environment": environment or env,
            "volumes": volumes,
        }
        optional = {"ports": ports, "profiles": profiles, "deploy": deploy}
        service.update({k: v for k, v in optional.items() if v is not None})
        if health is not None:
            service["healthcheck"] = {"test": health, **HEALTH}
        service["restart"] = restart
        depends = after_init if depends_on is None else depends_on
        if depends:
            service["depends_on"] = depends
        return service

    built: dict[str, Any] = {"build": {"context": f"../{image.FOLDER}"}} if image.applies(resolved) else {}
    runtime = resolved.catalog.runtime
    api = API_SERVICE[runtime.web_command]
    port = _container_port(resolved)

    def replicas(count: int, resources: Resources) -> dict[str, Any] | None:
        # The api-server publishes a host port, so it stays one container; the others scale out here too.
        out: dict[str, Any] = {"replicas": count} if count != 1 else {}
        out.update(deploy_resources(resources))
        return out or None

    services[api] = airflow(
        runtime.web_command,
        ["CMD", "curl", "--fail", f"http://localhost:{port}{runtime.web_health_path}"],
        ports=[f"{spec.api_server.port}:{port}"],
        deploy=replicas(1, spec.api_server.resources),
    )
    if (resolved.option("scheduler", "enable_health_check") or "True").lower() == "true":
        health_port = _port(resolved, ("scheduler", "scheduler_health_check_server_port"))
        scheduler_health = ["CMD", "curl", "--fail", f"http://localhost:{health_port}/health"]
    else:
        scheduler_health = _jobs_check("SchedulerJob")

    services["airflow-scheduler"] = airflow(
        "scheduler", scheduler_health, deploy=replicas(spec.scheduler.replicas, spec.scheduler.resources)
    )
    if resolved.runs_dag_processor:
        services["airflow-dag-processor"] = airflow(
            "dag-processor",
            _jobs_check("DagProcessorJob"),
            deploy=replicas(spec.dag_processor.replicas, spec.dag_processor.resources),
        )
    if resolved.runs_triggerer:
        services["airflow-triggerer"] = airflow(
            "triggerer",
            _jobs_check("TriggererJob"),
            deploy=replicas(spec.triggerer.replicas, spec.triggerer.resources),
        )
    if resolved.uses_celery:
        celery = resolved.celery
        worker_env = {**env, "DUMB_INIT_SETSID": "0"}  # warm shutdown of Celery workers (official file)
        depends = dict(after_init)
        if runtime.tasks_call_api_server:
            depends[api] = {"condition": "service_healthy"}  # tasks report through the execution API
        services["airflow-worker"] = airflow(
            "celery worker",
            ["CMD-SHELL", WORKER_PING],
            environment=worker_env,
            depends_on=depends,
            deploy={"replicas": celery.workers.replicas, **deploy_resources(celery.workers.resources)},
        )
        if celery.flower.enabled:
            flower = _port(resolved, ("celery", "flower_port"))
            services["flower"] = airflow(
                "celery flower",
                ["CMD", "curl", "--fail", f"http://localhost:{flower}/"],
                ports=[f"{celery.flower.port}:{flower}"],
                profiles=["flower"],
                deploy=deploy_resources(celery.flower.resources) or None,
            )
    services["airflow-init"] = airflow("db migrate", None, restart="no", depends_on=ready)
    statsd = spec.metrics.statsd
    if statsd.enabled and statsd.exporter.enabled:
        services["statsd-exporter"] = {
            "image": STATSD_EXPORTER_IMAGE,
            "command": [
                f"--statsd.listen-udp=:{statsd.port}",
                f"--web.listen-address=:{STATSD_EXPORTER_WEB_PORT}",
                f"--statsd.mapping-config={STATSD_MAPPINGS_IN_CONTAINER}",
            ],
            # The mappings airspec compiles beside this file (monitoring/statsd-mappings.yaml under OUT).
            "volumes": [
                {
                    "type": "bind",
                    "source": "../monitoring/statsd-mappings.yaml",
                    "target": STATSD_MAPPINGS_IN_CONTAINER,
                    "read_only": True,
                }
            ],
            "ports": [f"{STATSD_EXPORTER_WEB_PORT}:{STATSD_EXPORTER_WEB_PORT}"],
            "restart": "always",
        }
        alias = _exporter_alias(resolved)
        if alias is not None:
            services["statsd-exporter"]["networks"] = {"default": {"aliases": [alias]}}
            plan.notes.append(
                f"statsd-exporter also answers to {alias}, where monitoring/prometheus.yml (shared with the Helm "
                "target) scrapes it."
            )
    if grafana_provisioning.applies(resolved):
        services[grafana_provisioning.PROMETHEUS_SERVICE] = _prometheus()
        services["grafana"] = _grafana(plan)
    data: dict[str, Any] = {"name": spec.name, "services": services}
    named: dict[str, Any] = {}
    if bundled_db:
        named[POSTGRES_VOLUME] = {}
    if spec.logging.persistence is not None:
        named[LOGS_VOLUME] = {}
    if grafana_provisioning.applies(resolved):
        named[PROMETHEUS_VOLUME] = {}
    if named:
        data["volumes"] = named
    return plan, data


def _exporter_alias(resolved: Resolved) -> str | None:
    """The host monitoring/prometheus.yml scrapes the exporter at, when it is not this file's service name: a spec
    that also targets Helm names the chart's Service there (one scrape config for both), and this file's exporter
    answers to that name too."""
    target = prometheus.exporter_target(resolved)
    host = target.rsplit(":", 1)[0] if target is not None else "statsd-exporter"
    return None if host == "statsd-exporter" else host


def _here(path: str) -> str:
    """The folder of an artifact (a path under OUT) as this file, in OUT's compose/, mounts it."""
    return "./" + posixpath.relpath(posixpath.dirname(path), "compose")


def _read_only(source: str, target: str) -> dict[str, Any]:
    return {"type": "bind", "source": source, "target": target, "read_only": True}


def _prometheus() -> dict[str, Any]:
    """Prometheus with the compiled scrape config and the alert rules it loads from beside it."""
    config = f"{PROMETHEUS_IN_CONTAINER}/prometheus.yml"
    return {
        "image": PROMETHEUS_IMAGE,
        "command": [f"--config.file={config}", "--storage.tsdb.path=/prometheus"],
        "volumes": [
            _read_only("../monitoring/prometheus.yml", config),
            _read_only(
                f"../monitoring/{prometheus.RULES_FILE}", f"{PROMETHEUS_IN_CONTAINER}/{prometheus.RULES_FILE}"
            ),
            {"type": "volume", "source": PROMETHEUS_VOLUME, "target": "/prometheus"},
        ],
        "ports": [f"{grafana_provisioning.PROMETHEUS_PORT}:{grafana_provisioning.PROMETHEUS_PORT}"],
        "restart": "always",
    }


def _grafana(plan: _Plan) -> dict[str, Any]:
    """Grafana in its profile, provisioned with this file's Prometheus and the compiled dashboard. Its admin
    password comes from .env (a development_only spec keeps Grafana's own admin/admin, changed at first login)."""
    provisioning = grafana_provisioning.IN_CONTAINER
    service: dict[str, Any] = {"image": GRAFANA_IMAGE, "profiles": [GRAFANA_PROFILE]}
    if not plan.resolved.spec.development_only:
        password = plan.variable(
            GRAFANA_ADMIN_PASSWORD, "Password of Grafana's admin user (the grafana profile)"
        )
        service["environment"] = {"GF_SECURITY_ADMIN_PASSWORD": password}
    service["volumes"] = [
        _read_only(_here(grafana_provisioning.DATASOURCES_PATH), f"{provisioning}/datasources"),
        _read_only(_here(grafana_provisioning.DASHBOARDS_PATH), f"{provisioning}/dashboards"),
        _read_only(
            "../monitoring/grafana-dashboard.json",
            f"{grafana_provisioning.DASHBOARDS_IN_CONTAINER}/airflow.json",
        ),
    ]
    service["ports"] = [f"{GRAFANA_PORT}:{GRAFANA_PORT}"]
    service["depends_on"] = {grafana_provisioning.PROMETHEUS_SERVICE: {"condition": "service_started"}}
    service["restart"] = "always"
    return service


def logs_folder(resolved: Resolved) -> str:
    """Where Airflow writes task logs in the container: [logging] base_log_folder, {AIRFLOW_HOME}/logs unless set."""
    folder = resolved.option("logging", "base_log_folder") or "{AIRFLOW_HOME}/logs"
    return escape(folder.replace("{AIRFLOW_HOME}", AIRFLOW_HOME))


def _environment(plan: _Plan) -> dict[str, str]:
    """The environment every Airflow service shares, sorted by name."""
    resolved = plan.resolved
    spec = resolved.spec
    env: dict[str, str] = {}
    sections = resolved.sections()
    for section, options in sections.items():
        for name, value in options.items():
            env[f"AIRFLOW__{section.upper()}__{name.upper()}"] = escape(value)

    def derived(where: tuple[str, str] | None, value: str) -> None:
        """A value only compose knows; an option the spec sets itself is never overridden."""
        if where is None or where[1] in sections.get(where[0], {}):
            return
        if any((s.section, s.name) == where for s in resolved.secrets):
            return
        env[f"AIRFLOW__{where[0].upper()}__{where[1].upper()}"] = value

    statsd = spec.metrics.statsd
    if statsd.enabled and statsd.exporter.enabled and statsd.host is None:
        host = resolved.option("metrics", "statsd_host")
        if host is not None and host != "statsd-exporter":
            env["AIRFLOW__METRICS__STATSD_HOST"] = "statsd-exporter"
            plan.notes.append(
                f"[metrics] statsd_host differs from airflow.cfg ({host}): here it is this file's statsd-exporter."
            )
    if spec.database.kind == "bundled":
        url = f"{POSTGRES_USER}:{_database_password(plan)}@postgres/{POSTGRES_USER}"
        derived(place(resolved.catalog, "sql_alchemy_conn"), f"postgresql+psycopg2://{url}")
        if resolved.uses_celery:
            derived(place(resolved.catalog, "result_backend"), f"db+postgresql://{url}")
    if resolved.uses_celery and resolved.celery.broker.kind == "bundled":
        derived(place(resolved.catalog, "broker_url"), "redis://redis:6379/0")
    if resolved.catalog.option("core", "execution_api_server_url") is not None:
        api = f"http://{API_SERVICE[resolved.catalog.runtime.web_command]}:{_container_port(resolved)}/execution/"
        derived(("core", "execution_api_server_url"), api)
    if resolved.catalog.option("scheduler", "enable_health_check") is not None:
        derived(("scheduler", "enable_health_check"), "True")  # the scheduler's /health for its health check
    for setting, path, _ in SHARED_SECRETS:
        where = place(resolved.catalog, setting)
        # Each process would make up its own value: a development_only spec gets a fixed one (validation requires
        # a reference of any other spec).
        if where is not None and secret_ref(spec, path) is None and spec.development_only:
            derived(where, f"airspec-development-only-{setting.replace('_', '-')}")
    for secret in resolved.secrets:
        wired = _secret(plan, secret)
        if wired is not None:
            env[wired[0]] = wired[1]
    return dict(sorted(env.items()))


def _secret(plan: _Plan, secret: SecretOption) -> tuple[str, str] | None:
    """The variable that hands Airflow a secret. (Validation refuses what compose cannot carry: a Kubernetes
    Secret, a file for an option without `_cmd`.)"""
    ref = secret.ref
    where = f"[{secret.section}] {secret.name}"
    if ref.env is not None:
        return secret.env_name, plan.variable(ref.env, f"{where} ({format_path(secret.origin)})")
    if ref.literal is not None:
        return secret.env_name, escape(ref.literal)
    if ref.file is not None:
        # Airflow runs *_cmd with shlex.split and no shell: quoting keeps the path one argument.
        return f"{secret.env_name}_CMD", escape(f"cat {shlex.quote(ref.file)}")
    return None


def _database_password(plan: _Plan) -> str:
    """The bundled Postgres password as compose writes it into a URL. (Validation requires {env: VAR} or, in a
    development_only spec, a literal or nothing.)"""
    ref: SecretRef | None = plan.resolved.spec.database.password
    if ref is not None and ref.env is not None:
        return plan.variable(
            ref.env, "Password of the bundled Postgres (database.password); URL-safe: letters, digits, -._~"
        )
    if ref is not None and ref.literal is not None:
        return escape(quote(ref.literal, safe=""))
    return DEV_DATABASE_PASSWORD


def _postgres(plan: _Plan) -> dict[str, Any]:
    spec = plan.resolved.spec
    ref = spec.database.password
    if ref is not None and ref.env is not None:
        password = "${" + ref.env + "}"
    elif ref is not None and ref.literal is not None:
        password = escape(ref.literal)
    else:
        password = DEV_DATABASE_PASSWORD
    return {
        "image": f"postgres:{spec.database.postgres_version}",
        "environment": {
            "POSTGRES_USER": POSTGRES_USER,
            "POSTGRES_PASSWORD": password,
            "POSTGRES_DB": POSTGRES_USER,
        },
        "volumes": [f"{POSTGRES_VOLUME}:/var/lib/postgresql/data"],
        "healthcheck": {
            "test": ["CMD", "pg_isready", "-U", POSTGRES_USER],
            "interval": "10s",
            "retries": 5,
            "start_period": "5s",
        },
        "restart": "always",
    }


def _dags_mount(resolved: Resolved) -> dict[str, Any]:
    """The host DAG folder at the folder airflow.cfg names (with git-sync in the spec, the repo's sub_path)."""
    target = resolved.option("core", "dags_folder") or resolved.spec.dags.folder
    return {
        "type": "bind",
        "source": escape(resolved.spec.dags.local_path),
        "target": escape(target),
        "bind": {"create_host_path": True},
    }


def _port(resolved: Resolved, *places: tuple[str, str]) -> int:
    """The port Airflow listens on: the first of `places` the spec sets, else the first the catalog has a default
    for (e.g. [api] port on 3.x, [webserver] web_server_port on 2.x)."""
    for section, name in places:
        value = resolved.option(section, name)
        if value is not None and value.isdigit():
            return int(value)
    for section, name in places:
        option = resolved.catalog.option(section, name)
        if option is not None and option.default is not None and option.default.isdigit():
            return int(option.default)
    raise ValueError(f"the catalog of Airflow {resolved.catalog.line} has no default for {places}")


def _container_port(resolved: Resolved) -> int:
    return _port(resolved, ("api", "port"), ("webserver", "web_server_port"))


def _jobs_check(job_type: str) -> list[str]:
    return ["CMD-SHELL", f'airflow jobs check --job-type {job_type} --hostname "$${{HOSTNAME}}"']


_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: dict[str, Decimal | int] = {
    "m": Decimal("0.001"),
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
}


def quantity(text: str) -> Decimal:
    """A Kubernetes quantity (`500m`, `2`, `1.5Gi`, `1e3`) as a number."""
    if text[-2:] in _BINARY:
        return Decimal(text[:-2]) * _BINARY[text[-2:]]
    if text[-1:] in _DECIMAL:  # an exponent (`1e3`, `1E3`) ends in a digit
        return Decimal(text[:-1]) * _DECIMAL[text[-1:]]
    return Decimal(text)


def deploy_resources(resources: Resources) -> dict[str, Any]:
    """A component's Kubernetes resources as compose's `deploy.resources`: CPUs as a number of cores, memory in
    bytes, GPUs as an NVIDIA device reservation. (Validation refuses ephemeral-storage, which compose cannot
    bound, in a spec that only targets compose.)"""
    out: dict[str, Any] = {}
    for kind, given in (("limits", resources.limits), ("reservations", resources.requests)):
        part: dict[str, Any] = {}
        if given.cpu is not None:
            part["cpus"] = format(quantity(given.cpu).normalize(), "f")
        if given.memory is not None:
            part["memory"] = f"{int(quantity(given.memory))}b"
        if part:
            out[kind] = part
    gpus = max(resources.requests.gpu or 0, resources.limits.gpu or 0)
    if gpus:
        device = {"driver": "nvidia", "count": gpus, "capabilities": ["gpu"]}
        out.setdefault("reservations", {})["devices"] = [device]
    return {"resources": out} if out else {}
