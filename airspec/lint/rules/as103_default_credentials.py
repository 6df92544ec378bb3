"""A credential is a well-known default or a placeholder.

Catches: secrets and passwords whose value is a shipped default or a placeholder: `your_fernet_key_here`,
`changeme`, `<password>`; `airflow:airflow`, `admin:admin` or `postgres:postgres` in connection URLs; the
chart's `createUserJob.defaultUser.password: admin`, `data.metadataConnection.pass: postgres`,
`postgresql.auth.postgresPassword`, and `env:` items anywhere in the values named like a secret
(`POSTGRES_PASSWORD`, `AIRFLOW_CONN_*`); compose variables such as `POSTGRES_PASSWORD: airflow`,
`_AIRFLOW_WWW_USER_PASSWORD: airflow`, and `${VAR:-default}` fallbacks of secrets
(`AIRFLOW__API_AUTH__JWT_SECRET: ${JWT:-airflow_jwt_secret}`); `AIRFLOW_CONN_*` URIs with default credentials;
`--password admin` in a service's command; options the target version does not read count too when their name says
they hold a secret (`[ldap] bind_password = insecure`).

Why: default credentials are the first thing anyone tries; a placeholder fernet key is not a valid key, so
Airflow cannot encrypt connections at all. A `${VAR:-default}` fallback silently deploys the default whenever
the variable is missing.

Bad:

    environment:
      POSTGRES_PASSWORD: airflow
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: postgresql+psycopg2://airflow:airflow@postgres/airflow

Good:

    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: ${AIRFLOW_DB_URL:?set AIRFLOW_DB_URL}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from airspec.envopt import env_option
from airspec.lint.helpers import secret_option, substitution_default, weak_secret
from airspec.lint.inputs import compose_env
from airspec.lint.model import FileContext, Hit, Rule

_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|(^|_)KEY$|_CONN$|_URL$|BACKEND$|^AIRFLOW_CONN_)", re.I
)
_PASSWORD_FLAG = re.compile(r"--password[= ]+['\"]?(?P<value>[^\s'\"]+)")
_HELM_PATHS = (
    ("createUserJob", "defaultUser", "password"),
    ("webserver", "defaultUser", "password"),
    ("data", "metadataConnection", "pass"),
    ("data", "resultBackendConnection", "pass"),
    ("data", "brokerUrl"),
    ("postgresql", "auth", "postgresPassword"),
    ("postgresql", "auth", "password"),
    ("redis", "password"),
    ("fernetKey",),
    ("apiSecretKey",),
    ("jwtSecret",),
    ("webserverSecretKey",),
)


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    for opt in ctx.options:
        reason = weak_secret(opt.value) if secret_option(ctx, opt.section, opt.name) else None
        if reason:
            yield Hit(opt.at, f"{opt.label} is {reason}; generate a real secret")


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    yield from check_cfg(ctx)
    for path in _HELM_PATHS:
        value = ctx.get(*path)
        reason = (
            weak_secret(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else None
        )
        if reason:
            yield Hit(ctx.value(*path), f"{'.'.join(path)} is {reason}; set a real secret (from a Secret)")
    yield from _helm_env(ctx, ctx.data, ())


def _helm_env(ctx: FileContext, node: object, path: tuple[str | int, ...]) -> Iterator[Hit]:
    """`env:` items anywhere in the values (top level, a component's, a sidecar's) named like a secret:
    `POSTGRES_PASSWORD`, `AIRFLOW_CONN_*`. The top level's AIRFLOW__ options are check_cfg's."""
    if isinstance(node, dict):
        name, value = node.get("name"), node.get("value")
        if isinstance(name, str) and isinstance(value, str) and len(path) >= 2 and path[-2] == "env":
            place = env_option(name)
            secret = secret_option(ctx, *place) if place else bool(_SECRET_NAME.search(name))
            reason = weak_secret(value) if secret and not (place and path[:1] == ("env",)) else None
            if reason:
                yield Hit(ctx.value(*path, "value"), f"{name} is {reason}; set a real secret (from a Secret)")
        for key, child in node.items():
            yield from _helm_env(ctx, child, (*path, str(key)))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _helm_env(ctx, child, (*path, index))


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    for name, value, _key, at in compose_env(ctx):
        place = env_option(name)
        secret = secret_option(ctx, *place) if place else bool(_SECRET_NAME.search(name))
        if not secret or value is None or isinstance(value, dict | list | bool):
            continue
        text = str(value)
        fallback = substitution_default(text)
        if fallback is not None:
            yield Hit(
                at,
                f"{name} falls back to the literal {fallback[1]!r} when {fallback[0]} is unset; "
                f"require it instead: ${{{fallback[0]}:?set {fallback[0]}}}",
            )
            continue
        reason = weak_secret(text) if "${" not in text else None
        if reason:
            yield Hit(at, f"{name} is {reason}; generate a real secret and pass it from an env_file")
    yield from _command_passwords(ctx)


def _command_passwords(ctx: FileContext) -> Iterator[Hit]:
    """`airflow users create ... --password airflow` in a service's command or entrypoint."""
    services = ctx.get("services")
    for svc, service in services.items() if isinstance(services, dict) else []:
        for key in ("command", "entrypoint"):
            value = service.get(key) if isinstance(service, dict) else None
            text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")
            match = _PASSWORD_FLAG.search(text)
            reason = weak_secret(match.group("value")) if match else None
            if reason:
                yield Hit(
                    ctx.value("services", svc, key),
                    f"the {key} of service {svc} passes {reason} to --password; "
                    "read it from a variable kept out of the file",
                )


RULE = Rule(
    id="AS103",
    name="default-credentials",
    severity="error",
    category="security",
    files={"airflow.cfg": check_cfg, "helm-values": check_helm, "compose": check_compose},
)
