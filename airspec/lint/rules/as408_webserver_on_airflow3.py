"""Airflow 3 has no webserver, but the deployment still configures or runs one.

Catches: on Airflow 3 targets, the Helm chart's `webserver:`, `webserverSecretKey` and
`webserverSecretKeySecretName` values (the chart uses `apiServer:` and `apiSecretKey`; AS609 and AS202 leave these
keys to this rule); compose services that
run `airflow webserver`, and health checks on the webserver's `/health` endpoint or on `/api/v1/` (the
api-server answers on `/api/v2/monitor/health`; the scheduler's own `:8974/health` is fine).

Why: `airflow webserver` is not a command of Airflow 3, so the container exits at start; the chart ignores
`webserver:` values for Airflow 3, so replicas, resources and secrets set there do nothing; a health check on a
removed endpoint marks a healthy api-server as failed forever.

Bad:

    airflow-webserver:
      image: apache/airflow:3.3.2
      command: webserver
      healthcheck:
        test: ["CMD", "curl", "--fail", "http://localhost:8080/health"]

Good:

    airflow-apiserver:
      image: apache/airflow:3.3.2
      command: api-server
      healthcheck:
        test: ["CMD", "curl", "--fail", "http://localhost:8080/api/v2/monitor/health"]
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule

# `airflow` CLI commands that Airflow 3 dropped, and what replaced them (tests check this against the CLI
# command lists of 2.11.2 and 3.3.2 in shared/upstream/airflow-config/cli-commands.json).
REMOVED_COMMANDS = {"webserver": "api-server"}
_HELM_KEYS = {
    "webserver": "apiServer",
    "webserverSecretKey": "apiSecretKey",
    "webserverSecretKeySecretName": "apiSecretKeySecretName",
}
_OLD_HEALTH = re.compile(r"https?://[^\s/'\"]+?(?::(?P<port>\d+))?/health(?![\w/])")


def _airflow3(ctx: FileContext) -> bool:
    return ctx.catalog is not None and ctx.catalog.runtime.web_command == "api-server"


def webserver_keys(ctx: FileContext) -> list[str]:
    """The webserver keys of Helm values on Airflow 3 that this rule reports; other rules (the chart schema,
    resource limits) say nothing more about them: one finding per fact."""
    if not _airflow3(ctx):
        return []
    return [k for k in _HELM_KEYS if ctx.has(k) and ctx.get(k) not in (None, "", {})]  # `~` sets nothing


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    for key in webserver_keys(ctx):
        yield Hit(
            ctx.key(key), f"Airflow 3 has no webserver: the chart ignores {key} here; use {_HELM_KEYS[key]}"
        )


def _tokens(command: object) -> list[str]:
    if isinstance(command, str):
        return command.split()
    if isinstance(command, list):
        return [str(c) for c in command]
    return []


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    if not _airflow3(ctx):
        return
    services = ctx.get("services")
    for name, service in services.items() if isinstance(services, dict) else []:
        if not isinstance(service, dict):
            continue
        for token in " ".join(_tokens(service.get("command"))).split():
            if token in REMOVED_COMMANDS:
                yield Hit(
                    ctx.value("services", name, "command"),
                    f"`airflow {token}` is not a command of Airflow 3, so this container exits; run "
                    f"`airflow {REMOVED_COMMANDS[token]}`",
                )
        test = " ".join(_tokens(ctx.get("services", name, "healthcheck", "test")))
        old = _OLD_HEALTH.search(test)
        where = ctx.value("services", name, "healthcheck", "test") if test else None
        if where is None:
            continue
        if "/api/v1/" in test:
            yield Hit(where, "Airflow 3 removed the /api/v1 REST API; check /api/v2/monitor/health instead")
        elif old is not None and old.group("port") != "8974":
            yield Hit(
                where,
                "the webserver's /health endpoint is gone in Airflow 3; the api-server answers on "
                "/api/v2/monitor/health",
            )


RULE = Rule(
    id="AS408",
    name="webserver-on-airflow3",
    severity="error",
    category="upgrade",
    files={"helm-values": check_helm, "compose": check_compose},
)
