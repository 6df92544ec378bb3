"""Validation that needs Airflow knowledge and the targets: what the models alone cannot tell.

Every refusal of the pipeline lives here or in the models: what a target cannot carry (a Kubernetes Secret in
docker-compose, an access mode the chart lacks), what the target version does not have, and each airflow.cfg option
set in two places. Renderers only ever see a spec that passed, so they cannot fail.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from airspec.catalog import Catalog, UnknownVersion, charts, exact_version, last_option, line_of, load
from airspec.errors import Diagnostic
from airspec.model import Spec
from airspec.model.spec import Helm
from airspec.model.types import EnvVar, Resources, SecretRef
from airspec.options import SECRET_SETTINGS, configured, modelled, place, secret_ref
from airspec.optvalue import check as value_problem
from airspec.source import Path, SourceMap, format_path

STOCK_IMAGE = "apache/airflow"  # the reference image (airflow.image.repository's default)
if TYPE_CHECKING:
    from airspec.validate import Validated

# The chart's dags.persistence.accessMode enum.
CHART_DAG_ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany")
# Secrets every Airflow process must agree on. Unset, each process makes up its own: docker-compose runs several
# processes, so a development_only spec gets a fixed value and any other spec must give a reference.
SHARED_SECRETS = (
    ("jwt_secret", ("secrets", "jwt_secret"), "execution API tokens"),
    ("api_secret_key", ("secrets", "api_secret_key"), "signed requests for task logs"),
)


def catalog_for(spec: Spec, source: SourceMap) -> tuple[Catalog | None, list[Diagnostic]]:
    try:
        line_of(spec.airflow.version)
        return load(spec.airflow.version), []
    except UnknownVersion as exc:
        return None, [Diagnostic(source.value(("airflow", "version")), "error", f"airflow.version: {exc}")]


def semantic(spec: Spec, source: SourceMap, catalog: Catalog) -> Iterator[Diagnostic]:
    check = _Checker(spec, source, catalog)
    yield from check.executors()
    yield from check.pieces()
    yield from check.compose()
    yield from check.helm()
    yield from check.one_target_keys()
    yield from check.worker_pods()
    yield from check.literal_secrets()
    yield from check.config_options()
    yield from check.config_set_twice()


class _Checker:
    def __init__(self, spec: Spec, source: SourceMap, catalog: Catalog) -> None:
        self.spec = spec
        self.source = source
        self.catalog = catalog

    def err(self, path: Path, message: str, key: bool = False) -> Diagnostic:
        span = self.source.key(path) if key else self.source.value(path)
        return Diagnostic(span, "error", f"{format_path(path)}: {message}")

    @property
    def uses_celery(self) -> bool:
        return any("Celery" in e for e in self.spec.executors)

    @property
    def uses_kubernetes(self) -> bool:
        return any("Kubernetes" in e for e in self.spec.executors)

    def executors(self) -> Iterator[Diagnostic]:
        spec, runtime, v = self.spec, self.catalog.runtime, self.catalog.line
        executors = spec.executors
        if isinstance(spec.executor, list) and not runtime.executor_lists:
            yield self.err(("executor",), f"a list of executors needs Airflow 3 (this spec targets {v})")
        if isinstance(spec.executor, list) and len(set(executors)) != len(executors):
            yield self.err(("executor",), "lists an executor twice")
        if "CeleryKubernetesExecutor" in executors and not runtime.celery_kubernetes_executor:
            yield self.err(
                ("executor",),
                "CeleryKubernetesExecutor was removed in Airflow 3; list both: [CeleryExecutor, KubernetesExecutor]",
            )
        if spec.celery is not None and not self.uses_celery:
            yield self.err(("celery",), "set, but no executor uses Celery", key=True)
        if spec.kubernetes_executor is not None and not self.uses_kubernetes:
            yield self.err(
                ("kubernetes_executor",), "set, but no executor runs tasks on Kubernetes", key=True
            )

    def pieces(self) -> Iterator[Diagnostic]:
        spec = self.spec
        if spec.secrets.jwt_secret is not None and place(self.catalog, "jwt_secret") is None:
            yield self.err(
                ("secrets", "jwt_secret"),
                f"Airflow {self.catalog.line} has no JWT secret (it came with Airflow 3)",
                key=True,
            )
        if len(set(spec.targets)) != len(spec.targets):
            yield self.err(("targets",), "lists a target twice")
        if spec.database.kind == "external" and spec.database.url is None:
            yield self.err(("database",), "an external database needs url (a secret reference)", key=True)
        if spec.celery and spec.celery.broker.kind == "external" and spec.celery.broker.url is None:
            yield self.err(
                ("celery", "broker"), "an external broker needs url (a secret reference)", key=True
            )
        repository_set = "repository" in spec.airflow.image.model_fields_set
        if spec.airflow.providers and spec.airflow.image.repository == STOCK_IMAGE:
            yield self.err(
                ("airflow", "image", "repository") if repository_set else ("airflow", "providers"),
                f"the providers go into an image compile writes (image/Dockerfile); {STOCK_IMAGE} names the "
                "stock image, which would run without them: set airflow.image.repository to the name you build "
                "and push it as",
                key=True,
            )
        worker = spec.kubernetes_executor.worker.image if spec.kubernetes_executor else None
        if spec.airflow.providers and worker is not None and worker.repository == STOCK_IMAGE:
            yield self.err(
                ("kubernetes_executor", "worker", "image"),
                f"task pods would run the stock {STOCK_IMAGE}, without airflow.providers: leave it out (the "
                "pods run airflow.image) or name an image that has them",
                key=True,
            )
        git = spec.dags.git_sync
        if git and git.repo.startswith(("git@", "ssh://")) and git.ssh_key_secret is None:
            yield self.err(("dags", "git_sync"), "an SSH repository needs ssh_key_secret", key=True)
        statsd = spec.metrics.statsd
        if statsd.enabled and not statsd.exporter.enabled and statsd.host is None:
            yield self.err(
                ("metrics", "statsd"), "without the statsd-exporter, statsd needs a host to send to", key=True
            )

    # ------------------------------------------------------------------------------------------ per target

    def one_target_keys(self) -> Iterator[Diagnostic]:
        """Keys only one target reads, set in a spec that does not target it: refused, not silently dropped. (A
        spec with both targets may carry each target's keys.)"""
        spec = self.spec
        targets = set(spec.targets)
        dags, database = spec.dags, spec.database
        if "helm" not in targets:
            for name in ("git_sync", "persistence"):
                if getattr(dags, name) is not None:
                    yield self.err(
                        ("dags", name),
                        "only the Helm chart runs it; docker-compose bind-mounts dags.local_path",
                        key=True,
                    )
        if "compose" not in targets:
            if "local_path" in dags.model_fields_set:
                yield self.err(
                    ("dags", "local_path"), "only docker-compose reads it (a host folder)", key=True
                )
            if "postgres_version" in database.model_fields_set:
                yield self.err(
                    ("database", "postgres_version"),
                    "only docker-compose reads it; the chart's bundled PostgreSQL comes with the chart release",
                    key=True,
                )
            broker = spec.celery.broker if spec.celery else None
            if broker is not None and "redis_version" in broker.model_fields_set:
                yield self.err(
                    ("celery", "broker", "redis_version"),
                    "only docker-compose reads it; the chart's bundled Redis comes with the chart release",
                    key=True,
                )
            if "port" in spec.api_server.model_fields_set:
                yield self.err(
                    ("api_server", "port"), "only docker-compose reads it (the host port)", key=True
                )
        if "helm" not in targets:
            for path, resources in _component_resources(spec):
                for kind in ("requests", "limits"):
                    if getattr(resources, kind).ephemeral_storage is not None:
                        yield self.err(
                            (*path, "resources", kind, "ephemeral-storage"),
                            "docker-compose cannot bound a container's scratch space; it is read on Kubernetes only",
                            key=True,
                        )
        if "helm" not in targets and spec.api_server.replicas > 1:
            yield self.err(
                ("api_server", "replicas"),
                "docker-compose runs one api-server (it publishes a host port); scale it on Kubernetes",
            )
        if spec.celery is not None and spec.celery.flower.replicas != 1:
            yield self.err(("celery", "flower", "replicas"), "Flower runs as one instance on every target")
        logs = spec.logging.persistence
        if "helm" in targets and logs is not None and "access_mode" in logs.model_fields_set:
            yield self.err(
                ("logging", "persistence", "access_mode"),
                "the chart's logs volume takes no access mode",
                key=True,
            )
        if self.catalog.runtime.dag_processor_always_separate and not spec.dag_processor.enabled:
            yield self.err(
                ("dag_processor", "enabled"),
                f"Airflow {self.catalog.line} always parses DAGs in a dag-processor; it cannot be turned off",
            )

    def compose(self) -> Iterator[Diagnostic]:
        spec = self.spec
        if "compose" not in spec.targets:
            if spec.compose.overrides:
                yield self.err(("compose", "overrides"), "set, but compose is not a target", key=True)
            return
        logs = spec.logging.persistence
        if logs is not None and "helm" not in spec.targets:
            # docker-compose keeps logs in a named volume: the claim's settings have nothing to act on.
            for name in sorted(
                logs.model_fields_set & {"size", "storage_class", "access_mode", "existing_claim"}
            ):
                yield self.err(
                    ("logging", "persistence", name),
                    "a setting of the Kubernetes volume claim; docker-compose keeps logs in the named volume "
                    "airflow-logs, which has none (leave it out, or target helm too)",
                    key=True,
                )
        if self.uses_kubernetes:
            yield self.err(("targets",), "docker-compose cannot run the KubernetesExecutor; target helm")
        for path, ref in secret_fields(spec):
            if ref.secret is not None:
                yield self.err(
                    path,
                    "a Kubernetes Secret cannot reach docker-compose; use {env: VAR} (set in .env) or {file: PATH}",
                )
            elif ref.file is not None and path == ("database", "password"):
                yield self.err(
                    path, "docker-compose gives the bundled database its password from .env: use {env: VAR}"
                )
            elif ref.file is not None and not self._has_cmd(path):
                yield self.err(
                    path, f"Airflow {self.catalog.line} reads no _cmd variant of it; use {{env: VAR}}"
                )
        for setting, path, why in SHARED_SECRETS:
            where = place(self.catalog, setting)
            if where is not None and secret_ref(spec, path) is None and not spec.development_only:
                yield self.err(
                    ("secrets",),
                    f"docker-compose runs several Airflow processes that must share [{where[0]}] {where[1]} ({why}); "
                    f"set secrets.{setting} ({{env: VAR}})",
                )
        if spec.database.kind == "bundled" and spec.database.password is None and not spec.development_only:
            yield self.err(
                ("database",),
                "the bundled database needs a password on docker-compose: set database.password ({env: VAR})",
            )

    def helm(self) -> Iterator[Diagnostic]:
        spec = self.spec
        if "helm" not in spec.targets:
            if spec.helm != Helm():
                yield self.err(("helm",), "set, but the spec does not target helm", key=True)
            return
        chart = yield from self._chart()
        if chart is not None:
            yield from self._chart_fits(chart, airflow=self._airflow_exact())
        persistence = spec.dags.persistence
        if persistence is not None and persistence.access_mode not in CHART_DAG_ACCESS_MODES:
            yield self.err(
                ("dags", "persistence", "access_mode"),
                f"the chart takes only {', '.join(CHART_DAG_ACCESS_MODES)}",
            )
        yield from self._cmd_refs("Helm chart")

    def _chart(self) -> Generator[Diagnostic, None, str | None]:
        """The chart release the values are for, or None (refused)."""
        airflow = self._airflow_exact()
        chosen = self.spec.helm.chart_version
        if chosen is None:
            fitting = charts.default_for(airflow)
            if fitting is None:
                yield self.err(
                    ("airflow", "version"), f"no Helm chart release airspec knows deploys Airflow {airflow}"
                )
            return fitting
        if chosen not in charts.releases():
            yield self.err(
                ("helm", "chart_version"),
                f"chart {chosen} is not in airspec's catalog; known releases: {', '.join(charts.releases())}",
            )
            return None
        why = charts.unsupported(chosen, airflow)
        if why is not None:
            fitting = charts.default_for(airflow)
            hint = f"; chart {fitting} does" if fitting else ""
            yield self.err(("helm", "chart_version"), f"{why} (this spec targets Airflow {airflow}){hint}")
            return None
        return chosen

    def _airflow_exact(self) -> str:
        return exact_version(self.spec.airflow.version)

    def _chart_fits(self, version: str, airflow: str) -> Iterator[Diagnostic]:
        """What the release cannot carry or its templates refuse at render time, refused at the spec key."""
        spec, chart = self.spec, charts.release(version)
        broker = spec.celery.broker if spec.celery is not None else None
        if self.uses_celery and broker is not None and broker.kind == "external" and broker.url is not None:
            # The chart stops unless data.brokerUrlSecretName or data.brokerUrl names the broker, even when
            # AIRFLOW__CELERY__BROKER_URL comes from elsewhere.
            ref, path = broker.url, ("celery", "broker", "url")
            if ref.env is not None or ref.file is not None:
                yield self.err(
                    path,
                    f"chart {version} needs the broker URL in a Kubernetes Secret (data.brokerUrlSecretName) or as "
                    "data.brokerUrl: use a {secret: {name, key}} reference",
                )
            elif (
                ref.secret is not None
                and ref.secret.key != "connection"
                and "brokerUrlSecretKey" not in chart.data_keys
            ):
                newer = charts.first_with(
                    lambda c: (
                        "brokerUrlSecretKey" in c.data_keys and charts.unsupported(c.version, airflow) is None
                    )
                )
                yield self.err(
                    (*path, "secret", "key"),
                    f"chart {version} reads the broker URL only from the key `connection` of its Secret "
                    f"(data.brokerUrlSecretName); store it under `connection`"
                    + (f", or use chart {newer} (data.brokerUrlSecretKey)" if newer else ""),
                )
        password = spec.database.password
        if spec.database.kind == "bundled" and password is not None and password.literal is None:
            yield self.err(
                ("database", "password"),
                f"chart {version} builds the bundled database's connection from a literal password "
                "(data.metadataConnection.pass), so a reference cannot reach it; use an external database "
                "(database.url), or a literal in a development_only spec",
            )
        if "config" in spec.helm.values:
            yield self.err(
                ("helm", "values", "config"),
                "set Airflow options in the spec's config:, so that airflow.cfg and the chart's agree",
                key=True,
            )

    def worker_pods(self) -> Iterator[Diagnostic]:
        if not self.uses_kubernetes:
            return
        if "helm" not in self.spec.targets:
            yield from self._cmd_refs("task pods")
        k8s = self.spec.kubernetes_executor
        if k8s is None:
            return
        base: Path = ("kubernetes_executor",)
        yield from self._env_list(k8s.worker.env, (*base, "worker", "env"), self._airflow_env_names())
        for name, profile in k8s.profiles.items():
            yield from self._env_list(profile.env, (*base, "profiles", name, "env"), set())

    def _env_list(self, items: list[EnvVar], path: Path, taken: set[str]) -> Iterator[Diagnostic]:
        seen: set[str] = set()
        for i, var in enumerate(items):
            where: Path = (*path, i, "name")
            if var.name in seen:
                yield self.err(where, f"{var.name} is already set earlier in this list")
            elif var.name in taken:
                yield self.err(where, f"{var.name} is already set from the spec's Airflow options or secrets")
            seen.add(var.name)

    def _cmd_refs(self, what: str) -> Iterator[Diagnostic]:
        """On Kubernetes a secret given as {env} or {file} reaches Airflow through `AIRFLOW__..._CMD`, which only
        sensitive options have."""
        for secret in SECRET_SETTINGS:
            ref = secret_ref(self.spec, secret.origin)
            if ref is None or (ref.env is None and ref.file is None):
                continue
            where = place(self.catalog, secret.setting)
            if where is not None and not self._has_cmd(secret.origin):
                yield self.err(
                    secret.origin,
                    f"[{where[0]}] {where[1]} has no _cmd variant for the {what} to read; use a Kubernetes secret reference",
                )

    def _has_cmd(self, origin: Path) -> bool:
        setting = next((s.setting for s in SECRET_SETTINGS if s.origin == origin), None)
        where = place(self.catalog, setting) if setting else None
        option = self.catalog.option(*where) if where else None
        return option is not None and option.sensitive

    def _airflow_env_names(self) -> set[str]:
        """Every AIRFLOW__ variable airspec itself sets in a task pod."""
        places = {(o.section, o.name) for o in [*modelled(self.spec, self.catalog), *configured(self.spec)]}
        if self.catalog.option("core", "execution_api_server_url") is not None:
            places.add(("core", "execution_api_server_url"))
        names = {f"AIRFLOW__{s.upper()}__{n.upper()}" for s, n in places}
        for secret in SECRET_SETTINGS:
            where = place(self.catalog, secret.setting)
            if where is not None:
                name = f"AIRFLOW__{where[0].upper()}__{where[1].upper()}"
                if secret.setting in ("fernet_key", "sql_alchemy_conn") or secret_ref(
                    self.spec, secret.origin
                ):
                    names |= {name, f"{name}_CMD"}
        return names

    # ------------------------------------------------------------------------------------------ secrets

    def literal_secrets(self) -> Iterator[Diagnostic]:
        if self.spec.development_only:
            return
        for path, ref in secret_fields(self.spec):
            if ref.kind == "literal":
                yield self.err(
                    path,
                    "a literal secret; use a reference ({secret: {name, key}}, {env: VAR} or {file: PATH}), "
                    "or mark the spec development_only: true",
                )

    # ------------------------------------------------------------------------------------------ config:

    def config_options(self) -> Iterator[Diagnostic]:
        yield from config_problems(self.spec.config, self.spec.development_only, self.source, self.catalog)

    def config_set_twice(self) -> Iterator[Diagnostic]:
        """`config:` adds options; one that a modelled key already sets is an error, not a silent override, so
        that each fact has one place in the spec."""
        by_place = {(o.section, o.name): o for o in modelled(self.spec, self.catalog)}
        for option in configured(self.spec):
            existing = by_place.get((option.section, option.name))
            if existing is not None:
                yield self.err(
                    option.origin,
                    f"[{option.section}] {option.name} is already set by {format_path(existing.origin)}; "
                    "set it in one place",
                    key=True,
                )


def config_problems(
    config: Mapping[str, Mapping[str, Any]], development_only: bool, source: SourceMap, catalog: Catalog
) -> Iterator[Diagnostic]:
    """`config:` against the option catalog of the target version: unknown, moved, removed, mistyped."""

    def err(path: Path, message: str, key: bool = False) -> Diagnostic:
        span = source.key(path) if key else source.value(path)
        return Diagnostic(span, "error", f"{format_path(path)}: {message}")

    for section, options in config.items():
        for name, value in options.items():
            path: Path = ("config", section, name)
            change = catalog.change(section, name)
            known = catalog.option(section, name)
            if change is not None and change.kind in ("moved", "renamed", "removed") and known is None:
                if change.target:
                    since = change.since or catalog.line
                    msg = f"[{section}] {name} moved to {change.target} in Airflow {since}; set that instead"
                else:
                    msg = (
                        f"[{section}] {name} was removed in Airflow {change.since or catalog.line}"
                        + _namesake(catalog, section, name)
                    )
                yield err(path, msg, key=True)
                continue
            if known is None:
                hint = catalog.suggest(section, name)
                msg = f"[{section}] {name} is not an option of Airflow {catalog.line}"
                if hint:
                    msg += f"; did you mean {hint}?"
                yield err(path, msg, key=True)
                continue
            problem = value_problem(known, value)
            if problem:
                yield err(path, problem)
            allowed = catalog.enum_options.get(section, {}).get(name)
            if allowed and str(value) not in allowed:
                yield err(path, f"expected one of {', '.join(allowed)}")
            if known.sensitive and not development_only and isinstance(value, str) and value:
                yield err(
                    path,
                    f"[{section}] {name} is sensitive; a literal value here would be written into artifacts. "
                    "Use the modelled secret reference, or mark the spec development_only: true",
                )


def _namesake(catalog: Catalog, section: str, name: str) -> str:
    """For a removed option: an option of the same name in another section, and how it differs from the removed
    one as the last line that had it describes it. The same name need not mean the same thing, so it is named,
    not prescribed."""
    others = [o for o in catalog.options() if o.name == name and o.section != section]
    old = last_option(section, name)
    parts = []
    for other in others:
        new = f"{other.type}, default {other.default!r}"
        if old is None:
            facts = new
        elif (old.type, old.default) == (other.type, other.default):
            facts = "the same type and default"
        else:
            facts = f"{new}; the removed one was {old.type}, default {old.default!r}"
        parts.append(
            f"; [{other.section}] {name} has the same name ({facts}): set that instead if it means the same"
        )
    return "".join(parts)


def raw_config_problems(data: Any, source: SourceMap) -> list[Diagnostic]:
    """The catalog problems of `config:` in a spec the models rejected elsewhere, so that one run reports every
    problem: checked when airflow.version and config are themselves valid, from the raw data."""
    from pydantic import TypeAdapter, ValidationError

    from airspec.model.spec import Airflow, Spec

    airflow = data.get("airflow") if isinstance(data, dict) else None
    version = airflow.get("version") if isinstance(airflow, dict) else None
    if not isinstance(data, dict) or "config" not in data or not isinstance(version, str):
        return []
    try:
        version_type: Any = Airflow.model_fields["version"].annotation
        config_type: Any = Spec.model_fields["config"].annotation
        TypeAdapter(version_type).validate_python(version, strict=True)
        catalog = load(version)
        config = TypeAdapter(config_type).validate_python(data["config"], strict=True)
    except (UnknownVersion, ValidationError):
        return []
    return list(config_problems(config, data.get("development_only") is True, source, catalog))


def secret_fields(spec: Spec) -> Iterator[tuple[Path, SecretRef]]:
    """Every secret reference the spec holds, with its path."""
    for secret in SECRET_SETTINGS:
        ref = secret_ref(spec, secret.origin)
        if ref is not None:
            yield secret.origin, ref
    if spec.database.password is not None:
        yield ("database", "password"), spec.database.password


def helm_values(validated: Validated) -> Iterator[Diagnostic]:
    """`helm.values`, checked against what airspec writes: a key airspec sets is refused unless it is the same value,
    and the merged values must pass the release's schema (strict root) and its render-time checks. Runs only on a
    spec that passed every other check, since it needs the values airspec compiles."""
    spec, source = validated.spec, validated.source
    if "helm" not in spec.targets or not spec.helm.values:
        return
    from airspec.render import helm_values as render  # render and resolve import validate, which imports this
    from airspec.resolve import resolve

    resolved = resolve(validated, spec_file="")
    ours = render.airspec_values(resolved)
    base: Path = ("helm", "values")
    conflicts = list(_conflicts(ours, spec.helm.values, ()))
    for path in conflicts:
        yield Diagnostic(
            source.key((*base, *path)),
            "error",
            f"{format_path((*base, *path))}: airspec already sets {format_path(path)} to another value "
            f"(from the spec); change the spec instead",
        )
    if conflicts:  # the merge is not what would be compiled: its other problems follow from these
        return
    merged = render.merge(ours, dict(spec.helm.values))
    version = resolved.chart_version
    for problem in charts.values_problems(version, merged):
        yield Diagnostic(
            source.key(base), "error", f"helm.values (merged with what airspec sets): {problem.message}"
        )
    for path, message in charts.render_refusals(version, merged):
        at = format_path(path) if path else "the root"
        yield Diagnostic(
            source.key(base),
            "error",
            f"helm.values: the merged values fail chart {version}'s templates at {at}: {message}",
        )


def _conflicts(ours: object, theirs: object, path: Path) -> Iterator[Path]:
    """Paths in `theirs` where `ours` already holds another value (mappings are compared key by key)."""
    if not isinstance(theirs, dict):
        return
    assert isinstance(ours, dict)
    for key, value in theirs.items():
        if key not in ours:
            continue
        here: Path = (*path, key)
        if isinstance(value, dict) and isinstance(ours[key], dict):
            yield from _conflicts(ours[key], value, here)
        elif value != ours[key]:
            yield here


def _component_resources(spec: Spec) -> Iterator[tuple[Path, Resources]]:
    """Every component's resources, with the path of the component."""
    for name in ("api_server", "scheduler", "dag_processor", "triggerer"):
        yield (name,), getattr(spec, name).resources
    if spec.celery is not None:
        yield ("celery", "workers"), spec.celery.workers.resources
        yield ("celery", "flower"), spec.celery.flower.resources
