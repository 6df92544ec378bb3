"""Artifacts that are neither airflow.cfg nor YAML: the compose `.env` (by variable name) and text files such as
airflow_local_settings.py (by line, comments aside)."""

from __future__ import annotations

import difflib
import re

from airspec.artifacts import Artifact
from airspec.diff import origins, sources
from airspec.diff.model import Change
from airspec.mask import MASK, Masker, sensitive_name
from airspec.resolve import Resolved

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def compare_text(artifact: Artifact, deployed: str, masker: Masker) -> list[Change]:
    """Other artifacts (airflow_local_settings.py) as text: comment-only lines, blank lines and line ends do not
    count; the first differing line is reported."""
    spec_lines, deployed_lines = _code_lines(artifact.text), _code_lines(deployed)
    if [t for _, t in spec_lines] == [t for _, t in deployed_lines]:
        return []
    matcher = difflib.SequenceMatcher(
        a=[t for _, t in spec_lines], b=[t for _, t in deployed_lines], autojunk=False
    )
    tag, i1, _, j1, _ = next(op for op in matcher.get_opcodes() if op[0] != "equal")
    spec_line = spec_lines[i1] if i1 < len(spec_lines) else None
    deployed_line = deployed_lines[j1] if j1 < len(deployed_lines) else None
    where = f"line {deployed_line[0]}" if deployed_line else f"line {spec_line[0] if spec_line else 1}"
    return [
        Change(
            artifact.kind,
            where,
            {"replace": "changed", "delete": "removed", "insert": "added"}[tag],
            _shown(spec_line[1], masker) if spec_line and tag != "insert" else None,
            _shown(deployed_line[1], masker) if deployed_line and tag != "delete" else None,
            None,
            "the first difference; later lines may differ too",
        )
    ]


def _shown(line: str, masker: Masker) -> str:
    """A line is shown unless a name on it says it may hold a secret (`password = ...`)."""
    if not masker.show and any(sensitive_name(w) for w in _NAME.findall(line)):
        return MASK
    return masker.text(line)


def _code_lines(text: str) -> list[tuple[int, str]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.rstrip()
        if stripped and not stripped.lstrip().startswith("#"):
            out.append((number, stripped))
    return out


def compare_env(resolved: Resolved, artifact: Artifact, deployed: frozenset[str]) -> list[Change]:
    """Compose substitutes `${NAME}` from .env: a name the compose file needs and .env lacks becomes empty. Other
    names in .env reach no container, and values are the deployment's own (secrets), so neither is compared."""
    needed = sources.env_names(artifact.text)
    return [
        Change(
            artifact.kind,
            name,
            "removed",
            "(set in .env)",
            None,
            origins.spec_line(resolved, origins.env_origin(resolved, name)),
            "compose substitutes an empty value",
        )
        for name in sorted(needed - deployed)
    ]
