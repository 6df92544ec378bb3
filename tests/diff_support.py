"""Helpers for the diff tests: run `airspec diff` as a user does, and compile examples into folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from airspec import pipeline
from airspec.artifacts import Artifact, build
from airspec.resolve import Resolved
from airspec.write import write_tree
from tests.conftest import ROOT

_DROP = ("AIRFLOW", "AIRSPEC_AIRFLOW_", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")


def run_diff(
    *args: str, env: dict[str, str] | None = None, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`airspec diff ARGS` in a clean environment plus `env`; PATH replaced by `path` when given."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(_DROP)}
    environ["PYTHONPATH"] = str(ROOT)
    environ["NO_PROXY"] = "127.0.0.1,localhost"
    if path is not None:
        environ["PATH"] = path
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "airspec", "diff", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def example(name: str) -> str:
    return f"examples/{name}/airflow-spec.yaml"


def resolved_spec(spec: str, env: str | None = None, out: Path | None = None) -> Resolved:
    path = str(ROOT / spec) if not Path(spec).is_absolute() else spec
    return pipeline.resolved(path, env, str(out) if out is not None else None)


def compiled(spec: str, out: Path) -> list[Artifact]:
    """Compile `spec` into `out` as `airspec compile` does; the artifacts."""
    artifacts = build(resolved_spec(spec, out=out))
    write_tree(str(out), [(a.path, a.text) for a in artifacts])
    return artifacts
