"""`airspec lint` on a large airflow.cfg takes time in proportion to its size.

A 3.9 MB file of ~400k options used to run for minutes: AS208 built a set of the section's option names for every
option (quadratic), and AS406 ran difflib for every unknown option. The check compares CPU time (not wall time,
which a busy machine stretches) of 100k options with 10k: linear work gives about 10x, quadratic about 100x.
"""

from __future__ import annotations

import time
from pathlib import Path

from airspec.lint.engine import Request, run


def cfg_text(options: int) -> str:
    """Many options of every sort: unknown names, %-references, escaped and lone `%`, typed values, continuation
    lines, comments, over known and unknown sections and [DEFAULT]."""
    sections = ["core", "scheduler", "logging", "webserver", "custom_a", "custom_b"]
    per = options // len(sections)
    out = ["[DEFAULT]", "base = /opt/airflow", "tag = %(base)s/x"]
    for section in sections:
        out.append(f"[{section}]")
        for i in range(per):
            kind = i % 6
            if kind == 0:
                out.append(f"option_{i} = value {i}")
            elif kind == 1:
                out.append(f"ref_{i} = %(option_{i - 1})s/%(base)s")
            elif kind == 2:
                out.append(f"pct_{i} = 100%% of {i}")
            elif kind == 3:
                out.append(f"# a comment above\nnumber_{i} = {i}.0")
            elif kind == 4:
                out.append(f"multi_{i} = first\n    second {i}\n\n    third")
            else:
                out.append(f"Mixed_Case_{i} = {i}")
    return "\n".join(out) + "\n"


def cpu_seconds(path: Path, runs: int) -> tuple[float, int]:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        outcome = run(Request((str(path),), airflow_version="3.3"))
        best = min(best, time.process_time() - start)
    assert not outcome.errors, outcome.errors
    return best, len(outcome.findings)


def test_lint_time_grows_linearly(tmp_path: Path) -> None:
    small, large = tmp_path / "small.cfg", tmp_path / "large.cfg"
    small.write_text(cfg_text(10_000), encoding="utf-8")
    large.write_text(cfg_text(100_000), encoding="utf-8")
    run(Request((str(small),), airflow_version="3.3"))  # imports and the catalog, once
    small_time, small_findings = cpu_seconds(small, runs=3)
    large_time, large_findings = cpu_seconds(large, runs=1)
    assert large_findings > 9 * small_findings > 0
    ratio = large_time / small_time
    assert ratio < 20, f"10k options: {small_time:.2f}s, 100k: {large_time:.2f}s CPU ({ratio:.1f}x)"
