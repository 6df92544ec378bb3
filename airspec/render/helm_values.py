"""values.yaml for the official Apache Airflow Helm chart.

Two chart lines are targeted, because the chart dropped Airflow 2 on main after chart 1.22.0:
- Airflow 3: the chart as on main after 1.22.0 (`apiServer`, Celery workers under `workers.celery`, custom keys in
  `data.*SecretKey`); the layout 1.20.0 and later accept too.
- Airflow 2: the chart's Airflow 2 line (`webserver`, `workers.replicas`, no `data.*SecretKey`) as its 1.19-era
  schema has it (tests/fixtures/helm-chart-airflow2); 1.20.0 made Airflow 2.11 the minimum, and main dropped
  Airflow 2 after 1.22.0.

`config:` holds exactly the options airflow.cfg holds, written as airflow.cfg writes them (`%` doubled, because the
chart copies each value into its airflow.cfg). The chart passes every `config` value and `podTemplate` through `tpl`,
so a literal `{{` is written as `{{ "{{" }}`. The cluster policy (config/airflow_local_settings.py) goes in
`airflowLocalSettings`, which replaces the chart's own (none on the Airflow 3 chart; on the Airflow 2 line, a UI
warning shown while no static webserver secret key is set).

Sensitive options are wired the way the chart reads them. The chart's built-in variables read fixed secret keys
(`fernet-key`, `api-secret-key`, `webserver-secret-key`, `jwt-secret`, and `connection` for the database, broker and
result backend, where the Airflow 3 chart also takes a custom key in `data.*SecretKey`). A Kubernetes Secret with the
expected key is named in `*SecretName`; one with another key cannot be read by the built-in variable, so that variable
is turned off in `enableBuiltInSecretEnvVars` and the chart's generic `secret:` list sets `AIRFLOW__SECTION__KEY` from
the spec's secret and key. Files and environment variables become `AIRFLOW__SECTION__KEY_CMD`. Literal values (only in
development_only specs) go in the chart's own value keys, from which it makes its Secrets.
"""

from __future__ import annotations

import shlex
from typing import Any, NamedTuple

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
    """How one chart line reads one sensitive option. Values are dotted paths into the chart's values."""

    name_value: str  # names the Kubernetes Secret
    chart_key: str  # the key the built-in variables read from that Secret
    key_value: str  # names another key ("" where the chart has no such value)
    literal_value: str  # takes the value itself, from which the chart makes its Secret ("" where none)
    builtins: tuple[str, ...]  # the chart's built-in variables that read this Secret


class ChartLine(NamedTuple):
    """What differs between the chart lines airspec writes values for."""

    name: str
    web: str  # the web server's section
    celery_workers: tuple[str, ...]  # where Celery worker replicas and resources live
    secrets: dict[tuple[str, str], Wiring]  # by (section, option) as the target Airflow reads it


_FERNET = Wiring("fernetKeySecretName", "fernet-key", "", "fernetKey", ("AIRFLOW__CORE__FERNET_KEY",))

AIRFLOW3_CHART = ChartLine(
    name="the official chart as on main after 1.22.0 (Airflow 3.1 and later)",
    web="apiServer",
    celery_workers=("workers", "celery"),
    secrets={
        ("core", "fernet_key"): _FERNET,
        ("api", "secret_key"): Wiring(
            "apiSecretKeySecretName", "api-secret-key", "", "apiSecretKey", ("AIRFLOW__API__SECRET_KEY",)
        ),
        ("api_auth", "jwt_secret"): Wiring(
            "jwtSecretName", "jwt-secret", "", "jwtSecret", ("AIRFLOW__API_AUTH__JWT_SECRET",)
        ),
        ("database", "sql_alchemy_conn"): Wiring(
            "data.metadataSecretName",
            "connection",
            "data.metadataSecretKey",
            "",
            ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW_CONN_AIRFLOW_DB"),
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
            ("AIRFLOW__CELERY__RESULT_BACKEND",),
        ),
    },
)

AIRFLOW2_CHART = ChartLine(
    name="the official chart with Airflow 2 support (`webserver:`; checked against its 1.19-era schema)",
    web="webserver",
    celery_workers=("workers",),
    secrets={
        ("core", "fernet_key"): _FERNET,
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
            "",
            "",
            (
                "AIRFLOW__CORE__SQL_ALCHEMY_CONN",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
                "AIRFLOW_CONN_AIRFLOW_DB",
            ),
        ),
        ("celery", "broker_url"): Wiring(
            "data.brokerUrlSecretName", "connection", "", "data.brokerUrl", ("AIRFLOW__CELERY__BROKER_URL",)
        ),
        ("celery", "result_backend"): Wiring(
            "data.resultBackendSecretName",
            "connection",
            "",
            "",
            ("AIRFLOW__CELERY__CELERY_RESULT_BACKEND", "AIRFLOW__CELERY__RESULT_BACKEND"),
        ),
    },
)


def chart_line(resolved: Resolved) -> ChartLine:
    return AIRFLOW3_CHART if resolved.catalog.runtime.web_command == "api-server" else AIRFLOW2_CHART


def tpl_literal(value: str) -> str:
    """`value` as text that the chart's `tpl` renders back to `value`."""
    return value.replace("{{", '{{ "{{" }}')


def render(resolved: Resolved) -> str:
    return dump(*document(resolved))


def document(resolved: Resolved) -> Document:
    chart = chart_line(resolved)
    notes: list[str] = []
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
    _wire_secrets(resolved, chart, values, notes)
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
    lines = [
        *header(resolved),
        f"Values for {chart.name}.",
        f"Install as release {resolved.release} in namespace {resolved.namespace} (other names break [metrics] and",
        f"[kubernetes_executor]): helm upgrade --install {resolved.release} apache-airflow/airflow "
        f"--namespace {resolved.namespace} -f values.yaml",
        *notes,
    ]
    return Document(_ordered(values), "\n".join(lines))


def pod_template_body(resolved: Resolved) -> str:
    """The pod template airspec writes, without its leading comment lines."""
    lines = pod_template.render(resolved).splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


def _components(resolved: Resolved, chart: ChartLine) -> dict[str, Any]:
    spec = resolved.spec
    out: dict[str, Any] = {
        chart.web: _component(spec.api_server.replicas, spec.api_server.resources),
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
        workers = _component(celery.workers.replicas, celery.workers.resources)
        for key in reversed(chart.celery_workers):
            workers = {key: workers}
        out.update(workers)
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


def _wire_secrets(resolved: Resolved, chart: ChartLine, values: dict[str, Any], notes: list[str]) -> None:
    builtins_off: dict[str, bool] = {}
    secret_env: list[dict[str, str]] = []
    env: list[dict[str, str]] = []
    for secret in resolved.secrets:
        wiring = chart.secrets.get((secret.section, secret.name))
        if wiring is None:
            raise ValueError(f"no chart wiring for [{secret.section}] {secret.name}")
        ref = secret.ref
        if ref.secret is not None and (ref.secret.key == wiring.chart_key or wiring.key_value):
            _put(values, wiring.name_value, ref.secret.name)
            if ref.secret.key != wiring.chart_key:
                _put(values, wiring.key_value, ref.secret.key)
            continue
        if ref.literal is not None and wiring.literal_value:
            _put(values, wiring.literal_value, ref.literal)
            continue
        # The chart cannot read this reference itself: its variables go off, and ours take their place.
        builtins_off.update(dict.fromkeys(wiring.builtins, False))
        targets = [n for n in wiring.builtins if n in (secret.env_name, "AIRFLOW_CONN_AIRFLOW_DB")]
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
    password = resolved.spec.database.password
    if resolved.spec.database.kind == "bundled" and password is not None and password.literal is None:
        notes.append(
            "database.password is not wired: the chart builds the bundled database's connection from a literal "
            "data.metadataConnection.pass."
        )


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
