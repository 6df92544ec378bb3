"""What compile writes for a spec: every Airflow option of its artifacts (airflow.cfg, Helm `config:`, compose
environment), read back with lint's own extractors."""

from __future__ import annotations

from typing import Any

from airspec.lint.model import FileContext


def written(resolved: Any) -> dict[tuple[str, str], str]:
    from airspec.artifacts import build
    from airspec.cfgfile import read as parse
    from airspec.lint import inputs
    from airspec.loader import load_text

    out: dict[tuple[str, str], str] = {}
    for artifact in build(resolved, frozenset({"airflow.cfg", "helm-values", "compose"})):
        if artifact.kind == "airflow.cfg":
            ctx = FileContext(
                "airflow.cfg", artifact.path, artifact.text, ini=parse(artifact.text, artifact.path)
            )
            options = inputs.cfg_options(ctx)
        else:
            loaded = load_text(artifact.text, artifact.path)
            ctx = FileContext(
                artifact.kind, artifact.path, artifact.text, data=loaded.data, source=loaded.source
            )
            options = (
                inputs.helm_options(ctx) if artifact.kind == "helm-values" else inputs.compose_options(ctx)
            )
        for opt in options:
            if opt.value is not None:
                out.setdefault((opt.section, opt.name), opt.value)
    return out
