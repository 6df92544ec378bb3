"""Resolved model -> artifacts (kind, path under OUT, text), and writing them all or nothing."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from airspec.errors import InputError
from airspec.resolve import Resolved

KINDS = (
    "airflow.cfg",
    "helm-values",
    "compose",
    "compose-env",
    "pod-template",
    "pod-profile",
)


@dataclass(frozen=True)
class Artifact:
    kind: str
    path: str  # relative to OUT, POSIX separators
    text: str


def _airflow_cfg(resolved: Resolved) -> list[Artifact]:
    from airspec.render import airflow_cfg

    return [Artifact("airflow.cfg", "airflow.cfg", airflow_cfg.render(resolved))]


# The artifact builders, in manifest order. Each decides from the resolved model whether it applies.
BUILDERS: tuple[Callable[[Resolved], list[Artifact]], ...] = (_airflow_cfg,)


def build(resolved: Resolved, only: frozenset[str] | None = None) -> list[Artifact]:
    artifacts = [a for builder in BUILDERS for a in builder(resolved)]
    if only is not None:
        artifacts = [a for a in artifacts if a.kind in only]
    for a in artifacts:
        _confined(a.path)
    return artifacts


def _confined(path: str) -> None:
    """An artifact path never leaves OUT, whatever names the spec holds."""
    parts = Path(path).parts
    if Path(path).is_absolute() or ".." in parts or not parts:
        raise ValueError(f"artifact path escapes the output directory: {path!r}")


def stale(out: str, artifacts: list[Artifact]) -> list[str]:
    """Artifacts whose file under OUT is missing or differs, as 'missing PATH' / 'stale PATH'."""
    problems = []
    for a in artifacts:
        target = Path(out) / a.path
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            problems.append(f"missing {a.path}")
            continue
        except OSError as exc:
            raise InputError(f"cannot read {target}: {exc.strerror or exc}") from None
        if current != a.text.encode("utf-8"):
            problems.append(f"stale {a.path}")
    return problems


def write_all(out: str, artifacts: list[Artifact]) -> None:
    """Stage every file beside its target first, then rename them into place: an error while staging leaves OUT
    as it was (staged files and directories this call made are removed)."""
    root = Path(out)
    made_dirs: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    try:
        for a in artifacts:
            target = root / a.path
            for parent in reversed(target.parents):
                if not parent.exists():
                    parent.mkdir()
                    made_dirs.append(parent)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".airspec-tmp")
            staged.append((Path(name), target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(a.text)
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for d in reversed(made_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
