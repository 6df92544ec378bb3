"""The Airflow image tag does not match the Airflow version, or components run different Airflow versions.

Catches: a spec whose `airflow.image.tag` (or the KubernetesExecutor worker image tag) names another version
than `airflow.version`; Helm values whose `airflowVersion`, `defaultAirflowTag`, `images.airflow.tag`,
`images.pod_template.tag` and `config.kubernetes_executor.worker_container_tag` disagree; compose services
with different `apache/airflow` tags; any of these against `--airflow-version`; values and compose files of
one deployment (one folder, or all inputs with `--project`) that name different versions.

Why: the chart and airspec choose options, commands and probes by the declared version; an image of another
version then gets a configuration it does not understand. Workers on another version than the scheduler fail
on serialisation and database schema differences.

Bad:

    airflowVersion: "3.3.2"
    images:
      airflow:
        tag: "3.2.1"

Good:

    airflowVersion: "3.3.2"
    images:
      airflow:
        tag: "3.3.2"
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from airspec.lint.inputs import airflow_image, compose_images, compose_version, helm_version, version_in
from airspec.lint.model import FileContext, Hit, Project, Rule, SpecContext
from airspec.source import Span


def agree(a: str, b: str) -> bool:
    """ "3.3" agrees with "3.3.2"; "3.3.1" does not agree with "3.3.2"."""
    pa, pb = a.split("."), b.split(".")
    n = min(len(pa), len(pb))
    return pa[:n] == pb[:n]


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    spec = ctx.resolved.spec
    version = spec.airflow.version
    found: list[tuple[tuple[str, ...], str | None]] = [(("airflow", "image", "tag"), spec.airflow.image.tag)]
    worker = spec.kubernetes_executor.worker.image if spec.kubernetes_executor else None
    if worker is not None:
        found.append((("kubernetes_executor", "worker", "image", "tag"), worker.tag))
    for path, tag in found:
        named = version_in(tag)
        if named and not agree(named, version):
            yield Hit(
                ctx.value(*path),
                f"{'.'.join(path)} {tag!r} is Airflow {named}, but airflow.version is {version}",
            )


def _report(ctx: FileContext, found: list[tuple[Span, str, str]]) -> Iterator[Hit]:
    """found: (span, what, version). The first is the reference, or --airflow-version when it was given."""
    if not found:
        return
    reference = ctx.version if ctx.version and ctx.version != ctx.stated_version else found[0][2]
    source = "--airflow-version" if reference != found[0][2] else found[0][1]
    for span, what, version in found:
        if not agree(version, reference):
            yield Hit(span, f"{what} is Airflow {version}, but {source} says {reference}")


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    found = []
    for path in (
        ("airflowVersion",),
        ("defaultAirflowTag",),
        ("images", "airflow", "tag"),
        ("images", "pod_template", "tag"),
        ("images", "flower", "tag"),
        ("config", "kubernetes_executor", "worker_container_tag"),
    ):
        named = version_in(ctx.get(*path))
        if named:
            found.append((ctx.value(*path), ".".join(path), named))
    yield from _report(ctx, found)


def check_compose(ctx: FileContext) -> Iterator[Hit]:
    found = []
    for path, image in compose_images(ctx.data):
        parsed = airflow_image(image)
        named = version_in(parsed[1]) if parsed else None
        if named:
            found.append((ctx.value(*path), f"the image of service {path[1]}", named))
    yield from _report(ctx, found)


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    opt = ctx.option("kubernetes_executor", "worker_container_tag")
    named = version_in(opt.value) if opt else None
    if opt is not None and named and ctx.version and not agree(named, ctx.version):
        yield Hit(opt.at, f"{opt.label} runs worker pods on Airflow {named}, but the target is {ctx.version}")


def check_project(project: Project) -> Iterator[Hit]:
    """Files of one deployment (one folder, or --project) that name different Airflow versions."""
    named: list[tuple[FileContext, str, Span]] = []
    for ctx in project.files:
        if ctx.kind == "helm-values":
            version, path = helm_version(ctx.data)
        elif ctx.kind == "compose":
            version, path = compose_version(ctx.data)
        else:
            continue
        if version:
            named.append((ctx, version, ctx.value(*path)))
    if not named:
        return
    first, reference, _ = named[0]
    for _ctx, version, span in named[1:]:
        if not agree(version, reference):
            yield Hit(
                span,
                f"this file is for Airflow {version}, but {os.path.basename(first.file)} of the same deployment "
                f"is for {reference}",
            )


RULE = Rule(
    id="AS602",
    name="image-tag-mismatch",
    severity="warning",
    category="consistency",
    spec=check_spec,
    files={"airflow.cfg": check_cfg, "helm-values": check_helm, "compose": check_compose},
    project=check_project,
    project_kinds=("helm-values", "compose"),
)
