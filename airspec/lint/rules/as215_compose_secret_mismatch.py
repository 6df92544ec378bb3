"""Airflow 3 services of a compose file do not share the same JWT secret or API secret key.

Catches: when services run the Airflow 3 image, the long-running ones (api-server, scheduler, dag-processor,
triggerer, workers) setting `[api_auth] jwt_secret` or `[api] secret_key` (as AIRFLOW__ variables, their `_CMD` or
`_SECRET` forms, or `[webserver] secret_key`'s old name) to different values, or some setting it and others not;
and, when no service sets one and none reads a shared airflow.cfg (AIRFLOW_CONFIG, or a mounted `airflow.cfg`),
each container making up its own. Values are compared as written (`${JWT_SECRET}` everywhere is one value) and
never shown. A service that signs with a key pair (`AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH`) is left alone.

Why: in Airflow 3 the scheduler signs each task's token with the JWT secret and the api-server checks it when the
task calls the execution API; the api-server signs its requests for task logs with the secret key and the workers'
log servers check them. Airflow makes up a random secret when none is set (and writes one into every new
airflow.cfg), so containers that do not share one reject each other: tasks fail at start with 403s, logs of running
tasks cannot be read.

Bad:

    airflow-apiserver:
      environment:
        AIRFLOW__API_AUTH__JWT_SECRET: ${JWT_SECRET}
    airflow-scheduler:
      environment:
        AIRFLOW__CORE__EXECUTOR: LocalExecutor

Good:

    x-airflow-common: &airflow-common
      environment:
        AIRFLOW__API_AUTH__JWT_SECRET: ${JWT_SECRET:?set JWT_SECRET}
        AIRFLOW__API__SECRET_KEY: ${API_SECRET_KEY:?set API_SECRET_KEY}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airspec.lint.compose import environment, runs_airflow, services, words
from airspec.lint.model import FileContext, Hit, Rule

_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer", "worker")
_SECRETS = {
    "JWT secret ([api_auth] jwt_secret)": ("AIRFLOW__API_AUTH__JWT_SECRET",),
    "API secret key ([api] secret_key)": ("AIRFLOW__API__SECRET_KEY", "AIRFLOW__WEBSERVER__SECRET_KEY"),
}
_KEY_PAIR = "AIRFLOW__API_AUTH__JWT_PRIVATE_KEY_PATH"


def _setting(env: dict[str, str | None], names: tuple[str, ...]) -> tuple[str, str] | None:
    """(variable, value as written) of the first form of the option a service sets."""
    for name in names:
        for form in (name, name + "_CMD", name + "_SECRET"):
            if form in env:
                return form, env[form] or ""
    return None


def _shares_cfg(service: dict[str, Any]) -> bool:
    volumes = service.get("volumes")
    mounted = any("airflow.cfg" in str(v) for v in volumes) if isinstance(volumes, list) else False
    return mounted or "AIRFLOW_CONFIG" in environment(service)


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    if ctx.catalog is None or not ctx.catalog.runtime.tasks_call_api_server:
        return
    running = [
        (n, s)
        for n, s in services(ctx)
        if runs_airflow(s) and set(_COMPONENTS) & set(words(s.get("command")))
    ]
    if len(running) < 2:
        return
    for what, names in _SECRETS.items():
        found = {
            n: _setting(environment(s), names)
            for n, s in running
            if not (names[0].endswith("JWT_SECRET") and _KEY_PAIR in environment(s))
        }
        given = {n: v for n, v in found.items() if v is not None}
        if not given:
            if not any(_shares_cfg(s) for _, s in running):
                yield Hit(
                    ctx.key("services"),
                    f"no service sets the {what} and none reads a shared airflow.cfg: each container makes up "
                    f"its own, so they reject each other's tokens; set {names[0]} once for all of them",
                )
            continue
        first = next(iter(given))
        for name in found:
            if name not in given:
                yield Hit(
                    ctx.key("services", name),
                    f"service {name} does not set the {what} that service {first} sets: it makes up its own, "
                    f"so the two reject each other's tokens; give it the same {names[0]}",
                )
        if len(set(given.values())) > 1:
            differ = ", ".join(n for n, v in given.items() if v != given[first])
            yield Hit(
                ctx.key("services", first),
                f"services {first} and {differ} set the {what} differently, so they reject each other's tokens; "
                "give them one value (a shared anchor or env_file)",
            )


RULE = Rule(
    id="AS215",
    name="compose-secret-mismatch",
    severity="error",
    category="reliability",
    files={"compose": check_compose},
)
