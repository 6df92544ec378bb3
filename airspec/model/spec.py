"""The airflow-spec.yaml format. Field descriptions become the published JSON Schema's documentation."""

from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from airspec.model.types import (
    CfgLine,
    CfgPath,
    DnsLabel,
    Duration,
    EnvVar,
    ImageRepository,
    ImageTag,
    KubeMap,
    Line,
    MapKey,
    Quantity,
    Resources,
    SecretRef,
    Strict,
    Toleration,
)

VERSION_PATTERN = r"^\d+\.\d+(\.\d+)?$"  # which lines exist is the catalog's to say (semantic.catalog_for)
AirflowVersion = Annotated[str, StringConstraints(pattern=VERSION_PATTERN)]
PythonVersion = Annotated[str, StringConstraints(pattern=r"^3\.\d+$")]
Target = Literal["helm", "compose"]
Executor = Literal["LocalExecutor", "CeleryExecutor", "KubernetesExecutor", "CeleryKubernetesExecutor"]
Replicas = Annotated[int, Field(ge=0, le=1000)]
PositiveInt = Annotated[int, Field(ge=1)]
OptionValue = CfgLine | int | float | bool
ConfigName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=128)]


# Empty defaults. Not `list`/`dict` themselves: pydantic asks inspect.signature whether a default factory takes
# arguments, and for a builtin type that compiles tokenize's regexes (~2 ms of every run) before it gives up.
def _no_items() -> list[Any]:
    return []


def _no_entries() -> dict[str, Any]:
    return {}


class Image(Strict):
    repository: ImageRepository = Field("apache/airflow", description="Image repository")
    tag: ImageTag | None = Field(None, description="Image tag; defaults to the Airflow version")


class Airflow(Strict):
    version: AirflowVersion = Field(description='Target Airflow version, quoted: "3.3" or "3.3.2", "2.11"')
    image: Image = Field(default_factory=Image)
    providers: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]*$")]] = Field(
        default_factory=_no_items,
        description="Extra provider packages by short name (amazon, google, cncf.kubernetes) or pip name",
    )
    python_version: PythonVersion = Field("3.12", description="Python version of the image and of CI")


class Component(Strict):
    replicas: Replicas = 1
    resources: Resources = Field(default_factory=Resources)


class ApiServer(Component):
    """The api-server on Airflow 3; the webserver on Airflow 2."""

    base_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s\x00-\x1f\x7f]+$")] | None = None
    expose_config: bool | Literal["non-sensitive-only"] = False
    workers: PositiveInt | None = Field(None, description="Server worker processes")
    worker_timeout: Duration | None = Field(
        None, description="Seconds a worker may take before it is restarted"
    )
    port: Annotated[int, Field(ge=1, le=65535)] = Field(8080, description="Host port published by compose")


class Scheduler(Component):
    replicas: Replicas = Field(1, description="2 or more for high availability")


class OptionalComponent(Component):
    enabled: bool = True


class Autoscale(Strict):
    max: PositiveInt
    min: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class CeleryWorkers(Component):
    concurrency: PositiveInt = 16
    autoscale: Autoscale | None = None


class Flower(Component):
    enabled: bool = False
    port: Annotated[int, Field(ge=1, le=65535)] = 5555


class Broker(Strict):
    kind: Literal["bundled", "external"] = Field(
        "bundled", description="bundled Redis, or an external broker"
    )
    redis_version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")] = "7.2"
    url: SecretRef | None = Field(None, description="Broker URL (required when external)")


class ResultBackend(Strict):
    url: SecretRef | None = Field(None, description="Result backend URL; defaults to the metadata database")


class Celery(Strict):
    broker: Broker = Field(default_factory=Broker)
    result_backend: ResultBackend = Field(default_factory=ResultBackend)
    visibility_timeout: Duration | None = Field(None, description="Broker visibility timeout")
    workers: CeleryWorkers = Field(default_factory=CeleryWorkers)
    flower: Flower = Field(default_factory=Flower)


class Database(Strict):
    kind: Literal["bundled", "external"] = Field(
        "bundled", description="bundled Postgres, or an external database"
    )
    postgres_version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")] = "16"
    url: SecretRef | None = Field(None, description="SQLAlchemy URL of the metadata database (external)")
    password: SecretRef | None = Field(None, description="Password of the bundled database")


class Secrets(Strict):
    fernet_key: SecretRef | None = None
    api_secret_key: SecretRef | None = Field(None, description="[api] secret_key on 3.x, [webserver] on 2.x")
    jwt_secret: SecretRef | None = Field(None, description="[api_auth] jwt_secret (Airflow 3)")


class GitSync(Strict):
    repo: Annotated[str, StringConstraints(pattern=r"^(https?://|ssh://|git@|file://)[^\s\x00-\x1f\x7f]+$")]
    branch: Line = "main"
    rev: Line = "HEAD"
    wait: Duration = Field(60, description="Seconds between syncs")
    sub_path: CfgPath = ""
    depth: PositiveInt = 1
    ssh_key_secret: DnsLabel | None = Field(None, description="Kubernetes Secret holding gitSshKey")
    known_hosts: Annotated[str, StringConstraints(max_length=65536)] | None = Field(
        None, description="known_hosts lines for the git server (SSH)"
    )
    credentials_secret: DnsLabel | None = Field(
        None, description="Kubernetes Secret with GITSYNC_USERNAME and GITSYNC_PASSWORD"
    )


class Persistence(Strict):
    size: Quantity = "1Gi"
    storage_class: Line | None = None
    access_mode: Literal["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"] = (
        "ReadWriteMany"
    )
    existing_claim: DnsLabel | None = None


class Dags(Strict):
    folder: CfgLine = "/opt/airflow/dags"
    git_sync: GitSync | None = None
    persistence: Persistence | None = None
    local_path: Line = Field("./dags", description="Host folder bind-mounted as the DAG folder in compose")


class TaskProfile(Strict):
    resources: Resources = Field(default_factory=Resources)
    node_selector: dict[MapKey, Line] = Field(default_factory=_no_entries)
    tolerations: list[Toleration] = Field(default_factory=_no_items)
    affinity: KubeMap | None = None
    env: list[EnvVar] = Field(default_factory=_no_items)


class WorkerPod(TaskProfile):
    image: Image | None = Field(None, description="Worker image; defaults to airflow.image")
    volumes: list[KubeMap] = Field(default_factory=_no_items)
    volume_mounts: list[KubeMap] = Field(default_factory=_no_items)
    service_account: DnsLabel | None = None


class KubernetesExecutor(Strict):
    namespace: DnsLabel | None = Field(
        None, description="Namespace of worker pods; defaults to the deployment's"
    )
    worker: WorkerPod = Field(default_factory=WorkerPod)
    delete_worker_pods: bool = True
    delete_worker_pods_on_failure: bool = False
    worker_pods_creation_batch_size: PositiveInt = 1
    profiles: dict[DnsLabel, TaskProfile] = Field(
        default_factory=_no_entries, description="Named pod overrides for tasks"
    )


class Core(Strict):
    parallelism: Annotated[int, Field(ge=0)] | None = None
    max_active_tasks_per_dag: PositiveInt | None = None
    max_active_runs_per_dag: PositiveInt | None = None
    dagbag_import_timeout: Duration | None = None
    dag_processor_timeout: Duration | None = Field(None, description="dag_file_processor_timeout")
    min_file_process_interval: Duration | None = None
    refresh_interval: Duration | None = Field(None, description="How often the DAG folder is listed")
    parsing_processes: PositiveInt | None = None
    load_examples: bool = False


class TaskDefaults(Strict):
    retries: Annotated[int, Field(ge=0)] | None = None
    retry_delay: Duration | None = None
    retry_exponential_backoff: bool = Field(
        False,
        description="No Airflow option sets this: airspec compiles a cluster policy (airflow_local_settings.py)",
    )
    max_retry_delay: Duration | None = None
    execution_timeout: Duration | None = None


class RemoteLogging(Strict):
    provider: Literal["s3", "gcs", "wasb", "cloudwatch", "elasticsearch", "opensearch", "hdfs", "oss"]
    base_folder: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+://[^\s\x00-\x1f\x7f]+$")] | None = None
    conn_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+$")] | None = None
    encrypt: bool = False


class Logging(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    remote: RemoteLogging | None = None
    persistence: Persistence | None = Field(
        None, description="A volume for task logs (chart logs.persistence)"
    )


class StatsdExporter(Strict):
    enabled: bool = True


class Statsd(Strict):
    enabled: bool = True
    host: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]+$")] | None = Field(
        None, description="StatsD host; defaults to the deployment's statsd-exporter"
    )
    port: Annotated[int, Field(ge=1, le=65535)] = 9125
    prefix: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]+$")] = "airflow"
    exporter: StatsdExporter = Field(default_factory=StatsdExporter)


class Prometheus(Strict):
    scrape_interval: Duration = 30
    targets: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]+:\d+$")]] = Field(
        default_factory=_no_items, description="Extra host:port targets to scrape"
    )


class Alerts(Strict):
    dag_parse_time: Duration = Field(30, description="Total DAG parse time above this fires")
    starving_tasks: Annotated[int, Field(ge=0)] = 0
    failed_dag_runs: Annotated[int, Field(ge=0)] = 0
    pool_open_slots_ratio: Annotated[float, Field(ge=0, le=1)] = 0.1
    task_failures: Annotated[int, Field(ge=0)] = 0
    sustained: Duration = Field(300, description="How long a condition must hold before it fires (for:)")


class Metrics(Strict):
    statsd: Statsd = Field(default_factory=Statsd)
    prometheus: Prometheus = Field(default_factory=Prometheus)
    alerts: Alerts = Field(default_factory=Alerts)


class Compose(Strict):
    overrides: dict[str, Any] = Field(
        default_factory=_no_entries,
        description="Merged last into docker-compose.yaml; a key airspec sets keeps its value, and the result "
        "must pass the Compose Specification's schema",
    )


class CiDeploy(Strict):
    kind: Literal["s3", "git-sync", "none"] = "none"
    bucket: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")] | None = None
    prefix: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_./-]*$")] = "dags"
    region: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")] | None = None
    role_arn: (
        Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")] | None
    ) = Field(None, description="Assume this role with GitHub OIDC; without it, repository secrets are used")

    @model_validator(mode="after")
    def _bucket_for_s3(self) -> Self:
        if self.kind == "s3" and not self.bucket:
            raise ValueError("deploy kind s3 needs a bucket")
        return self


def _no_github_expression(value: str) -> str:
    # The branch also lands inside the deploy job's `if:` expression, where no escape keeps `${{` literal.
    if "${{" in value:
        raise ValueError("GitHub Actions would evaluate `${{` in a branch name; remove it")
    return value


class Ci(Strict):
    provider: Literal["github"] = "github"
    python_version: PythonVersion | None = Field(None, description="Defaults to airflow.python_version")
    dags_path: Line = "dags"
    tests_path: Line = "tests"
    branch: Annotated[Line, AfterValidator(_no_github_expression)] = Field(
        "main", description="Branch that triggers CI and deploys (no `${{`: GitHub would evaluate it)"
    )
    lint: bool = True
    pin_actions: bool = Field(True, description="Pin third-party actions by full commit SHA")
    airspec_requirement: Annotated[Line, StringConstraints(min_length=1)] | None = Field(
        None,
        description="What CI pip-installs airspec from (a requirement such as a git URL); "
        "defaults to airspec==<the version that compiled the workflow>",
    )
    deploy: CiDeploy = Field(default_factory=CiDeploy)


class Kubernetes(Strict):
    namespace: DnsLabel = "airflow"
    release: DnsLabel | None = Field(None, description="Helm release name; defaults to the spec name")


class Helm(Strict):
    """The official Apache Airflow Helm chart that the values are for (target helm)."""

    chart_version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+(-[a-z0-9]+)?$")] | None = Field(
        None,
        description='Chart release the values are for, quoted: "1.19.0" (one of the releases in airspec\'s chart '
        "catalog, listed in the README); the install command pins it with --version. Defaults to the newest release "
        "airspec knows if it supports airflow.version, else to the newest published release that does: that release "
        "dropped Airflow 2 (`webserver:`), so a 2.x spec gets the newest published release that still has it",
    )
    values: dict[str, Any] = Field(
        default_factory=_no_entries,
        description="Chart values airspec does not model, deep-merged last; a key airspec sets is refused unless "
        "equal, and the result must pass the release's values schema",
    )


class Spec(Strict):
    """An Airflow deployment, stated once."""

    name: DnsLabel = Field(description="Deployment name (Helm release, compose project)")
    development_only: bool = Field(False, description="Local development only: literal secrets are allowed")
    airflow: Airflow
    executor: Executor | list[Executor] = Field(
        "LocalExecutor", description="One executor, or a list (multiple executors, Airflow 3 only)"
    )
    targets: list[Target] = Field(
        default_factory=lambda: list[Target](["helm"]),
        description="Where it runs: the official Helm chart, docker-compose",
    )
    kubernetes: Kubernetes = Field(default_factory=Kubernetes)
    helm: Helm = Field(default_factory=Helm)
    database: Database = Field(default_factory=Database)
    celery: Celery | None = None
    secrets: Secrets = Field(default_factory=Secrets)
    api_server: ApiServer = Field(default_factory=ApiServer)
    scheduler: Scheduler = Field(default_factory=Scheduler)
    dag_processor: OptionalComponent = Field(default_factory=OptionalComponent)
    triggerer: OptionalComponent = Field(default_factory=OptionalComponent)
    dags: Dags = Field(default_factory=Dags)
    kubernetes_executor: KubernetesExecutor | None = None
    core: Core = Field(default_factory=Core)
    task_defaults: TaskDefaults = Field(default_factory=TaskDefaults)
    logging: Logging = Field(default_factory=Logging)
    metrics: Metrics = Field(default_factory=Metrics)
    ci: Ci | None = None
    compose: Compose = Field(default_factory=Compose)
    config: dict[ConfigName, dict[ConfigName, OptionValue]] = Field(
        default_factory=_no_entries,
        description="Any Airflow option not modelled above: {section: {option: value}}",
    )
    environments: dict[DnsLabel, dict[str, Any]] = Field(
        default_factory=_no_entries, description="Overlays deep-merged over the base, chosen with --env"
    )

    @property
    def executors(self) -> list[str]:
        return list(self.executor) if isinstance(self.executor, list) else [self.executor]
