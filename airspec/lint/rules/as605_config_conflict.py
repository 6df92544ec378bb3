"""Two inputs linted together give the same Airflow option different values.

Catches: an option in Helm values' `config:` that an airflow.cfg, or the spec, linted in the same run sets to
a different value (`airspec lint airflow-spec.yaml values.yaml`, `airspec lint build/`).

Why: the chart writes `config:` into the airflow.cfg it mounts, so one of the two is not what runs; which one
wins depends on how the deployment is assembled, and reviewers read the other.

Bad:

    # values.yaml                      # airflow.cfg
    config:                            [core]
      core:                            parallelism = 64
        parallelism: 32

Good:

    # values.yaml                      # airflow.cfg
    config:                            [core]
      core:                            parallelism = 64
        parallelism: 64
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import same_value
from airspec.lint.model import Context, Hit, Project, Rule


def _others(project: Project) -> list[Context]:
    cfgs: list[Context] = [f for f in project.files if f.kind == "airflow.cfg"]
    bases: list[Context] = [s for s in project.specs if s.env is None] or list(project.specs[:1])
    return cfgs + bases


def check_project(project: Project) -> Iterator[Hit]:
    others = _others(project)
    for helm in (f for f in project.files if f.kind == "helm-values"):
        for opt in helm.options:
            if not opt.label.startswith("config.") or opt.value is None:
                continue
            for other in others:
                theirs = other.option(opt.section, opt.name)
                if theirs is None or theirs.value is None or same_value(opt.value, theirs.value):
                    continue
                yield Hit(
                    opt.at,
                    f"{opt.label} is {opt.value!r} here but {theirs.value!r} in {other.file}:{theirs.at.line} "
                    f"({theirs.label}); set it in one place",
                )


RULE = Rule(
    id="AS605",
    name="config-conflict",
    severity="warning",
    category="consistency",
    project=check_project,
    project_kinds=("helm-values",),
)
