"""The import report: every setting read, at file:line, and where it went. Values are never shown."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from airspec.importer.draft import PERSON
from airspec.terminal import printable

if TYPE_CHECKING:
    from airspec.importer import Imported


def as_text(result: Imported, output: str) -> str:
    lines = []
    for row in result.rows:
        where = f" -> {row.key}" if row.key else ""
        why = f" ({row.why})" if row.why else ""
        lines.append(printable(f"{row.at.file}:{row.at.line}: {row.setting}: {row.went}{where}{why}"))
    person = sum(1 for r in result.rows if r.went == PERSON)
    lines.append(
        printable(
            f"wrote {output} (Airflow {result.version}): {len(result.rows)} settings read, {person} need a person"
        )
    )
    return "\n".join(lines) + "\n"


def as_json(result: Imported, output: str) -> str:
    doc = {
        "spec": output,
        "airflow_version": result.version,
        "settings": [r.as_dict() for r in result.rows],
        "todos": result.todos,
    }
    return json.dumps(doc, indent=2) + "\n"
