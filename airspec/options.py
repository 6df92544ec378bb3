"""Where the spec's settings land in airflow.cfg: for each modelled setting, the places Airflow has kept it (newest
first) and the option the spec resolves it to. Validation (a `config:` entry that a modelled key already sets) and
resolving both read this one table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from airspec.catalog import Catalog
from airspec.model import Spec
from airspec.model.spec import Celery, KubernetesExecutor
from airspec.model.types import SecretRef
from airspec.source import Path

Place = tuple[str, str]


class Option(NamedTuple):
    """One airflow.cfg option airspec sets, and the spec path that set it."""

    section: str
    name: str
    value: str
    origin: Path


def cfg_bool(value: bool) -> str:
    """A spec boolean as airflow.cfg writes it."""
    return "True" if value else "False"


def cfg_number(value: float) -> str:
    """A spec number as airflow.cfg writes it: whole numbers without `.0`."""
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


def modelled(spec: Spec, catalog: Catalog) -> Iterator[Option]:
    """The options the modelled keys set, at the places the target version reads them."""

    def put(setting: str, value: str | None, origin: Path) -> Iterator[Option]:
        where = place(catalog, setting)
        if value is not None and where is not None:
            yield Option(where[0], where[1], value, origin)

    def opt(value: float | None) -> str | None:
        return None if value is None else cfg_number(value)

    yield from put("executor", ",".join(spec.executors), ("executor",))
    yield from put("dags_folder", dags_folder(spec), ("dags",))
    yield from put("load_examples", cfg_bool(spec.core.load_examples), ("core", "load_examples"))
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
    if not catalog.runtime.dag_processor_always_separate:
        yield from put(
            "standalone_dag_processor", cfg_bool(spec.dag_processor.enabled), ("dag_processor", "enabled")
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
    expose = api.expose_config if isinstance(api.expose_config, str) else cfg_bool(api.expose_config)
    yield from put("expose_config", expose, ("api_server", "expose_config"))
    yield from put("base_url", api.base_url, ("api_server", "base_url"))
    yield from put("api_workers", opt(api.workers), ("api_server", "workers"))
    yield from put("api_worker_timeout", opt(api.worker_timeout), ("api_server", "worker_timeout"))
    yield from put("logging_level", spec.logging.level, ("logging", "level"))
    remote = spec.logging.remote
    yield from put("remote_logging", cfg_bool(remote is not None), ("logging", "remote"))
    if remote is not None:
        yield from put("remote_base_log_folder", remote.base_folder, ("logging", "remote", "base_folder"))
        yield from put("remote_log_conn_id", remote.conn_id, ("logging", "remote", "conn_id"))
        if remote.provider == "s3":
            yield from put("encrypt_s3_logs", cfg_bool(remote.encrypt), ("logging", "remote", "encrypt"))
    statsd = spec.metrics.statsd
    yield from put("statsd_on", cfg_bool(statsd.enabled), ("metrics", "statsd", "enabled"))
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
        yield from put("delete_worker_pods", cfg_bool(k8s.delete_worker_pods), (*base, "delete_worker_pods"))
        yield from put(
            "delete_worker_pods_on_failure",
            cfg_bool(k8s.delete_worker_pods_on_failure),
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
    """A `config:` value as airflow.cfg writes it."""
    if isinstance(value, bool):
        return cfg_bool(value)
    if isinstance(value, int | float):
        return cfg_number(value)
    return value


def configured(spec: Spec) -> Iterator[Option]:
    """The options the `config:` escape hatch sets."""
    for section, values in spec.config.items():
        for name, value in values.items():
            yield Option(section, name, config_value(value), ("config", section, name))


class SecretSetting(NamedTuple):
    """A modelled secret: the setting it feeds (a PLACES key) and where the spec holds its reference."""

    setting: str
    origin: Path


# Secrets the spec models, in the order artifacts list them. `origin` is also how `secret_ref` finds each one.
SECRET_SETTINGS = (
    SecretSetting("fernet_key", ("secrets", "fernet_key")),
    SecretSetting("api_secret_key", ("secrets", "api_secret_key")),
    SecretSetting("jwt_secret", ("secrets", "jwt_secret")),
    SecretSetting("sql_alchemy_conn", ("database", "url")),
    SecretSetting("broker_url", ("celery", "broker", "url")),
    SecretSetting("result_backend", ("celery", "result_backend", "url")),
)


def secret_ref(spec: Spec, origin: Path) -> SecretRef | None:
    """The reference the spec holds at `origin` (a path of secret fields: every step an attribute)."""
    node: object = spec
    for step in origin:
        node = getattr(node, str(step), None)
        if node is None:
            return None
    return node if isinstance(node, SecretRef) else None
