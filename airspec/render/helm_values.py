"""values.yaml for the official Apache Airflow Helm chart, for one release of it (`helm.chart_version`).

What the release has decides where each value goes (airspec.catalog.charts, read from the chart's own files): the web
server under `apiServer` (Airflow 3) or `webserver` (Airflow 2; gone on main after 1.22.0); Celery worker settings
under `workers.celery` where the release has them there (from 1.19; the old `workers.*` names are then not written),
else under `workers`; a Secret's custom key in `data.*SecretKey` only where the release has it (after 1.22.0);
`enableBuiltInSecretEnvVars` names only the variables that release has. `helm.values` is deep-merged last;
validation has refused every key of it that airspec sets to another value, and any result the release's schema or
its render-time checks refuse (semantic.py).

`config:` holds exactly the options airflow.cfg holds, written as airflow.cfg writes them (`%` doubled, because the
chart copies each value into its airflow.cfg). The chart passes every `config` value and `podTemplate` through `tpl`,
so a literal `{{` is written as `{{ "{{" }}`. The cluster policy (config/airflow_local_settings.py) goes in
`airflowLocalSettings`, which replaces the chart's own (none on the Airflow 3 chart; on the Airflow 2 line, a UI
warning shown while no static webserver secret key is set).

Sensitive options are wired the way the chart reads them. The chart's built-in variables read fixed secret keys
(`fernet-key`, `api-secret-key`, `webserver-secret-key`, `jwt-secret`, and `connection` for the database, broker and
result backend, where the newest chart also takes a custom key in `data.*SecretKey`). A Kubernetes Secret with the
expected key is named in `*SecretName`; one with another key (or one the release has no `*SecretName` for) cannot be read by the built-in variable, so that variable
is turned off in `enableBuiltInSecretEnvVars` and the chart's generic `secret:` list sets `AIRFLOW__SECTION__KEY` from
the spec's secret and key. Files and environment variables become `AIRFLOW__SECTION__KEY_CMD`. Literal values (only in
development_only specs) go in the chart's own value keys, from which it makes its Secrets.
"""

from __future__ import annotations

import shlex
from typing import Any, NamedTuple

from airspec.catalog import charts
from airspec.catalog.charts import ChartRelease
from airspec.model.spec import Persistence
from airspec.model.types import Resources
from airspec.options import cfg_number
from airspec.render import local_settings, pod_template
from airspec.render.airflow_cfg import escape, header
from airspec.render.pod_template import container_resources
from airspec.render.statsd import statsd_mappings_data
from airspec.render.yamltext import Document, dump
from airspec.resolve import Resolved, SecretOption


class Wiring(NamedTuple):
    """How the chart reads one sensitive option. Values are dotted paths into the chart's values; "" where the
    release has no such value."""

    name_value: str  # names the Kubernetes Secret
    chart_key: str  # the key the built-in variables read from that Secret
    key_value: str  # names another key
    literal_value: str  # takes the value itself, from which the chart makes its Secret
    builtins: tuple[
        str, ...
    ]  # the chart's built-in variables that read this Secret (enableBuiltInSecretEnvVars)


# Every value any release has, by (section, option) as the target Airflow reads it; `wiring()` keeps what one has.
WIRING = {
    ("core", "fernet_key"): Wiring(
        "fernetKeySecretName", "fernet-key", "", "fernetKey", ("AIRFLOW__CORE__FERNET_KEY",)
    ),
    ("api", "secret_key"): Wiring(
        "apiSecretKeySecretName", "api-secret-key", "", "apiSecretKey", ("AIRFLOW__API__SECRET_KEY",)
    ),
    ("api_auth", "jwt_secret"): Wiring(
        "jwtSecretName", "jwt-secret", "", "jwtSecret", ("AIRFLOW__API_AUTH__JWT_SECRET",)
    ),
    ("webserver", "secret_key"): Wiring(
        "webserverSecretKeySecretName",
        "webserver-secret-key",
        "",
        "webserverSecretKey",
        ("AIRFLOW__WEBSERVER__SECRET_KEY",),
    ),
    ("database", "sql_alchemy_conn"): Wiring(
        "data.metadataSecretName",
        "connection",
        "data.metadataSecretKey",
        "",
        ("AIRFLOW__CORE__SQL_ALCHEMY_CONN", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW_CONN_AIRFLOW_DB"),
    ),
    ("celery", "broker_url"): Wiring(
        "data.brokerUrlSecretName",
        "connection",
        "data.brokerUrlSecretKey",
        "data.brokerUrl",
        ("AIRFLOW__CELERY__BROKER_URL",),
    ),
    ("celery", "result_backend"): Wiring(
        "data.resultBackendSecretName",
        "connection",
        "data.resultBackendSecretKey",
        "",
        ("AIRFLOW__CELERY__CELERY_RESULT_BACKEND", "AIRFLOW__CELERY__RESULT_BACKEND"),
    ),
}


def has_value(chart: ChartRelease, dotted: str) -> bool:
    """Whether the release has the value at `dotted` (a top-level key, or a key of the strict `data:`)."""
    if dotted.startswith("data."):
        return dotted[len("data.") :] in chart.data_keys
    return bool(dotted) and dotted in chart.top_level_keys


def wiring(chart: ChartRelease, section: str, name: str) -> Wiring:
    """How release `chart` reads [section] name: the values and built-in variables it has."""
    full = WIRING[(section, name)]
    return Wiring(
        full.name_value if has_value(chart, full.name_value) else "",
        full.chart_key,
        full.key_value if has_value(chart, full.key_value) else "",
        full.literal_value if has_value(chart, full.literal_value) else "",
        tuple(b for b in full.builtins if b in chart.builtin_secret_env_vars),
    )


def chart_of(resolved: Resolved) -> ChartRelease:
    return charts.release(resolved.chart_version)


def web_section(resolved: Resolved) -> str:
    return "apiServer" if resolved.catalog.runtime.web_command == "api-server" else "webserver"


def tpl_literal(value: str) -> str:
    """`value` as text that the chart's `tpl` renders back to `value`."""
    return value.replace("{{", '{{ "{{" }}')


def render(resolved: Resolved) -> str:
    return dump(*document(resolved))


def document(resolved: Resolved) -> Document:
    chart = chart_of(resolved)
    notes: list[str] = []
    values = merge(airspec_values(resolved, notes), dict(resolved.spec.helm.values))
    namespace = resolved.namespace
    if chart.released:
        install = [
            f"[kubernetes_executor]): helm upgrade --install {resolved.release} apache-airflow/airflow "
            f"--version {chart.version} --namespace {namespace} -f values.yaml",
        ]
    else:
        install = [
            f"[kubernetes_executor]); chart {chart.version} is not published: from chart/ of apache/airflow at "
            f"{chart.commit}:",
            f"helm upgrade --install {resolved.release} ./chart --namespace {namespace} -f values.yaml",
        ]
    lines = [
        *header(resolved),
        f"Values for the official Apache Airflow Helm chart {chart.version}"
        + ("." if chart.exact else f" (checked against the chart as on {chart.ref})."),
        f"Install as release {resolved.release} in namespace {namespace} (other names break [metrics] and",
        *install,
        *notes,
    ]
    return Document(values, "\n".join(lines))


def airspec_values(resolved: Resolved, notes: list[str] | None = None) -> dict[str, Any]:
    """The values airspec itself writes for the spec's chart release, without `helm.values`."""
    chart = chart_of(resolved)
    values: dict[str, Any] = {
        # The chart names the StatsD Service `<fullname>-statsd`, and fullname is `<release>-airflow` unless the
        # release name contains "airflow"; the override makes it `<release>-statsd`, the host [metrics] names.
        "fullnameOverride": resolved.release,
        "airflowVersion": resolved.airflow_version,
        "defaultAirflowRepository": resolved.image_repository,
        "defaultAirflowTag": resolved.image_tag,
        "executor": ",".join(resolved.executors),
    }
    values.update(_components(resolved, chart))
    values.update(_backends(resolved))
    _wire_secrets(resolved, chart, values, [] if notes is None else notes)
    values["dags"] = _dags(resolved)
    persistence = resolved.spec.logging.persistence
    if persistence is not None:
        values["logs"] = {"persistence": _persistence(persistence, access_mode=False)}
    values["config"] = {
        section: {name: tpl_literal(escape(value)) for name, value in options.items()}
        for section, options in resolved.sections().items()
    }
    if resolved.uses_kubernetes:
        values["podTemplate"] = tpl_literal(pod_template_body(resolved))
    if local_settings.applies(resolved):
        # The chart writes it into its `<release>-airflow-config` ConfigMap (through `tpl`; the text has no `{{`)
        # and mounts it at <airflowHome>/config/airflow_local_settings.py in every Airflow container.
        values["airflowLocalSettings"] = local_settings.render(resolved)
    return _ordered(values)


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` deep-merged over `base` (mappings merge, anything else replaces); new keys come last."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def pod_template_body(resolved: Resolved) -> str:
    """The pod template airspec writes, without its leading comment lines."""
    lines = pod_template.render(resolved).splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


def _components(resolved: Resolved, chart: ChartRelease) -> dict[str, Any]:
    spec = resolved.spec
    out: dict[str, Any] = {
        web_section(resolved): _component(spec.api_server.replicas, spec.api_server.resources),
        "scheduler": _component(spec.scheduler.replicas, spec.scheduler.resources),
        # A disabled component's replicas and resources would be ignored: only `enabled` is written then.
        "triggerer": {"enabled": resolved.runs_triggerer},
        "dagProcessor": {"enabled": resolved.runs_dag_processor},
    }
    if resolved.runs_triggerer:
        out["triggerer"].update(_component(spec.triggerer.replicas, spec.triggerer.resources))
    if resolved.runs_dag_processor:
        out["dagProcessor"].update(_component(spec.dag_processor.replicas, spec.dag_processor.resources))
    if resolved.uses_celery:
        celery = resolved.celery
        out["workers"] = _celery_workers(chart, _component(celery.workers.replicas, celery.workers.resources))
        flower: dict[str, Any] = {"enabled": celery.flower.enabled}
        resources = container_resources(celery.flower.resources)
        if resources:
            flower["resources"] = resources
        out["flower"] = flower
    statsd = spec.metrics.statsd
    # The chart's exporter runs only when Airflow sends metrics to it; an explicit host is someone else's.
    exporter = statsd.enabled and statsd.exporter.enabled and statsd.host is None
    out["statsd"] = {"enabled": exporter}
    if exporter:
        # overrideMappings, not extraMappings: the chart appends extraMappings after its defaults, statsd_exporter
        # takes the first matching glob, so the defaults (three of which match nothing on Airflow 3) would win.
        out["statsd"]["overrideMappings"] = statsd_mappings_data(resolved)
    if exporter:
        out["ports"] = {"statsdIngest": statsd.port}
    if resolved.uses_celery and resolved.celery.flower.enabled:
        out.setdefault("ports", {})["flowerUI"] = resolved.celery.flower.port  # the Service's port for Flower
    return out


def _celery_workers(chart: ChartRelease, given: dict[str, Any]) -> dict[str, Any]:
    """Celery worker settings at their place in the release: under `workers.celery` where it has the key (from
    1.19; the old place then only prints a deprecation warning), else directly under `workers`."""
    out: dict[str, Any] = {}
    for key, value in given.items():
        if key in chart.workers_celery_keys:
            out.setdefault("celery", {})[key] = value
        else:
            out[key] = value
    return out


def _component(replicas: int, resources: Resources) -> dict[str, Any]:
    out: dict[str, Any] = {"replicas": replicas}
    given = container_resources(resources)
    if given:
        out["resources"] = given
    return out


def _backends(resolved: Resolved) -> dict[str, Any]:
    spec = resolved.spec
    bundled_db = spec.database.kind == "bundled"
    out: dict[str, Any] = {"postgresql": {"enabled": bundled_db}}
    password = spec.database.password
    if bundled_db and password is not None and password.literal is not None:
        # The chart builds its metadata connection from data.metadataConnection; the subchart takes the same
        # password for its admin user.
        out["postgresql"]["auth"] = {"postgresPassword": password.literal}
        out["data"] = {"metadataConnection": {"pass": password.literal}}
    bundled_redis = resolved.uses_celery and resolved.celery.broker.kind == "bundled"
    out["redis"] = {"enabled": bundled_redis}
    return out


def _wire_secrets(resolved: Resolved, chart: ChartRelease, values: dict[str, Any], notes: list[str]) -> None:
    builtins_off: dict[str, bool] = {}
    secret_env: list[dict[str, str]] = []
    env: list[dict[str, str]] = []
    for secret in resolved.secrets:
        wired = wiring(chart, secret.section, secret.name)
        ref = secret.ref
        if (
            ref.secret is not None
            and wired.name_value
            and (ref.secret.key == wired.chart_key or wired.key_value)
        ):
            _put(values, wired.name_value, ref.secret.name)
            if ref.secret.key != wired.chart_key:
                _put(values, wired.key_value, ref.secret.key)
            continue
        if ref.literal is not None and wired.literal_value:
            _put(values, wired.literal_value, ref.literal)
            continue
        # The chart cannot read this reference itself: its variables go off, and ours take their place.
        builtins_off.update(dict.fromkeys(wired.builtins, False))
        targets = [secret.env_name, *(n for n in wired.builtins if n == "AIRFLOW_CONN_AIRFLOW_DB")]
        if ref.secret is not None:
            secret_env += [
                {"envName": n, "secretName": ref.secret.name, "secretKey": ref.secret.key} for n in targets
            ]
        elif ref.literal is not None:  # Kubernetes expands $(VAR) in env values; $$ is a literal $
            env += [{"name": n, "value": ref.literal.replace("$", "$$")} for n in targets]
        else:
            env.append({"name": f"{secret.env_name}_CMD", "value": _command(secret)})
            if ref.env is not None:
                note = f"{ref.env} must be set in every Airflow container (e.g. through extraEnvFrom)."
                if note not in notes:
                    notes.append(note)
    if builtins_off:
        values["enableBuiltInSecretEnvVars"] = builtins_off
    if secret_env:
        values["secret"] = secret_env
    if env:
        values["env"] = env


def _command(secret: SecretOption) -> str:
    """An `_CMD` that prints the referenced value; Airflow runs it with shlex.split, without a shell. (Validation
    refuses {env}/{file} for an option that has no `_cmd` variant.)"""
    ref = secret.ref
    if ref.env is not None:
        return f"printenv {ref.env}"
    # The spec model allows only absolute paths of safe characters here.
    return f"cat {shlex.quote(ref.file or '')}"


def _put(values: dict[str, Any], dotted: str, value: str) -> None:
    *parents, leaf = dotted.split(".")
    for key in parents:
        values = values.setdefault(key, {})
    values[leaf] = value


def _dags(resolved: Resolved) -> dict[str, Any]:
    dags = resolved.spec.dags
    # The chart mounts the DAG volume at dags.mountPath and git-sync links the checkout at <mountPath>/repo, which
    # is where [core] dags_folder points.
    out: dict[str, Any] = {"mountPath": dags.folder}
    if dags.persistence is not None:
        out["persistence"] = _persistence(dags.persistence, access_mode=True)
    git = dags.git_sync
    if git is not None:
        sync: dict[str, Any] = {
            "enabled": True,
            "repo": git.repo,
            # The chart passes branch/rev to git-sync v3 and ref to v4; v4 lets branch/rev override ref, so all
            # three say the same (v4's --ref is the branch for rev HEAD, else the rev).
            "branch": git.branch,
            "rev": git.rev,
            "ref": git.branch if git.rev == "HEAD" else git.rev,
            "depth": git.depth,
            # `period` is a Go duration; the chart's older `wait` (seconds) would take precedence, so it stays unset.
            "period": f"{cfg_number(git.wait)}s",
            "subPath": git.sub_path,
        }
        if git.ssh_key_secret is not None:
            sync["sshKeySecret"] = git.ssh_key_secret
        if git.known_hosts is not None:
            sync["knownHosts"] = git.known_hosts
        if git.credentials_secret is not None:
            sync["credentialsSecret"] = git.credentials_secret
        out["gitSync"] = sync
    return out


def _persistence(p: Persistence, access_mode: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"enabled": True, "size": p.size}
    if p.storage_class is not None:
        out["storageClassName"] = p.storage_class
    if access_mode:  # the chart's logs volume has no access mode value
        out["accessMode"] = p.access_mode
    if p.existing_claim is not None:
        out["existingClaim"] = p.existing_claim
    return out


_ORDER = (
    "fullnameOverride",
    "airflowVersion",
    "defaultAirflowRepository",
    "defaultAirflowTag",
    "executor",
    "fernetKey",
    "fernetKeySecretName",
    "apiSecretKey",
    "apiSecretKeySecretName",
    "webserverSecretKey",
    "webserverSecretKeySecretName",
    "jwtSecret",
    "jwtSecretName",
    "enableBuiltInSecretEnvVars",
    "secret",
    "env",
    "data",
    "postgresql",
    "redis",
    "apiServer",
    "webserver",
    "scheduler",
    "dagProcessor",
    "triggerer",
    "workers",
    "flower",
    "statsd",
    "ports",
    "dags",
    "logs",
    "config",
    "podTemplate",
    "airflowLocalSettings",
)


def _ordered(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(_ORDER)
    if unknown:
        raise ValueError(f"values keys without a place in the order: {sorted(unknown)}")
    return {key: values[key] for key in _ORDER if key in values}
