"""A secret is written into the file as a literal value.

Catches: options Airflow marks sensitive (`[core] fernet_key`, `[api] secret_key`, `[api_auth] jwt_secret`,
`[database] sql_alchemy_conn` or `[celery] broker_url`/`result_backend` with a password in the URL, ...) given
a literal value in airflow.cfg, Helm `config:`/`env:` or compose `environment:`; and the chart's own secret
values (`fernetKey`, `apiSecretKey`, `jwtSecret`, `webserverSecretKey`, `data.metadataConnection.pass`,
`data.brokerUrl` with a password). An option is sensitive when any Airflow line airspec knows marks it so (1.10
did not mark `[webserver] secret_key`; a literal one there is a secret all the same). An option the target version
does not have counts when its name says it holds a secret (`[ldap] bind_password` on Airflow 2): Airflow does not
read it, but it is in the file all the same.
Specs are checked by validation (AS000).

Why: these files are committed, copied into images and shown in diffs and CI logs; a literal secret there is
readable by everyone who can read the repository. Airflow reads every sensitive option from `<option>_cmd` or
`<option>_secret` (a secrets backend) or an environment variable instead, and the chart from a Secret
(`fernetKeySecretName`, `data.metadataSecretName`, ...).

Bad:

    [core]
    fernet_key = 81HqDtbqAywKSOumSha3BhWNOdQ26slT6K0YaZeZyPs=

Good:

    [core]
    fernet_key_cmd = cat /run/secrets/fernet-key
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import secret_option, url_credentials, weak_secret
from airspec.lint.model import FileContext, Hit, Rule

_HELM_SECRETS = {
    ("fernetKey",): "fernetKeySecretName",
    ("apiSecretKey",): "apiSecretKeySecretName",
    ("jwtSecret",): "jwtSecretName",
    ("webserverSecretKey",): "webserverSecretKeySecretName",
    ("data", "metadataConnection", "pass"): "data.metadataSecretName",
    ("data", "resultBackendConnection", "pass"): "data.resultBackendSecretName",
}
_SECRET_WORDS = ("password", "secret", "token", "key")


def literal_secret(section: str, name: str, value: str | None, ctx: FileContext) -> bool:
    """Whether a value of a sensitive option is a secret written in the file."""
    if not value or not value.strip() or not secret_option(ctx, section, name):
        return False
    if weak_secret(value):
        return False  # a default or placeholder: AS103 says so
    if "://" in value:
        return url_credentials(value) is not None
    if name.endswith(("_kwargs", "_args")):
        return any(word in value.lower() for word in _SECRET_WORDS)
    return True


def _check_options(ctx: FileContext) -> Iterator[Hit]:
    for opt in ctx.options:
        if literal_secret(opt.section, opt.name, opt.value, ctx):
            yield Hit(
                opt.at,
                f"{opt.label} holds a literal secret; read it from {_advice(ctx, opt.section, opt.name)} instead",
            )


def _advice(ctx: FileContext, section: str, name: str) -> str:
    if ctx.kind == "airflow.cfg":
        env = f"AIRFLOW__{section.upper()}__{name.upper()}"
        own = ctx.catalog.option(section, name) if ctx.catalog is not None else None
        if own is None or not own.sensitive:
            return env  # Airflow reads `_cmd`/`_secret` only for the options its own line marks sensitive
        return f"{name}_cmd or {name}_secret (a secrets backend) or {env}"
    if ctx.kind == "compose":
        return "an env_file kept out of the repository, or ${VARIABLE} substitution"
    return "a Kubernetes Secret (env with valueFrom.secretKeyRef, or the chart's *SecretName values)"


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    yield from _check_options(ctx)
    for path, secret_name in _HELM_SECRETS.items():
        value = ctx.get(*path)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            if weak_secret(str(value)) or "{{" in str(value):
                continue
            yield Hit(
                ctx.value(*path), f"{'.'.join(path)} is a literal secret in the values; use {secret_name}"
            )
    broker = ctx.get("data", "brokerUrl")
    if isinstance(broker, str) and url_credentials(broker) and not weak_secret(broker):
        yield Hit(
            ctx.value("data", "brokerUrl"), "data.brokerUrl carries a password; use data.brokerUrlSecretName"
        )


RULE = Rule(
    id="AS102",
    name="literal-secret",
    severity="error",
    category="security",
    files={"airflow.cfg": _check_options, "helm-values": check_helm, "compose": _check_options},
)
