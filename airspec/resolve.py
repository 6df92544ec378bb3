"""A validated spec -> the resolved deployment: defaults filled in, and every Airflow option placed where the
target version reads it. Renderers, lint rules and diff all read this one model.

Version knowledge comes from the catalog: each setting lists the places Airflow has kept it, newest first, and the
first place the target version's catalog knows is the one used ([api] expose_config on 3.x, [webserver] on 2.x).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from airspec.catalog import Catalog, lines
from airspec.errors import Diagnostic, SpecInvalid
from airspec.model import Spec
from airspec.model.spec import Celery, KubernetesExecutor
from airspec.model.types import SecretRef
from airspec.source import Path, SourceMap, format_path
from airspec.validate import Validated

Place = tuple[str, str]


class Option(NamedTuple):
    """One airflow.cfg option airspec sets, and the spec path that set it."""

    section: str
    name: str
    value: str
    origin: Path


class SecretOption(NamedTuple):
    """A sensitive option: never written as a value; each deployment wires the reference its own way."""

    section: str
    name: str
    ref: SecretRef
    origin: Path

    @property
    def env_name(self) -> str:
        return f"AIRFLOW__{self.section.upper()}__{self.name.upper()}"


class Resolved(NamedTuple):
    spec: Spec
    source: SourceMap
    catalog: Catalog
    spec_file: str
    env: str | None
    airflow_version: str
    image_repository: str
    image_tag: str
    release: str
    namespace: str
    options: tuple[Option, ...]
    secrets: tuple[SecretOption, ...]

    @property
    def major(self) -> int:
        return self.catalog.major

    @property
    def executors(self) -> list[str]:
        return self.spec.executors

    @property
    def uses_celery(self) -> bool:
        return any("Celery" in e for e in self.executors)

    @property
    def uses_kubernetes(self) -> bool:
        return any("Kubernetes" in e for e in self.executors)

    @property
    def celery(self) -> Celery:
        return self.spec.celery or Celery()

    @property
    def kubernetes_executor(self) -> KubernetesExecutor:
        return self.spec.kubernetes_executor or KubernetesExecutor()

    @property
    def worker_namespace(self) -> str:
        return self.kubernetes_executor.namespace or self.namespace

    @property
    def runs_dag_processor(self) -> bool:
        """Airflow 3 always parses DAGs in a separate dag-processor; on 2.x it is optional."""
        return self.major >= 3 or self.spec.dag_processor.enabled

    @property
    def runs_triggerer(self) -> bool:
        return self.spec.triggerer.enabled

    def option(self, section: str, name: str) -> str | None:
        return next((o.value for o in self.options if (o.section, o.name) == (section, name)), None)

    def sections(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for o in self.options:
            out.setdefault(o.section, {})[o.name] = o.value
        return out


def resolve(validated: Validated, spec_file: str) -> Resolved:
    spec, catalog = validated.spec, validated.catalog
    version = _exact_version(spec.airflow.version)
    options = list(_options(spec, catalog))
    options = _with_config(options, spec, validated.source)
    return Resolved(
        spec=spec,
        source=validated.source,
        catalog=catalog,
        spec_file=spec_file,
        env=validated.env,
        airflow_version=version,
        image_repository=spec.airflow.image.repository,
        image_tag=spec.airflow.image.tag or version,
        release=spec.kubernetes.release or spec.name,
        namespace=spec.kubernetes.namespace,
        options=tuple(sorted(options, key=lambda o: (o.section, o.name))),
        secrets=tuple(_secrets(spec, catalog)),
    )


def _exact_version(version: str) -> str:
    """ "3.3" -> the release the catalog's 3.3 facts came from; "3.3.1" stays itself."""
    if version.count(".") == 2:
        return version
    return lines()[version]


def airflow_bool(value: bool) -> str:
    return "True" if value else "False"


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


# Where each setting lives, newest place first. The first place the target version's catalog has wins.
PLACES: dict[str, tuple[Place, ...]] = {
    "executor": (("core", "executor"),),
    "dags_folder": (("core", "dags_folder"),),
    "load_examples": (("core", "load_examples"),),
    "parallelism": (("core", "parallelism"),),
    "max_active_tasks_per_dag": (("core", "max_active_tasks_per_dag"),),
    "max_active_runs_per_dag": (("core", "max_active_runs_per_dag"),),
    "dagbag_import_timeout": (("core", "dagbag_import_timeout"),),
    "dag_file_processor_timeout": (
        ("dag_processor", "dag_file_processor_timeout"),
        ("core", "dag_file_processor_timeout"),
    ),
    "min_file_process_interval": (
        ("dag_processor", "min_file_process_interval"),
        ("scheduler", "min_file_process_interval"),
    ),
    "refresh_interval": (("dag_processor", "refresh_interval"), ("scheduler", "dag_dir_list_interval")),
    "parsing_processes": (("dag_processor", "parsing_processes"), ("scheduler", "parsing_processes")),
    "standalone_dag_processor": (("scheduler", "standalone_dag_processor"),),
    "default_task_retries": (("core", "default_task_retries"),),
    "default_task_retry_delay": (("core", "default_task_retry_delay"),),
    "max_task_retry_delay": (("core", "max_task_retry_delay"),),
    "default_task_execution_timeout": (("core", "default_task_execution_timeout"),),
    "expose_config": (("api", "expose_config"), ("webserver", "expose_config")),
    "base_url": (("api", "base_url"), ("webserver", "base_url")),
    "api_workers": (("api", "workers"), ("webserver", "workers")),
    "api_worker_timeout": (("api", "worker_timeout"), ("webserver", "web_server_worker_timeout")),
    "logging_level": (("logging", "logging_level"),),
    "remote_logging": (("logging", "remote_logging"),),
    "remote_base_log_folder": (("logging", "remote_base_log_folder"),),
    "remote_log_conn_id": (("logging", "remote_log_conn_id"),),
    "encrypt_s3_logs": (("logging", "encrypt_s3_logs"),),
    "statsd_on": (("metrics", "statsd_on"),),
    "statsd_host": (("metrics", "statsd_host"),),
    "statsd_port": (("metrics", "statsd_port"),),
    "statsd_prefix": (("metrics", "statsd_prefix"),),
    "worker_concurrency": (("celery", "worker_concurrency"),),
    "worker_autoscale": (("celery", "worker_autoscale"),),
    "visibility_timeout": (("celery_broker_transport_options", "visibility_timeout"),),
    "k8s_namespace": (("kubernetes_executor", "namespace"),),
    "delete_worker_pods": (("kubernetes_executor", "delete_worker_pods"),),
    "delete_worker_pods_on_failure": (("kubernetes_executor", "delete_worker_pods_on_failure"),),
    "worker_pods_creation_batch_size": (("kubernetes_executor", "worker_pods_creation_batch_size"),),
    "fernet_key": (("core", "fernet_key"),),
    "api_secret_key": (("api", "secret_key"), ("webserver", "secret_key")),
    "jwt_secret": (("api_auth", "jwt_secret"),),
    "sql_alchemy_conn": (("database", "sql_alchemy_conn"), ("core", "sql_alchemy_conn")),
    "broker_url": (("celery", "broker_url"),),
    "result_backend": (("celery", "result_backend"),),
}


def place(catalog: Catalog, setting: str) -> Place | None:
    """Where the target version reads `setting`, or None if it has no such option."""
    return next((p for p in PLACES[setting] if catalog.option(*p) is not None), None)


def dags_folder(spec: Spec) -> str:
    """With git-sync the chart checks the repository out at <folder>/repo; DAGs sit under its sub_path."""
    git = spec.dags.git_sync
    if git is None:
        return spec.dags.folder
    return "/".join([spec.dags.folder.rstrip("/"), *(p for p in ("repo", git.sub_path.strip("/")) if p)])


def _options(spec: Spec, catalog: Catalog) -> Iterator[Option]:
    def put(setting: str, value: str | None, origin: Path) -> Iterator[Option]:
        where = place(catalog, setting)
        if value is not None and where is not None:
            yield Option(where[0], where[1], value, origin)

    def opt(value: float | None) -> str | None:
        return None if value is None else number(value)

    yield from put("executor", ",".join(spec.executors), ("executor",))
    yield from put("dags_folder", dags_folder(spec), ("dags",))
    yield from put("load_examples", airflow_bool(spec.core.load_examples), ("core", "load_examples"))
    core = spec.core
    for setting, value, field in (
        ("parallelism", core.parallelism, "parallelism"),
        ("max_active_tasks_per_dag", core.max_active_tasks_per_dag, "max_active_tasks_per_dag"),
        ("max_active_runs_per_dag", core.max_active_runs_per_dag, "max_active_runs_per_dag"),
        ("dagbag_import_timeout", core.dagbag_import_timeout, "dagbag_import_timeout"),
        ("dag_file_processor_timeout", core.dag_processor_timeout, "dag_processor_timeout"),
        ("min_file_process_interval", core.min_file_process_interval, "min_file_process_interval"),
        ("refresh_interval", core.refresh_interval, "refresh_interval"),
        ("parsing_processes", core.parsing_processes, "parsing_processes"),
    ):
        yield from put(setting, opt(value), ("core", field))
    if catalog.major < 3:
        yield from put(
            "standalone_dag_processor", airflow_bool(spec.dag_processor.enabled), ("dag_processor", "enabled")
        )
    task = spec.task_defaults
    for setting, value, field in (
        ("default_task_retries", task.retries, "retries"),
        ("default_task_retry_delay", task.retry_delay, "retry_delay"),
        ("max_task_retry_delay", task.max_retry_delay, "max_retry_delay"),
        ("default_task_execution_timeout", task.execution_timeout, "execution_timeout"),
    ):
        yield from put(setting, opt(value), ("task_defaults", field))
    api = spec.api_server
    expose = api.expose_config if isinstance(api.expose_config, str) else airflow_bool(api.expose_config)
    yield from put("expose_config", expose, ("api_server", "expose_config"))
    yield from put("base_url", api.base_url, ("api_server", "base_url"))
    yield from put("api_workers", opt(api.workers), ("api_server", "workers"))
    yield from put("api_worker_timeout", opt(api.worker_timeout), ("api_server", "worker_timeout"))
    yield from put("logging_level", spec.logging.level, ("logging", "level"))
    remote = spec.logging.remote
    yield from put("remote_logging", airflow_bool(remote is not None), ("logging", "remote"))
    if remote is not None:
        yield from put("remote_base_log_folder", remote.base_folder, ("logging", "remote", "base_folder"))
        yield from put("remote_log_conn_id", remote.conn_id, ("logging", "remote", "conn_id"))
        if remote.provider == "s3":
            yield from put("encrypt_s3_logs", airflow_bool(remote.encrypt), ("logging", "remote", "encrypt"))
    statsd = spec.metrics.statsd
    yield from put("statsd_on", airflow_bool(statsd.enabled), ("metrics", "statsd", "enabled"))
    if statsd.enabled:
        yield from put("statsd_host", statsd.host or _statsd_host(spec), ("metrics", "statsd", "host"))
        yield from put("statsd_port", str(statsd.port), ("metrics", "statsd", "port"))
        yield from put("statsd_prefix", statsd.prefix, ("metrics", "statsd", "prefix"))
    if any("Celery" in e for e in spec.executors):
        celery = spec.celery or Celery()
        yield from put(
            "worker_concurrency", str(celery.workers.concurrency), ("celery", "workers", "concurrency")
        )
        if celery.workers.autoscale is not None:
            scale = f"{celery.workers.autoscale.max},{celery.workers.autoscale.min}"
            yield from put("worker_autoscale", scale, ("celery", "workers", "autoscale"))
        yield from put("visibility_timeout", opt(celery.visibility_timeout), ("celery", "visibility_timeout"))
    if any("Kubernetes" in e for e in spec.executors):
        k8s = spec.kubernetes_executor or KubernetesExecutor()
        base: Path = ("kubernetes_executor",)
        namespace = k8s.namespace or spec.kubernetes.namespace
        yield from put("k8s_namespace", namespace, (*base, "namespace"))
        yield from put(
            "delete_worker_pods", airflow_bool(k8s.delete_worker_pods), (*base, "delete_worker_pods")
        )
        yield from put(
            "delete_worker_pods_on_failure",
            airflow_bool(k8s.delete_worker_pods_on_failure),
            (*base, "delete_worker_pods_on_failure"),
        )
        yield from put(
            "worker_pods_creation_batch_size",
            str(k8s.worker_pods_creation_batch_size),
            (*base, "worker_pods_creation_batch_size"),
        )


def _statsd_host(spec: Spec) -> str:
    """The statsd-exporter each target runs: the compose service, or the chart's service in the namespace."""
    if spec.targets == ["compose"]:
        return "statsd-exporter"
    release = spec.kubernetes.release or spec.name
    return f"{release}-statsd.{spec.kubernetes.namespace}.svc.cluster.local"


def config_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return airflow_bool(value)
    if isinstance(value, int | float):
        return number(value)
    return value


def _with_config(options: list[Option], spec: Spec, source: SourceMap) -> list[Option]:
    """The `config:` escape hatch adds options; one that a modelled key already sets is an error, not a silent
    override, so that each fact has one place in the spec."""
    by_place = {(o.section, o.name): o for o in options}
    problems: list[Diagnostic] = []
    for section, values in spec.config.items():
        for name, value in values.items():
            path: Path = ("config", section, name)
            existing = by_place.get((section, name))
            if existing is not None:
                problems.append(
                    Diagnostic(
                        source.key(path),
                        "error",
                        f"{format_path(path)}: [{section}] {name} is already set by {format_path(existing.origin)}; "
                        "set it in one place",
                    )
                )
                continue
            by_place[(section, name)] = Option(section, name, config_value(value), path)
    if problems:
        raise SpecInvalid(problems)
    return list(by_place.values())


_SECRET_FIELDS: tuple[tuple[str, Callable[[Spec], SecretRef | None], Path], ...] = (
    ("fernet_key", lambda s: s.secrets.fernet_key, ("secrets", "fernet_key")),
    ("api_secret_key", lambda s: s.secrets.api_secret_key, ("secrets", "api_secret_key")),
    ("jwt_secret", lambda s: s.secrets.jwt_secret, ("secrets", "jwt_secret")),
    ("sql_alchemy_conn", lambda s: s.database.url, ("database", "url")),
    ("broker_url", lambda s: s.celery.broker.url if s.celery else None, ("celery", "broker", "url")),
    (
        "result_backend",
        lambda s: s.celery.result_backend.url if s.celery else None,
        ("celery", "result_backend", "url"),
    ),
)


def _secrets(spec: Spec, catalog: Catalog) -> Iterator[SecretOption]:
    for setting, get, origin in _SECRET_FIELDS:
        ref = get(spec)
        where = place(catalog, setting)
        if ref is not None and where is not None:
            yield SecretOption(where[0], where[1], ref, origin)
