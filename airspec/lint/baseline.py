"""A baseline: today's findings, recorded so that only new ones fail.

Findings match on rule, file and message, not on line, so edits above a known finding do not revive it. File
names are stored relative to the baseline file's folder, so the baseline works from any working directory.
A finding that occurs N times in the baseline is forgiven N times.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable

from airspec.errors import Diagnostic, UsageError
from airspec.lint.engine import ALSO_AT

Key = tuple[str, str, str]
VERSION = 1


def _key(d: Diagnostic, base: str) -> Key:
    # The other places a finding lists are line numbers, which edits above it shift.
    message = d.message.rsplit(ALSO_AT, 1)[0] if d.message.endswith(")") else d.message
    return (d.code, _relative(d.span.file, base), message)


def _relative(file: str, base: str) -> str:
    # os.path rather than pathlib: pathlib's import is ~5 ms, and every lint run imports this module.
    try:
        return _posix(os.path.relpath(os.path.realpath(file), os.path.realpath(base)))
    except ValueError:  # another drive on Windows
        return _posix(os.path.realpath(file))


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def render(findings: Iterable[Diagnostic], path: str) -> str:
    base = os.path.dirname(os.path.abspath(path))
    counts = Counter(_key(d, base) for d in findings)
    entries = [
        {"rule": rule, "file": file, "message": message, "count": count}
        for (rule, file, message), count in sorted(counts.items())
    ]
    return json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n"


def load(path: str) -> Counter[Key]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such baseline (create it with --write-baseline)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the baseline: {exc}") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if data.get("version") != VERSION or not isinstance(entries, list):
        raise UsageError(f"{path}: not an airspec baseline (version {VERSION})")
    out: Counter[Key] = Counter()
    for e in entries:
        if not isinstance(e, dict) or not all(isinstance(e.get(k), str) for k in ("rule", "file", "message")):
            raise UsageError(f"{path}: each finding needs rule, file and message")
        out[(e["rule"], e["file"], e["message"])] += int(e.get("count", 1))
    return out


def new_only(findings: list[Diagnostic], known: Counter[Key], path: str) -> list[Diagnostic]:
    """The findings the baseline does not account for."""
    base = os.path.dirname(os.path.abspath(path))
    left = Counter(known)
    out = []
    for d in findings:
        key = _key(d, base)
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append(d)
    return out
