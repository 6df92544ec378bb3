"""Readings of docker-compose services that several rules share: each service's command as words, its
environment as a dict, and whether it runs Airflow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airspec.lint.inputs import airflow_image
from airspec.lint.model import FileContext


def services(ctx: FileContext) -> Iterator[tuple[str, dict[str, Any]]]:
    found = ctx.get("services")
    for name, service in found.items() if isinstance(found, dict) else []:
        if isinstance(service, dict):
            yield str(name), service


def words(value: object) -> list[str]:
    if isinstance(value, list):
        return [w for v in value for w in str(v).split()]
    return str(value).split() if isinstance(value, str) else []


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    env = service.get("environment")
    if isinstance(env, dict):
        return {str(k): None if v is None else str(v) for k, v in env.items()}
    out: dict[str, str | None] = {}
    for item in env if isinstance(env, list) else []:
        name, eq, value = str(item).partition("=")
        out[name] = value if eq else None
    return out


def runs_airflow(service: dict[str, Any]) -> bool:
    image = service.get("image")
    return isinstance(image, str) and airflow_image(image) is not None
