"""A Helm image is pulled on every pod start (`pullPolicy: Always`) by a tag that moves.

Catches: an entry of the chart's `images:` with `pullPolicy: Always`, no digest, and a tag that names no exact
release: no three-part version, date or commit in it (`main`, `stable`, `3.3`, `slim`, `latest` for images other than
Airflow's, whose `latest` AS702 reports). For the Airflow images without a tag of their own, `defaultAirflowTag`
is the tag.

Why: with `Always`, each pod start pulls whatever the tag points at that moment: pods of one release started at
different times run different images, a node that restarts a pod upgrades it without a deploy, and a rollback
to the previous release re-pulls the same moved tag instead of the old image.

Bad:

    images:
      airflow:
        repository: registry.example.com/airflow
        tag: main
        pullPolicy: Always

Good:

    images:
      airflow:
        repository: registry.example.com/airflow
        tag: 3.3.2-20260112
        pullPolicy: IfNotPresent
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule

_DEFAULT_TAGGED = ("airflow", "pod_template", "flower")  # the chart falls back to defaultAirflowTag for these


def pinned(tag: str) -> bool:
    """A tag that names one release: a three-part version, a date, or a commit hash in it."""
    return bool(re.search(r"\d+\.\d+\.\d+|\d{4}[.-]?\d{2}[.-]?\d{2}|\b[0-9a-f]{7,40}\b", tag))


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    images = ctx.get("images")
    for name, entry in images.items() if isinstance(images, dict) else []:
        if not isinstance(entry, dict) or entry.get("pullPolicy") != "Always" or entry.get("digest"):
            continue
        tag, where = entry.get("tag"), f"images.{name}.tag"
        if tag is None and name in _DEFAULT_TAGGED and not ctx.get("defaultAirflowDigest"):
            tag, where = ctx.get("defaultAirflowTag"), "defaultAirflowTag"
        if not isinstance(tag, str | int | float) or "{{" in str(tag) or pinned(str(tag)):
            continue
        if str(tag) == "latest" and (name in _DEFAULT_TAGGED[:2] or where == "defaultAirflowTag"):
            continue  # AS702's finding
        yield Hit(
            ctx.value("images", name, "pullPolicy"),
            f"images.{name} is pulled on every pod start (pullPolicy: Always) by {where} {str(tag)!r}, which "
            "moves: pods started at different times run different images; pin a release tag or a digest",
        )


RULE = Rule(
    id="AS705",
    name="mutable-tag-pull-always",
    severity="warning",
    category="delivery",
    files={"helm-values": check_helm},
)
