"""The import report: every setting read, at file:line, and where it went (and what compile writes that the files
do not have). Values are never shown. In text, the many values dropped for one reason (a copied values.yaml's
defaults, what compile writes the same) are counted per top-level key or service; JSON lists each."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from airspec.importer.draft import COMPILED, DROPPED, PERSON, Row
from airspec.terminal import printable

if TYPE_CHECKING:
    from airspec.importer import Imported


# Reasons many values of one file share (a copied values.yaml, a compose file compile writes the same): counted in
# text per top-level key (per service), each listed in JSON.
_BULK = ("compile writes the same value",)


def _bulk(row: Row) -> tuple[str, str, str, str] | None:
    if row.went != DROPPED or not (
        row.why in _BULK or (row.why.startswith("equal to chart") and "default" in row.why)
    ):
        return None
    parts = row.setting.split(".")
    group = ".".join(parts[:2]) if parts[0] == "services" and len(parts) > 2 else parts[0]
    return row.env, row.at.file, group, row.why


def as_text(result: Imported, output: str) -> str:
    groups: dict[tuple[str, str, str, str], list[Row]] = {}
    for row in result.rows:
        key = _bulk(row)
        if key is not None:
            groups.setdefault(key, []).append(row)
    text = []
    for row in result.rows:
        key = _bulk(row)
        group = groups.get(key, []) if key is not None else []
        if key is not None and len(group) > 1:
            if row is not group[0]:
                continue
            shown = f"{row.at.file}:{row.at.line}: {key[2]}: {len(group)} values {DROPPED} ({row.why})"
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
            f"{compiled} written by compile otherwise than the files have it"
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
