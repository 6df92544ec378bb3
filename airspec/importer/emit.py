"""The imported spec as YAML text: the project's own emitter, a header, and a TODO comment per decision."""

from __future__ import annotations

from airspec.importer.draft import Draft
from airspec.render.yamltext import dump

_ORDER = (
    "name",
    "airflow",
    "executor",
    "targets",
    "kubernetes",
    "database",
    "celery",
    "secrets",
    "api_server",
    "scheduler",
    "dag_processor",
    "triggerer",
    "dags",
    "kubernetes_executor",
    "core",
    "task_defaults",
    "logging",
    "metrics",
    "config",
)


def spec_text(draft: Draft) -> str:
    data = {k: draft.data[k] for k in _ORDER if k in draft.data}
    data.update({k: v for k, v in draft.data.items() if k not in data})
    header = ["Imported by `airspec import`; review it, then `airspec validate` and `airspec compile`."]
    header += [f"TODO {todo}" for todo in draft.todos]
    return dump(data, "\n".join(_printable(h) for h in header))


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)
