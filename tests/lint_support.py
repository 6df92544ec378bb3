"""Helpers for the lint tests: write a case's files, run the engine, describe findings as `line:col`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airspec.errors import Diagnostic
from airspec.lint.engine import Request, run

CASES = Path(__file__).resolve().parent / "lint_cases"
FILE_NAMES = {
    "spec": "airflow-spec.yaml",
    "airflow.cfg": "airflow.cfg",
    "helm-values": "values.yaml",
    "compose": "docker-compose.yaml",
    "workflow": ".github/workflows/ci.yml",
    "statsd-mapping": "statsd-mapping.yml",
    "grafana-dashboard": "dashboard.json",
}


def write_case(tmp: Path, case: dict[str, Any]) -> list[str]:
    files = case.get("files") or [{"kind": case["kind"], "text": case["text"]}]
    paths = []
    for item in files:
        path = tmp / item.get("name", FILE_NAMES[item["kind"]])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item["text"], encoding="utf-8")
        paths.append(str(path))
    for item in case.get("beside", []):  # files a rule reads from the folder (Dockerfile, requirements.txt)
        (tmp / item["name"]).write_text(item["text"], encoding="utf-8")
    return paths


def lint_case(tmp: Path, case: dict[str, Any], rule: str | None) -> list[Diagnostic]:
    paths = write_case(tmp, case)
    outcome = run(
        Request(
            tuple(paths),
            airflow_version=case.get("version"),
            env=case.get("env"),
            select=(rule,) if rule else (),
        )
    )
    assert not outcome.errors, outcome.errors
    return [d for d in outcome.findings if rule is None or d.code == rule]


def where(d: Diagnostic, single: bool) -> str:
    at = f"{d.span.line}:{d.span.col}"
    return at if single else f"{Path(d.span.file).name}:{at}"
