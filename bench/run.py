"""Wall-time benchmark of airspec commands, cold (a new process each run), beside `python -c pass` and peers.

Targets from the issue tracker (medians on this 2-core machine):
  validate kubernetes-helm < 150 ms, compile kubernetes-helm < 200 ms, lint kubernetes-helm < 150 ms,
  lint of a raw airflow.cfg < 110 ms and at least 15x faster than `airflow config lint` on the same file,
  a billion-laughs file refused in well under a second.
Run: `make bench` (or `python bench/run.py [--runs N]`). Prints one table; exits 1 when a target is missed.
The peer `airflow config lint` runs from .venv-airflow (installed by scripts/install-validators.sh); without it
that row is skipped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/kubernetes-helm/airflow-spec.yaml"
RAW_CFG = "golden/kubernetes-helm/airflow.cfg"
AIRFLOW = ROOT / ".venv-airflow" / "bin" / "airflow"


def median_ms(argv: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def billion_laughs(folder: str) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = Path(folder) / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    py = sys.executable
    scratch = tempfile.mkdtemp(prefix="airspec-bench-")
    airspec = [py, "-m", "airspec"]
    rows: list[tuple[str, list[str], float | None, dict[str, str] | None]] = [
        ("python -c pass", [py, "-c", "pass"], None, None),
        ("airspec validate kubernetes-helm", [*airspec, "validate", EXAMPLE], 150.0, None),
        (
            "airspec compile kubernetes-helm",
            [*airspec, "compile", EXAMPLE, "-o", scratch + "/out"],
            200.0,
            None,
        ),
        ("airspec lint kubernetes-helm", [*airspec, "lint", EXAMPLE], 150.0, None),
        (
            "airspec lint raw airflow.cfg",
            [*airspec, "lint", "--airflow-version", "3.3", RAW_CFG],
            110.0,
            None,
        ),
        ("airspec validate billion-laughs", [*airspec, "validate", billion_laughs(scratch)], 500.0, None),
    ]
    if AIRFLOW.exists():
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env |= {"AIRFLOW_HOME": scratch + "/airflow-home", "AIRFLOW_CONFIG": str(ROOT / RAW_CFG)}
        rows.append(("peer: airflow config lint (same cfg)", [str(AIRFLOW), "config", "lint"], None, env))
    base = None
    results: dict[str, float] = {}
    missed = False
    print(f"{'command':<40} {'median ms':>10} {'x pass':>8} {'target ms':>10}")
    for name, argv, target, env in rows:
        runs = max(3, args.runs // 4) if name.startswith("peer") else args.runs
        ms = median_ms(argv, runs, env)
        results[name] = ms
        base = base or ms
        flag = ""
        if target is not None and ms > target:
            flag, missed = "  MISSED", True
        print(f"{name:<40} {ms:>10.1f} {ms / base:>8.1f} {target or '':>10}{flag}")
    peer = results.get("peer: airflow config lint (same cfg)")
    if peer:
        ratio = peer / results["airspec lint raw airflow.cfg"]
        flag = "" if ratio >= 15 else "  MISSED"
        missed = missed or bool(flag)
        print(f"{'airflow config lint / airspec lint':<40} {ratio:>10.1f}x {'':>8} {'>= 15x':>10}{flag}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
