"""Inline suppressions: `# airspec: ignore[AS101] reason` on the offending line of a spec or YAML file, and a
`# airspec: ignore[AS101]` or `; airspec: ignore[AS101]` comment line directly above the option in airflow.cfg.

airflow.cfg has no inline comments (Airflow's parser keeps `x = 1  # note` as the value `1  # note`), so there the
suppression is the comment block right above the line; several ids may be listed: `ignore[AS101, AS406]`.
"""

from __future__ import annotations

import re

_IDS = r"airspec:\s*ignore\[(?P<ids>[A-Za-z0-9_,\s-]+)\]"


def ids_in(text: str, comment: str = "#;") -> set[str]:
    """Rule ids named by suppression marks in `text`, each after one of the `comment` characters."""
    found: set[str] = set()
    for match in re.finditer(f"[{re.escape(comment)}]\\s*{_IDS}", text):
        found.update(part.strip().upper() for part in match.group("ids").split(",") if part.strip())
    return found


def comment_lines_above(lines: list[str], line: int) -> list[str]:
    """The block of comment lines directly above `line` (1-based), nearest first."""
    out: list[str] = []
    index = line - 2
    while index >= 0 and lines[index].strip().startswith(("#", ";")):
        out.append(lines[index].strip())
        index -= 1
    return out


def suppressed(kind: str, lines: list[str], line: int, rule_id: str) -> bool:
    """Whether the finding of `rule_id` at `line` (1-based) of a file of `kind` is suppressed."""
    if not 0 < line <= len(lines):
        return False
    if kind == "airflow.cfg":
        return any(rule_id in ids_in(comment) for comment in comment_lines_above(lines, line))
    return rule_id in ids_in(lines[line - 1], comment="#")
