"""Helm values and compose files beyond their Airflow options: components, replicas, resources, images, DAG
delivery, log volumes, StatsD and the bundled database and broker, each reported at the key it was read from. What
the spec does not model is carried by `importer.values` (`helm.values`) and `importer.services`
(`compose.overrides`).
"""

from __future__ import annotations

from typing import Any

from airspec.importer.draft import DROPPED, MODELLED, Draft
from airspec.lint import inputs
from airspec.lint.model import FileContext, dig

# Helm component -> spec component; the chart's `enabled` where the spec has it.
COMPONENTS = {
    "scheduler": ("scheduler",),
    "apiServer": ("api_server",),
    "webserver": ("api_server",),
    "dagProcessor": ("dag_processor",),
    "triggerer": ("triggerer",),
    "workers": ("celery", "workers"),
}
_OPTIONAL = ("dagProcessor", "triggerer")
# Chart keys read elsewhere (Airflow options, versions) or written by compile from other spec keys.
_SECRET_NAMES = {
    "fernetKeySecretName": (("secrets", "fernet_key"), "fernet-key"),
    "apiSecretKeySecretName": (("secrets", "api_secret_key"), "api-secret-key"),
    "webserverSecretKeySecretName": (("secrets", "api_secret_key"), "webserver-secret-key"),
    "jwtSecretName": (("secrets", "jwt_secret"), "jwt-secret"),
}


# Literal secrets the chart takes as values: never copied, turned into a reference to a Secret to create.
_LITERAL_SECRETS = {
    "fernetKey": (("secrets", "fernet_key"), "fernet-key"),
    "apiSecretKey": (("secrets", "api_secret_key"), "api-secret-key"),
    "webserverSecretKey": (("secrets", "api_secret_key"), "webserver-secret-key"),
    "jwtSecret": (("secrets", "jwt_secret"), "jwt-secret"),
}


def executor_of(files: list[FileContext]) -> str | list[str] | None:
    """The executor the last file that names one names ([core] executor, or the chart's `executor`)."""
    for ctx in reversed(files):
        opt = ctx.option("core", "executor")
        named = opt.value if opt is not None and opt.value else None
        if named is None and ctx.kind == "helm-values":
            named = ctx.get("executor")
        found = inputs.executors_of(named) if isinstance(named, str) else []
        if found:
            return found[0] if len(found) == 1 else found
    return None


def helm(ctx: FileContext, draft: Draft, api_server: bool) -> None:
    """`api_server`: the target version runs the api-server (Airflow 3); the chart's section for it is read
    (`apiServer`, or `webserver` when the file has only that), the other is left to the passthrough."""
    data = ctx.data if isinstance(ctx.data, dict) else {}
    web = "apiServer" if (api_server and "apiServer" in data) or "webserver" not in data else "webserver"
    if isinstance(data.get("executor"), str):
        draft.row(ctx.key("executor"), "executor", MODELLED, "executor")
    for version_path in (("airflowVersion",), ("defaultAirflowTag",), ("images", "airflow", "tag")):
        if inputs.version_in(dig(data, version_path)):
            draft.row(ctx.key(*version_path), ".".join(version_path), MODELLED, "airflow.version")
    for key, path in COMPONENTS.items():
        section = data.get(key)
        if not isinstance(section, dict) or (key in ("apiServer", "webserver") and key != web):
            continue
        celery = section.get("celery") if key == "workers" else None
        if isinstance(celery, dict):  # newer charts: the Celery workers' own section
            for field in ("replicas", "resources"):
                if field in celery:
                    value = celery[field]
                    if field == "resources" and isinstance(value, dict):
                        value = {k: v for k, v in value.items() if k in ("requests", "limits") and v}
                    if value not in (None, {}) and not isinstance(value, bool):
                        _put(ctx, draft, (key, "celery", field), (*path, field), value)
        if isinstance(section.get("replicas"), int) and not isinstance(section.get("replicas"), bool):
            _put(ctx, draft, (key, "replicas"), (*path, "replicas"), section["replicas"])
        resources = section.get("resources")
        if isinstance(resources, dict) and resources:
            kept = {k: v for k, v in resources.items() if k in ("requests", "limits") and v}
            if kept:
                _put(ctx, draft, (key, "resources"), (*path, "resources"), kept)
        if key in _OPTIONAL and isinstance(section.get("enabled"), bool):
            _put(ctx, draft, (key, "enabled"), (*path, "enabled"), section["enabled"])
    repository = data.get("defaultAirflowRepository")
    if isinstance(repository, str) and repository != "apache/airflow":
        _put(ctx, draft, ("defaultAirflowRepository",), ("airflow", "image", "repository"), repository)
    if isinstance(data.get("fullnameOverride"), str) and data["fullnameOverride"]:
        _put(ctx, draft, ("fullnameOverride",), ("kubernetes", "release"), data["fullnameOverride"])
    for key, kind in (("postgresql", ("database", "kind")), ("redis", ("celery", "broker", "kind"))):
        enabled = dig(data, (key, "enabled"))
        if isinstance(enabled, bool):
            if kind[0] == "celery" and not _celery(draft):
                draft.row(ctx.key(key, "enabled"), f"{key}.enabled", DROPPED, "", "no Celery executor")
                continue
            _put(ctx, draft, (key, "enabled"), kind, "bundled" if enabled else "external")
    statsd = data.get("statsd")
    if isinstance(statsd, dict) and isinstance(statsd.get("enabled"), bool):
        # The chart's default config turns [metrics] statsd_on on with its exporter: off, StatsD is off.
        on: tuple[str, ...] = ("metrics", "statsd", "exporter", "enabled")
        _put(
            ctx, draft, ("statsd", "enabled"), on if statsd["enabled"] else on[:2] + on[3:], statsd["enabled"]
        )
    flower = dig(data, ("flower", "enabled"))
    if isinstance(flower, bool) and _celery(draft):
        _put(ctx, draft, ("flower", "enabled"), ("celery", "flower", "enabled"), flower)
    for key, (origin, secret_key) in _SECRET_NAMES.items():
        if isinstance(data.get(key), str) and data[key]:
            ref = {"secret": {"name": data[key], "key": secret_key}}
            _put(ctx, draft, (key,), origin, ref)
            draft.chart_secrets[".".join(origin)] = key
    for key, (origin, secret_key) in _LITERAL_SECRETS.items():
        if data.get(key) in (None, ""):
            continue
        where = ctx.key(key)
        if draft.get(origin) is not None:
            draft.row(where, key, DROPPED, "", f"superseded by the Secret named for {'.'.join(origin)}")
            continue
        name = f"airflow-{secret_key}"
        draft.put(origin, {"secret": {"name": name, "key": secret_key}})
        draft.chart_secrets[".".join(origin)] = key
        draft.row(where, key, "secret reference", ".".join(origin), "a literal secret was not copied")
        draft.todos.append(
            f"{'.'.join(origin)}: the value at {ctx.file}:{where.line} was not copied; "
            f"create Kubernetes Secret {name} with key {secret_key} holding it"
        )
    data_secrets: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("metadataSecretName", ("database", "url")),
        ("brokerUrlSecretName", ("celery", "broker", "url")),
        ("resultBackendSecretName", ("celery", "result_backend", "url")),
    )
    for key, path in data_secrets:
        name = dig(data, ("data", key))
        if isinstance(name, str) and name and (path[0] == "database" or _celery(draft)):
            _put(ctx, draft, ("data", key), path, {"secret": {"name": name, "key": "connection"}})
            draft.chart_secrets[".".join(path)] = f"data.{key}"
    _literal_broker(ctx, draft, data)
    mount = dig(data, ("dags", "mountPath"))
    if mount == "/opt/airflow/dags":
        draft.row(
            ctx.key("dags", "mountPath"), "dags.mountPath", DROPPED, "", "compile writes it (dags.folder)"
        )
    _secret_env(ctx, draft, data)
    _dags(ctx, draft, data)


def _literal_broker(ctx: FileContext, draft: Draft, data: dict[str, Any]) -> None:
    """`data.brokerUrl` written inline (with its password) for an external broker: a Secret reference to create."""
    url = dig(data, ("data", "brokerUrl"))
    external = dig(data, ("redis", "enabled")) is False
    if not (isinstance(url, str) and url and external and _celery(draft)):
        return
    where = ctx.key("data", "brokerUrl")
    if draft.get(("celery", "broker", "url")) is not None:
        draft.row(where, "data.brokerUrl", DROPPED, "", "superseded by data.brokerUrlSecretName")
        return
    draft.put(("celery", "broker", "url"), {"secret": {"name": "airflow-broker-url", "key": "connection"}})
    draft.chart_secrets["celery.broker.url"] = "data.brokerUrl"
    draft.row(
        where, "data.brokerUrl", "secret reference", "celery.broker.url", "a literal secret was not copied"
    )
    draft.todos.append(
        f"celery.broker.url: the value at {ctx.file}:{where.line} was not copied; create Kubernetes Secret "
        "airflow-broker-url with key connection holding it"
    )


def _secret_env(ctx: FileContext, draft: Draft, data: dict[str, Any]) -> None:
    """`secret:` entries that feed a modelled secret's AIRFLOW__ variable from a Secret; the built-in variable they
    replace is switched off in `enableBuiltInSecretEnvVars` (compile writes both from the reference)."""
    from airspec.envopt import env_option
    from airspec.importer.options import SECRETS, setting_at

    wired: set[str] = set()
    items = data.get("secret")
    for index, item in enumerate(items if isinstance(items, list) else []):
        name, secret, key = (
            item.get(k) if isinstance(item, dict) else None for k in ("envName", "secretName", "secretKey")
        )
        place = env_option(name) if isinstance(name, str) else None
        setting = setting_at(*place) if place else None
        if setting in SECRETS and isinstance(secret, str) and isinstance(key, str):
            _put(ctx, draft, ("secret", index), SECRETS[setting], {"secret": {"name": secret, "key": key}})
            draft.chart_secrets[".".join(SECRETS[setting])] = f"secret[{index}]"
            wired.add(str(name))
    builtin = data.get("enableBuiltInSecretEnvVars")
    switches: dict[str, Any] = builtin if isinstance(builtin, dict) else {}
    for name, on in switches.items():
        where = ctx.key("enableBuiltInSecretEnvVars", name)
        if name in wired and on is False:
            draft.row(
                where,
                f"enableBuiltInSecretEnvVars.{name}",
                DROPPED,
                "",
                "compile writes it with the secret reference",
            )


def _celery(draft: Draft) -> bool:
    executor = draft.get(("executor",))
    names = executor if isinstance(executor, list) else [executor]
    return any(isinstance(n, str) and "Celery" in n for n in names)


def _put(
    ctx: FileContext, draft: Draft, where: tuple[str | int, ...], path: tuple[str, ...], value: Any
) -> None:
    draft.put(path, value)
    draft.row(ctx.key(*where), ".".join(str(p) for p in where), MODELLED, ".".join(path))


def _persistence(ctx: FileContext, draft: Draft, where: tuple[str, ...], path: tuple[str, ...]) -> None:
    """An enabled persistence section: the keys the spec models, each reported (the others are passthroughs)."""
    section = dig(ctx.data, where)
    if not isinstance(section, dict) or section.get("enabled") is not True:
        return
    out: dict[str, Any] = {}
    draft.row(ctx.key(*where, "enabled"), ".".join((*where, "enabled")), MODELLED, ".".join(path))
    for chart_key, spec_key in (
        ("size", "size"),
        ("storageClassName", "storage_class"),
        ("accessMode", "access_mode"),
        ("existingClaim", "existing_claim"),
    ):
        if isinstance(section.get(chart_key), str) and section[chart_key]:
            out[spec_key] = section[chart_key]
            _row(ctx, draft, (*where, chart_key), (*path, spec_key))
    draft.put(path, out)


def _row(ctx: FileContext, draft: Draft, where: tuple[str | int, ...], path: tuple[str, ...]) -> None:
    draft.row(ctx.key(*where), ".".join(str(p) for p in where), MODELLED, ".".join(path))


def _dags(ctx: FileContext, draft: Draft, data: dict[str, Any]) -> None:
    git = dig(data, ("dags", "gitSync"))
    if isinstance(git, dict) and git.get("enabled") is True and isinstance(git.get("repo"), str):
        base = ("dags", "gitSync")
        spec: dict[str, Any] = {}
        draft.row(ctx.key(*base, "enabled"), "dags.gitSync.enabled", MODELLED, "dags.git_sync")
        for chart_key, spec_key in (
            ("repo", "repo"),
            ("branch", "branch"),
            ("rev", "rev"),
            ("subPath", "sub_path"),
            ("sshKeySecret", "ssh_key_secret"),
            ("credentialsSecret", "credentials_secret"),
            ("knownHosts", "known_hosts"),
        ):
            if isinstance(git.get(chart_key), str) and git[chart_key]:
                spec[spec_key] = git[chart_key]
                _row(ctx, draft, (*base, chart_key), ("dags", "git_sync", spec_key))
        if isinstance(git.get("depth"), int):
            spec["depth"] = git["depth"]
            _row(ctx, draft, (*base, "depth"), ("dags", "git_sync", "depth"))
        period = "period" if "period" in git else "wait"
        if isinstance(git.get(period), int | str):
            spec["wait"] = git[period]
            _row(ctx, draft, (*base, period), ("dags", "git_sync", "wait"))
        draft.put(("dags", "git_sync"), spec)
    _persistence(ctx, draft, ("dags", "persistence"), ("dags", "persistence"))
    _persistence(ctx, draft, ("logs", "persistence"), ("logging", "persistence"))


_COMPOSE_COMPONENTS = {
    "airflow-scheduler": ("scheduler",),
    "airflow-worker": ("celery", "workers"),
    "airflow-dag-processor": ("dag_processor",),
    "airflow-triggerer": ("triggerer",),
}
_BUNDLED = {
    "postgres": (("database", "postgres_version"), "postgres"),
    "redis": (("celery", "broker", "redis_version"), "redis"),
}


def compose(ctx: FileContext, draft: Draft) -> None:
    services = ctx.get("services")
    if not isinstance(services, dict):
        return
    names = {str(n) for n in services}
    draft.services |= names
    for path, image in inputs.compose_images(ctx.data):
        found = inputs.airflow_image(image)
        if found is not None and inputs.version_in(found[1]):
            draft.row(ctx.value(*path), ".".join(path), MODELLED, "airflow.version")
    for name in sorted(names):
        password = dig(services[name], ("environment", "POSTGRES_PASSWORD"))
        if isinstance(password, str) and password:
            from airspec.importer.options import env_reference

            where = ("services", name, "environment", "POSTGRES_PASSWORD")
            variable = env_reference(password)
            draft.put(("database", "password"), {"env": variable or "POSTGRES_PASSWORD"})
            draft.row(ctx.key(*where), "POSTGRES_PASSWORD", "secret reference", "database.password")
            if variable is None:
                draft.todos.append(
                    f"database.password: the value at {ctx.file}:{ctx.key(*where).line} was not copied; "
                    "put it in POSTGRES_PASSWORD (.env)"
                )
        replicas = dig(services[name], ("deploy", "replicas"))
        component = _COMPOSE_COMPONENTS.get(name)
        if component and isinstance(replicas, int) and not isinstance(replicas, bool):
            _put(ctx, draft, ("services", name, "deploy", "replicas"), (*component, "replicas"), replicas)
        image = dig(services[name], ("image",))
        if name in _BUNDLED and isinstance(image, str) and ":" in image:
            path, image_of = _BUNDLED[name]
            tag = image.rsplit(":", 1)[1]
            if image.startswith(image_of + ":") and tag.replace(".", "").isdigit():
                _put(ctx, draft, ("services", name, "image"), path, tag)
        if "flower" in name:
            _put(ctx, draft, ("services", name), ("celery", "flower", "enabled"), True)
    for name in sorted(names):
        ports = dig(services[name], ("ports",))
        if ("apiserver" in name or "webserver" in name) and isinstance(ports, list) and ports:
            host = str(ports[0]).split(":")[0]
            if host.isdigit():
                _put(ctx, draft, ("services", name, "ports", 0), ("api_server", "port"), int(host))
