"""`.env` files (what docker compose reads for `${VAR}` and `env_file:`): `NAME=value` lines with their positions.
AIRFLOW__SECTION__NAME lines are Airflow options; every other variable is listed as kept in the .env (compose
substitutes it), never with its value."""

from __future__ import annotations

import os

from airspec.envopt import env_option
from airspec.errors import InputError
from airspec.importer.draft import DROPPED, Draft
from airspec.lint import inputs
from airspec.lint.model import Opt
from airspec.source import Span

MAX_BYTES = 1 << 20


def is_dotenv(path: str) -> bool:
    name = os.path.basename(path).lower()
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def read(path: str, draft: Draft) -> tuple[list[Opt], str | None]:
    """The Airflow options a .env file sets, and the Airflow version its AIRFLOW_IMAGE_NAME names."""
    from airspec.loader import BOM, read_text

    text = read_text(path).removeprefix(BOM)
    if len(text) > MAX_BYTES:
        raise InputError(f"{path}: larger than {MAX_BYTES} bytes")
    options: list[Opt] = []
    version = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        body = stripped.removeprefix("export ").lstrip()
        name, sep, value = body.partition("=")
        name = name.strip()
        if not sep or not name.replace("_", "a").isalnum():
            raise InputError("expected NAME=value", Span(path, number, 1))
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        key = Span(path, number, line.index(name) + 1)
        at = Span(path, number, line.index("=") + 2)
        place = env_option(name)
        if place is not None:
            fixed = None if "${" in value else value
            options.append(Opt(place[0], place[1], fixed, key, at, name, value))
            continue
        image = inputs.airflow_image(value) if name == "AIRFLOW_IMAGE_NAME" else None
        if image is not None and inputs.version_in(image[1]):
            version = inputs.version_in(image[1])
        draft.row(
            key,
            name,
            DROPPED,
            "",
            "not an Airflow option; compose substitutes it from the .env, keep it there",
        )
    return options, version
