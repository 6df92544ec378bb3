"""The Airflow image is `latest` (or has no tag, which means latest).

Catches: `airflow.image.tag: latest` in a spec (and the worker image); `images.airflow.tag` or
`defaultAirflowTag` `latest` in Helm values; compose `image: apache/airflow:latest` or `apache/airflow` without
a tag, and any other compose image that is `latest` or has no tag (`redis:latest`, `postgres`).

Why: `latest` changes under you: a node that pulls the image later runs another Airflow version than the others,
possibly a major upgrade with database migrations, with no change in the repository to show it.

Bad:

    image: apache/airflow:latest

Good:

    image: apache/airflow:3.3.2
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.inputs import airflow_image, compose_images
from airspec.lint.model import FileContext, Hit, Rule, SpecContext

_MESSAGE = (
    "the Airflow image is {what}: each pull may bring another version; pin the release (e.g. {example})"
)


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    spec = ctx.resolved.spec
    worker = spec.kubernetes_executor.worker.image if spec.kubernetes_executor else None
    for path, tag in (
        (("airflow", "image", "tag"), spec.airflow.image.tag),
        (("kubernetes_executor", "worker", "image", "tag"), worker.tag if worker else None),
    ):
        if tag == "latest":
            yield Hit(
                ctx.value(*path), _MESSAGE.format(what="'latest'", example=ctx.resolved.airflow_version)
            )


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    for path in (("defaultAirflowTag",), ("images", "airflow", "tag"), ("images", "pod_template", "tag")):
        if ctx.get(*path) == "latest":
            yield Hit(
                ctx.value(*path), _MESSAGE.format(what=f"{'.'.join(path)}: latest", example=ctx.version)
            )


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    for path, image in compose_images(ctx.data):
        parsed = airflow_image(image)
        if parsed is not None and parsed[1] in (None, "latest"):
            what = f"{parsed[0]}:latest" if parsed[1] else f"{parsed[0]} without a tag (latest)"
            yield Hit(ctx.value(*path), _MESSAGE.format(what=what, example=f"{parsed[0]}:{ctx.version}"))
        elif parsed is None and "$" not in image and "@" not in image:
            name, tag = _split(image)
            if tag in (None, "latest"):
                what = f"{name}:latest" if tag else f"{name} without a tag (latest)"
                yield Hit(
                    ctx.value(*path),
                    f"the image of service {path[1]} is {what}: each pull may bring another version; pin a tag",
                )


def _split(image: str) -> tuple[str, str | None]:
    """`postgres:16` -> ("postgres", "16"); `registry:5000/redis` -> ("registry:5000/redis", None)."""
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return image, None
    name, _, tag = image.rpartition(":")
    return name, tag


RULE = Rule(
    id="AS702",
    name="latest-tag",
    severity="warning",
    category="delivery",
    spec=check_spec,
    files={"helm-values": check_helm, "compose": check_compose},
)
