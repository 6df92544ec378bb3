"""SARIF 2.1.0 for code scanning (GitHub uploads it with github/codeql-action/upload-sarif): every rule with its
documentation as help, every finding with its rule, level and position relative to the working directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

from airspec.lint.docs import sections
from airspec.lint.model import Rule
from airspec.report import Report
from airspec.report.json import describe

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_SEVERITY_SCORE = {"error": "8.0", "warning": "5.0", "info": "2.0"}


def _uri(file: str) -> tuple[str, bool]:
    """A relative POSIX path when the file is under the working directory (resolved against %SRCROOT%)."""
    path = Path(file)
    try:
        rel = Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
    except ValueError:
        rel = ""
    if rel and not rel.startswith("../"):
        return rel, True
    return path.resolve().as_uri(), False


def render(report: Report) -> str:
    rules = []
    index = {}
    for i, rule in enumerate(report.rules):
        index[rule.id] = i
        doc = sections(rule)
        help_text = "\n\n".join(f"{k}:\n{v}" for k, v in doc.items() if k != "summary")
        rules.append(
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": doc.get("catches", rule.summary)},
                "help": {"text": help_text, "markdown": _markdown(rule, doc)},
                "defaultConfiguration": {"level": _LEVEL[rule.severity]},
                "properties": {
                    "category": rule.category,
                    "tags": [rule.category, *rule.kinds],
                    "security-severity": _SEVERITY_SCORE[rule.severity],
                },
            }
        )
    results = []
    for d in report.findings:
        uri, relative = _uri(d.span.file)
        location: dict[str, object] = {"uri": uri}
        if relative:
            location["uriBaseId"] = "%SRCROOT%"
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": _LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": {"startLine": d.span.line, "startColumn": d.span.col},
                    }
                }
            ],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    run = {
        "tool": {
            "driver": {
                "name": "airspec",
                "version": report.tool_version or "0",
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "properties": {
                    "airflowVersions": [{"file": t.file, **describe(t)} for t in report.targets],
                },
            }
        ],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
        "results": results,
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _markdown(rule: Rule, doc: dict[str, str]) -> str:
    parts = [f"**{rule.id} {rule.name}** ({rule.category}, {rule.severity}): {rule.summary}"]
    for key in ("catches", "why"):
        if key in doc:
            parts.append(f"**{key.capitalize()}**: {doc[key]}")
    for key in ("bad", "good"):
        if key in doc:
            parts.append(f"**{key.capitalize()}**\n\n```\n{doc[key]}\n```")
    if "suppress" in doc:
        parts.append(f"**Suppress**: {doc['suppress']}")
    return "\n\n".join(parts)
