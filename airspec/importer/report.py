"""The import report: every setting read, at file:line, and where it went (and what compile writes that the files
do not have). Values are never shown. In text, the values a copied values.yaml holds at the chart's defaults are
counted per top-level key (JSON lists each)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from airspec.importer.draft import COMPILED, DROPPED, PERSON, Row
from airspec.terminal import printable

if TYPE_CHECKING:
    from airspec.importer import Imported


def as_text(result: Imported, output: str) -> str:
    lines = []
    defaults: dict[tuple[str, str, str, str], list[Row]] = {}
    for row in result.rows:
        if row.went == DROPPED and row.why.endswith("'s default") and row.why.startswith("equal to chart"):
            group = defaults.setdefault((row.env, row.at.file, row.setting.split(".")[0], row.why), [])
            group.append(row)
            if len(group) > 1:
                continue
        lines.append(row)
    text = []
    for row in lines:
        group = defaults.get((row.env, row.at.file, row.setting.split(".")[0], row.why), [])
        if len(group) > 1:
            first = group[0]
            setting = first.setting.split(".")[0]
            shown = f"{first.at.file}:{first.at.line}: {setting}: {len(group)} values {DROPPED} ({first.why})"
        else:
            where = f" -> {row.key}" if row.key else ""
            why = f" ({row.why})" if row.why else ""
            shown = f"{row.at.file}:{row.at.line}: {row.setting}: {row.went}{where}{why}"
        text.append(printable((f"[{row.env}] " if row.env else "") + shown))
    person = sum(1 for r in result.rows if r.went == PERSON)
    compiled = sum(1 for r in result.rows if r.went == COMPILED)
    read = len(result.rows) - compiled
    text.append(
        printable(
            f"wrote {output} (Airflow {result.version}): {read} settings read, {person} need a person, "
            f"{compiled} written by compile that the files do not have"
        )
    )
    return "\n".join(text) + "\n"


def as_json(result: Imported, output: str) -> str:
    doc = {
        "spec": output,
        "airflow_version": result.version,
        "settings": [r.as_dict() for r in result.rows],
        "todos": result.todos,
    }
    return json.dumps(doc, indent=2) + "\n"
