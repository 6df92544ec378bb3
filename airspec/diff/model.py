"""What a diff finds: changes between what the spec compiles to and what is deployed, per artifact."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHANGE_KINDS = ("changed", "added", "removed", "unverifiable")


@dataclass(frozen=True)
class Change:
    """One difference. Values are already masked unless the user asked to see secrets."""

    artifact: str  # artifact kind: airflow.cfg, helm-values, compose, ...
    location: str  # `[core] parallelism`, `scheduler.replicas`
    kind: str  # one of CHANGE_KINDS
    spec_value: Any  # None: the spec does not set it
    deployed_value: Any  # None: not deployed
    spec_line: str | None  # file:line:col of what sets it in the spec
    note: str = ""
    path: str = ""  # the artifact's path in `compile` output (pod profiles share a kind)

    @property
    def is_drift(self) -> bool:
        return self.kind != "unverifiable"

    def as_dict(self) -> dict[str, Any]:
        return {
            "artifact": self.artifact,
            "path": self.path,
            "location": self.location,
            "kind": self.kind,
            "spec_value": self.spec_value,
            "deployed_value": self.deployed_value,
            "spec_line": self.spec_line,
            "note": self.note,
        }


@dataclass(frozen=True)
class Compared:
    """A spec artifact and the deployed copy it was compared with."""

    artifact: str
    path: str  # the artifact's path in `compile` output
    source: str  # where the deployed copy came from


@dataclass(frozen=True)
class Report:
    spec: str
    source: str
    env: str | None
    changes: tuple[Change, ...]
    compared: tuple[Compared, ...]
    missing: tuple[str, ...]  # spec artifact paths the source does not hold

    @property
    def drift(self) -> bool:
        return any(c.is_drift for c in self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "source": self.source,
            "environment": self.env,
            "drift": self.drift,
            "changes": [c.as_dict() for c in self.changes],
            "compared": [{"artifact": c.artifact, "path": c.path, "source": c.source} for c in self.compared],
            "missing": list(self.missing),
        }
