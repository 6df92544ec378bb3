"""Wall-time benchmark of airspec commands, cold (a new process each run), beside `python -c pass`.

Targets (issue tracker): validate the kubernetes-helm example under 150 ms median, compile it under 200 ms.
Run: `make bench` (or `python bench/run.py [--runs N]`). Prints one table; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/kubernetes-helm/airflow-spec.yaml"


def median_ms(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    py = sys.executable
    out = tempfile.mkdtemp(prefix="airspec-bench-")
    rows = [
        ("python -c pass", [py, "-c", "pass"], None),
        ("airspec validate kubernetes-helm", [py, "-m", "airspec", "validate", EXAMPLE], 150.0),
        ("airspec compile kubernetes-helm", [py, "-m", "airspec", "compile", EXAMPLE, "-o", out], 200.0),
    ]
    base = None
    missed = False
    print(f"{'command':<40} {'median ms':>10} {'x pass':>8} {'target ms':>10}")
    for name, argv, target in rows:
        ms = median_ms(argv, args.runs)
        base = base or ms
        flag = ""
        if target is not None and ms > target:
            flag, missed = "  MISSED", True
        print(f"{name:<40} {ms:>10.1f} {ms / base:>8.1f} {target or '':>10}{flag}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
