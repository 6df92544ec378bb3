"""Wall-time benchmark of airspec commands, cold (a new process each run), beside `python -c pass` and peers.

Targets from the issue tracker, as ratios to what is measured in the same run (medians on this 2-core machine):
  validate, compile and lint of kubernetes-helm within 1.3x of the floor row (click + ruamel.yaml + pydantic
  imported and airspec's models validating the example: what no airspec command can go below),
  lint of a raw airflow.cfg at least 15x faster than `airflow config lint` on the same file,
  per-spec cost flat and under 10 ms over 200 specs in one process, a billion-laughs file refused within the
  same 1.3x of the floor (bounded work, not a parse of the expansion).
Run: `make bench` (or `python bench/run.py [--runs N]`). Prints one table; exits 1 when a target is missed.
The peer `airflow config lint` runs from .venv-airflow (installed by scripts/install-validators.sh); without it
that row is skipped.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/kubernetes-helm/airflow-spec.yaml"
RAW_CFG = "golden/kubernetes-helm/airflow.cfg"
# A cfg + values + compose triple, as a team that moves to airspec has them (issue #14).
TRIPLE = [
    RAW_CFG,
    "golden/kubernetes-helm/helm/values.yaml",
    "golden/celery-compose/compose/docker-compose.yaml",
]
IMPORT_RATIO = 1.5  # `airspec import` of the triple within 1.5x `airspec lint` of the same files
AIRFLOW = ROOT / ".venv-airflow" / "bin" / "airflow"


def run_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall milliseconds and peak resident memory (KiB) of one cold run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(proc.pid, 0)
    return (time.perf_counter() - start) * 1000, usage.ru_maxrss


def many_specs(folder: Path, count: int) -> Path:
    """`count` copies of the kubernetes-helm example, each with its own name, in their own folders."""
    text = (ROOT / EXAMPLE).read_text()
    root = folder / f"specs-{count}"
    for i in range(count):
        spec = root / f"s{i:03d}" / "airflow-spec.yaml"
        spec.parent.mkdir(parents=True)
        spec.write_text(text.replace("name: analytics", f"name: analytics-{i:03d}", 1))
    return root


def sizes(argv: Callable[[Path], list[str]], folders: tuple[Path, ...], runs: int) -> tuple[float, ...]:
    """Median milliseconds for each folder of specs, and peak MiB of the largest. The sizes take turns, one run
    each per round (as the rows of the main table do), so a difference between them is not a change of load."""
    samples: list[list[tuple[float, int]]] = [[] for _ in folders]
    for _ in range(max(3, runs // 3)):
        for folder, found in zip(folders, samples, strict=True):
            found.append(run_once(argv(folder)))
    medians = [statistics.median(ms for ms, _ in found) for found in samples]
    return (*medians, max(kib for _, kib in samples[-1]) / 1024)


def scale(airspec: list[str], scratch: Path, runs: int) -> bool:
    """Per-spec cost of one process handling many specs, (t(n) - t(1)) / (n - 1) for 50 and 200 specs (flat when
    the two agree), and peak memory at 200. Every run of a row does the same work at every size: compile either
    rewrites an OUT that is up to date (one untimed run first makes it so) or writes a new OUT each time."""
    one, some, many = many_specs(scratch, 1), many_specs(scratch, 50), many_specs(scratch, 200)
    missed = False
    print()
    print(
        f"{'many specs in one process':<34} {'1 spec ms':>10} {'50 ms':>7} {'200 ms':>7} "
        f"{'per spec (50)':>14} {'per spec (200)':>15} {'peak MiB':>9}"
    )
    fresh = itertools.count()
    for label, command, out in (
        ("validate", "validate", None),
        ("compile (OUT up to date)", "compile", "same"),
        ("compile (a new OUT)", "compile", "new"),
        ("lint", "lint", None),
    ):

        def argv(folder: Path, command: str = command, out: str | None = out) -> list[str]:
            name = folder.name if out == "same" else f"{folder.name}-{next(fresh)}"
            extra = ["-o", str(scratch / "out" / name)] if out else []
            return [*airspec, command, str(folder), *extra]

        if out == "same":
            for folder in (one, some, many):
                run_once(argv(folder))
        small, middle, big, peak = sizes(argv, (one, some, many), runs)
        per_50, per_200 = (middle - small) / 49, (big - small) / 199
        flag = "" if max(per_50, per_200) < 10 else "  MISSED (target < 10 ms)"
        missed = missed or bool(flag)
        print(
            f"airspec {label:<26} {small:>10.1f} {middle:>7.0f} {big:>7.0f} {per_50:>14.1f} {per_200:>15.1f} "
            f"{peak:>9.0f}{flag}"
        )
    # What a new OUT costs this machine's filesystem alone: the same folders and files, copied by plain Python.
    copies = itertools.count()

    def copy(folder: Path) -> list[str]:
        return [
            sys.executable,
            "-c",
            COPY,
            str(scratch / "out" / folder.name),
            str(scratch / "copy" / str(next(copies))),
        ]

    small, middle, big, _ = sizes(copy, (one, some, many), runs)
    print(
        f"{'(the same files copied, plain Python)':<42} {small:>10.1f} {middle:>7.0f} {big:>7.0f} "
        f"{(middle - small) / 49:>14.1f} {(big - small) / 199:>15.1f}"
    )
    shutil.rmtree(scratch / "out", ignore_errors=True)
    shutil.rmtree(scratch / "copy", ignore_errors=True)
    return missed


COPY = """
import os, sys
source, target = sys.argv[1:]
for folder, _, names in os.walk(source):
    into = os.path.join(target, os.path.relpath(folder, source))
    os.makedirs(into, exist_ok=True)
    for name in names:
        with open(os.path.join(folder, name), "rb") as fh:
            data = fh.read()
        with open(os.path.join(into, name), "wb") as fh:
            fh.write(data)
"""


# What no airspec command can go below: the libraries the design prescribes (the CLI, the YAML reader, the models)
# imported, and then airspec's pydantic models validating the example once (building their validators), with no
# other airspec code. Each leaves as airspec does (os._exit, no interpreter teardown). A target under this line
# cannot be met with these libraries.
FLOOR_RATIO = 1.3
FLOOR_IMPORTS = "import click, ruamel.yaml; from pydantic import BaseModel"
LEAVE = "; import os; os._exit(0)"


def floor_models(folder: str) -> str:
    from airspec.loader import load_file

    data = Path(folder) / "example.json"
    data.write_text(json.dumps(load_file(str(ROOT / EXAMPLE)).data))
    return (
        f"{FLOOR_IMPORTS}; import json; from airspec.model.spec import Spec; "
        f"Spec.model_validate(json.load(open({str(data)!r})))"
    )


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
    # What a user runs: the console script pip installed beside this interpreter.
    script = Path(py).parent / "airspec"
    airspec = [str(script)] if script.exists() else [py, "-m", "airspec"]
    # pip compiles an installed package's bytecode; an editable install (or PYTHONDONTWRITEBYTECODE=1) leaves
    # the source to be compiled again in every run. Compile it first, as an install would have.
    subprocess.run(
        [py, "-m", "compileall", "-q", str(ROOT / "airspec")], check=True, stdout=subprocess.DEVNULL
    )
    # (name, argv, target: a ratio to the floor row (float < 10) or milliseconds, env)
    rows: list[tuple[str, list[str], float | None, dict[str, str] | None]] = [
        ("python -c pass", [py, "-c", "pass"], None, None),
        ("floor: import click, ruamel.yaml, pydantic", [py, "-c", FLOOR_IMPORTS + LEAVE], None, None),
        ("floor: + airspec's models validate example", [py, "-c", floor_models(scratch) + LEAVE], None, None),
        # For scale, not a target: the floor in a process set up as airspec's (airspec/__main__.py: no cycle
        # collector, no pydantic plugins). airspec's ratios to it say how much of the gap is airspec's own code.
        (
            "(floor with airspec's process settings)",
            [py, "-c", "import gc; gc.disable(); " + floor_models(scratch) + LEAVE],
            None,
            {**os.environ, "PYDANTIC_DISABLE_PLUGINS": "__all__"},
        ),
        ("airspec validate kubernetes-helm", [*airspec, "validate", EXAMPLE], FLOOR_RATIO, None),
        (
            "airspec compile kubernetes-helm",
            [*airspec, "compile", EXAMPLE, "-o", scratch + "/out"],
            FLOOR_RATIO,
            None,
        ),
        ("airspec lint kubernetes-helm", [*airspec, "lint", EXAMPLE], FLOOR_RATIO, None),
        # What a raw-file lint cannot go below: the interpreter with the CLI library imported (no pydantic, no YAML).
        ("floor (raw files): import click", [py, "-c", "import click" + LEAVE], None, None),
        ("airspec lint raw airflow.cfg", [*airspec, "lint", "--airflow-version", "3.3", RAW_CFG], None, None),
        ("airspec lint cfg+values+compose", [*airspec, "lint", *TRIPLE], None, None),
        (
            "airspec import cfg+values+compose",
            [*airspec, "import", *TRIPLE, "-o", scratch + "/imported/airflow-spec.yaml", "--force"],
            None,
            None,
        ),
        (
            "airspec validate billion-laughs",
            [*airspec, "validate", billion_laughs(scratch)],
            FLOOR_RATIO,
            None,
        ),
    ]
    validators = ROOT / ".venv" / "bin"
    if (validators / "check-jsonschema").exists():
        rows.append(
            (
                "peer: check-jsonschema (spec vs schema)",
                [
                    str(validators / "check-jsonschema"),
                    "--schemafile",
                    "schema/airflow-spec.schema.json",
                    EXAMPLE,
                ],
                None,
                None,
            )
        )
    pod = "golden/kubernetes-helm/kubernetes/pod-template.yaml"
    if (validators / "kubernetes-validate").exists():
        rows.append(
            (
                "peer: kubernetes-validate (pod template)",
                [str(validators / "kubernetes-validate"), "--strict", "-k", "1.33.0", pod],
                None,
                None,
            )
        )
    if AIRFLOW.exists():
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env |= {"AIRFLOW_HOME": scratch + "/airflow-home", "AIRFLOW_CONFIG": str(ROOT / RAW_CFG)}
        rows.append(("peer: airflow config lint (same cfg)", [str(AIRFLOW), "config", "lint"], None, env))
    # The rows take turns, one run each per round (a peer every few rounds: they are slow), so that a ratio between
    # two rows compares runs made under the same load on a shared machine, not a minute apart.
    samples: dict[str, list[float]] = {name: [] for name, *_ in rows}
    peer_every = max(1, args.runs // max(3, args.runs // 4))
    for round_ in range(args.runs):
        for name, argv, _, env in rows:
            if not name.startswith("peer") or round_ % peer_every == 0:
                samples[name].append(run_once(argv, env)[0])
    base = None
    results: dict[str, float] = {}
    missed = False
    print(f"{'command':<40} {'median ms':>10} {'x pass':>8} {'x floor':>8} {'target':>10}")
    floor = None
    for name, _, target, _ in rows:
        ms = statistics.median(samples[name])
        results[name] = ms
        base = base or ms
        if name.startswith("floor: + airspec"):
            floor = ms
        flag, shown = "", ""
        if target is not None and target < 10 and floor is not None:
            shown = f"<= {target}x"
            if ms / floor > target:
                flag, missed = "  MISSED", True
        elif target is not None:
            shown = f"< {target:.0f} ms"
            if ms > target:
                flag, missed = "  MISSED", True
        of_floor = f"{ms / floor:>8.2f}" if floor else f"{'':>8}"
        print(f"{name:<40} {ms:>10.1f} {ms / base:>8.1f} {of_floor} {shown:>10}{flag}")
    # The other peers read the same inputs, each a part of what airspec does: no target, the ratio for scale.
    for label, peer_row, ours in (
        ("check-jsonschema / airspec validate", "peer: check-jsonschema (spec vs schema)", "validate"),
        ("kubernetes-validate / airspec compile", "peer: kubernetes-validate (pod template)", "compile"),
    ):
        if peer_row in results:
            ratio = results[peer_row] / results[f"airspec {ours} kubernetes-helm"]
            print(f"{label:<40} {ratio:>10.1f}x")
    peer = results.get("peer: airflow config lint (same cfg)")
    if peer:
        ratio = peer / results["airspec lint raw airflow.cfg"]
        flag = "" if ratio >= 15 else "  MISSED"
        missed = missed or bool(flag)
        print(f"{'airflow config lint / airspec lint':<40} {ratio:>10.1f}x {'':>8} {'>= 15x':>10}{flag}")
        # the most any raw-file lint with this CLI library could reach: airspec's own part is what lies between
        ceiling = peer / results["floor (raw files): import click"]
        print(f"{'  (airflow config lint / import click)':<40} {ceiling:>10.1f}x")
    ratio = results["airspec import cfg+values+compose"] / results["airspec lint cfg+values+compose"]
    flag = "" if ratio <= IMPORT_RATIO else "  MISSED"
    missed = missed or bool(flag)
    print(f"{'airspec import / airspec lint (triple)':<40} {ratio:>10.2f}x {'':>8} {'<= 1.5x':>10}{flag}")
    missed = scale(airspec, Path(scratch), args.runs) or missed
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
