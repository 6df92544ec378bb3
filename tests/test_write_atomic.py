"""The output folder is never written through a link and never seen half-written (issue #13, items 9-10).

- A symbolic link planted inside OUT is refused; nothing is written where it points.
- kill -9 at random points of a compile (and right after the exchange that swaps the new OUT in) leaves OUT all
  old or all new; the next run leaves no temporary file or folder behind.
- Two compiles of different specs into the same OUT at once never mix their artifacts.

The kill loop forks the test process rather than starting `airspec compile` for each kill: only the writer touches
OUT, and a fork costs milliseconds where a start costs a second on a busy machine. A few real `airspec compile`
processes are killed and raced too, end to end.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import airspec.write
from airspec import pipeline
from airspec.artifacts import build
from airspec.write import write_tree
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and kill -9")

SPECS = ("examples/kubernetes-helm/airflow-spec.yaml", "examples/airflow2-celery-helm/airflow-spec.yaml")
Files = list[tuple[str, str]]


def _files(spec: str, out: Path) -> Files:
    resolved = pipeline.resolved(str(ROOT / spec), None, str(out))
    return [(a.path, a.text) for a in build(resolved)]


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file below `root`, by relative path."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _expected(before: dict[str, bytes], files: Files) -> dict[str, bytes]:
    after = dict(before)
    after.update({rel: text.encode("utf-8") for rel, text in files})
    return after


def _leftovers(out: Path) -> list[str]:
    found = [p.name for p in out.parent.iterdir() if ".airspec-" in p.name]
    if out.exists():
        found += [str(p) for p in out.rglob("*") if ".airspec-" in p.name]
    return found


def _in_child(work: Callable[[], None]) -> int:
    """Run `work` in a forked child; its wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            work()
        finally:
            os._exit(0)
    return os.waitpid(pid, 0)[1]


def _kill_at_line(n: int) -> Callable[[FrameType, str, Any], Any]:
    """A tracer that kills this process (SIGKILL: no cleanup, no finally) at the n-th line the writer runs."""
    writer = airspec.write.__file__
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if frame.f_code.co_filename != writer:
            return None
        if event == "line":
            count += 1
            if count == n:
                os.kill(os.getpid(), signal.SIGKILL)
        return tracer

    return tracer


def _count_lines(out: Path, files: Files, scratch: Path) -> int:
    """How many lines of the writer one write of `files` over OUT runs (in a child, on a copy of OUT)."""
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    if out.exists():
        shutil.copytree(out, scratch / out.name, symlinks=True)
    out = scratch / out.name
    read, write = os.pipe()

    def work() -> None:
        count = 0
        writer = airspec.write.__file__

        def tracer(frame: FrameType, event: str, arg: Any) -> Any:
            nonlocal count
            if frame.f_code.co_filename != writer:
                return None
            if event == "line":
                count += 1
            return tracer

        sys.settrace(tracer)
        write_tree(str(out), files)
        sys.settrace(None)
        os.write(write, str(count).encode())

    _in_child(work)
    os.close(write)
    total = int(os.read(read, 64) or b"0")
    os.close(read)
    return total


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Files, Files]:
    out = tmp_path_factory.mktemp("labels") / "build"
    return _files(SPECS[0], out), _files(SPECS[1], out)


# --------------------------------------------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("helm", "../elsewhere"),
        ("kubernetes/profiles", "ANYWHERE"),
        ("airflow.cfg", "../elsewhere/airflow.cfg"),
    ],
)
def test_a_link_planted_inside_out_is_refused(tmp_path: Path, link: str, target: str) -> None:
    out = tmp_path / "build"
    elsewhere = tmp_path / "elsewhere"
    anywhere = tmp_path / "anywhere"
    for folder in (elsewhere, anywhere):
        folder.mkdir()
        (folder / "values.yaml").write_text("mine\n")
        (folder / "gpu.yaml").write_text("mine\n")
        (folder / "airflow.cfg").write_text("mine\n")
    spec = str(ROOT / SPECS[0])
    first = _compile(spec, out)
    assert first.returncode == 0, first.stderr
    planted = out / link
    planted.unlink() if planted.is_file() else _rmtree(planted)
    planted.symlink_to(str(anywhere) if target == "ANYWHERE" else target)
    # Another spec, so that there is something to write.
    result = _compile(str(ROOT / SPECS[1]), out) if link != "kubernetes/profiles" else _compile_changed(out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    for folder in (elsewhere, anywhere):
        assert sorted(p.name for p in folder.iterdir()) == ["airflow.cfg", "gpu.yaml", "values.yaml"]
        assert all(p.read_text() == "mine\n" for p in folder.iterdir())
    assert _leftovers(out) == []


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


def _compile(spec: str, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`airspec compile SPEC -o OUT` in this process: its exit code, stdout and stderr."""
    from click.testing import CliRunner

    from airspec.cli import cli, exit_code
    from airspec.errors import AirspecError

    result = CliRunner().invoke(cli, ["compile", spec, "-o", str(out), *extra])
    error = result.exception
    if isinstance(error, AirspecError):
        return subprocess.CompletedProcess([], exit_code(error), result.stdout, str(error))
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return subprocess.CompletedProcess([], result.exit_code, result.stdout, result.stderr)


def _compile_changed(out: Path) -> subprocess.CompletedProcess[str]:
    """kubernetes-helm with another GPU profile: the profiles folder gets new content."""
    text = (ROOT / SPECS[0]).read_text(encoding="utf-8")
    spec = out.parent / "changed" / "airflow-spec.yaml"
    spec.parent.mkdir(exist_ok=True)
    changed = text.replace("nvidia.com/gpu", "amd.com/gpu")
    assert changed != text
    spec.write_text(changed, encoding="utf-8")
    return _compile(str(spec), out)


# ------------------------------------------------------------------------------------------------ kill -9


def test_kill_9_anywhere_leaves_out_all_old_or_all_new(tmp_path: Path, outputs: tuple[Files, Files]) -> None:
    out = tmp_path / "build"
    write_tree(str(out), outputs[0])
    rng = random.Random(13)
    kills = 0
    right_after_exchange = 0
    totals: dict[int, int] = {}  # lines the writer runs, by direction (a killed run's leftovers add a few)
    for i in range(60):
        before = _snapshot(out)
        # Always the output OUT does not hold, so that every run has something to write.
        files = outputs[1] if before == _expected(before, outputs[0]) else outputs[0]
        key = id(files)
        if key not in totals:
            totals[key] = _count_lines(out, files, tmp_path / "scratch")
        total = totals[key]
        if i % 4 == 3:  # right after the exchange that swaps the new OUT in
            status = _in_child(lambda files=files: _exchange_then_die(out, files))
            right_after_exchange += 1
        else:
            tracer = _kill_at_line(rng.randint(1, max(total, 1)))
            status = _in_child(
                lambda files=files, tracer=tracer: (sys.settrace(tracer), write_tree(str(out), files))
            )
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        kills += killed
        if not killed:
            totals.pop(key, None)
        now = _snapshot(out)
        assert now in (before, _expected(before, files)), f"round {i}: OUT is neither all old nor all new"
        if i % 10 == 9:
            write_tree(str(out), files)  # the next run cleans up after the killed ones
            assert _leftovers(out) == []
            assert _snapshot(out) == _expected(now, files)
    assert kills >= 50 and right_after_exchange >= 15


def _exchange_then_die(out: Path, files: Files) -> None:
    real = airspec.write._exchange

    def exchange(a: Path, b: Path) -> bool:
        done = real(a, b)
        os.kill(os.getpid(), signal.SIGKILL)
        return done

    airspec.write._exchange = exchange  # type: ignore[assignment]
    write_tree(str(out), files)


def test_kill_9_of_airspec_compile_processes(tmp_path: Path, outputs: tuple[Files, Files]) -> None:
    """End to end: real `airspec compile` processes killed at random times, switching between two specs."""
    out = tmp_path / "build"
    write_tree(str(out), outputs[0])
    rng = random.Random(7)
    for i in range(4):
        files = outputs[(i + 1) % 2]
        before = _snapshot(out)
        proc = subprocess.Popen(
            [sys.executable, "-m", "airspec", "compile", str(ROOT / SPECS[(i + 1) % 2]), "-o", str(out)],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _snapshot(out) in (before, _expected(before, files))
    write_tree(str(out), outputs[0])
    assert _snapshot(out) == _expected(_snapshot(out), outputs[0])
    assert _leftovers(out) == []


# ----------------------------------------------------------------------------------------------- at once


def test_two_compiles_at_once_never_mix(tmp_path: Path, outputs: tuple[Files, Files]) -> None:
    a, b = outputs
    both = {rel for rel, _ in a} & {rel for rel, _ in b}
    assert len(both) >= 4
    for i in range(20):
        out = tmp_path / f"build{i}"
        write_tree(str(out), a if i % 2 else b)
        pids = []
        for files in (a, b) if i % 2 else (b, a):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                try:
                    write_tree(str(out), files)
                finally:
                    os._exit(0)
            pids.append(pid)
        for pid in pids:
            assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        now = _snapshot(out)
        shared = {rel: now[rel] for rel in both}
        from_a = {rel: t.encode() for rel, t in a if rel in both}
        from_b = {rel: t.encode() for rel, t in b if rel in both}
        assert shared in (from_a, from_b), f"run {i}: artifacts of both specs in one OUT"
        assert _leftovers(out) == []


def test_two_airspec_compile_processes_at_once(tmp_path: Path, outputs: tuple[Files, Files]) -> None:
    a, b = outputs
    both = {rel for rel, _ in a} & {rel for rel, _ in b}
    out = tmp_path / "build"
    for _ in range(2):
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "airspec", "compile", str(ROOT / spec), "-o", str(out)],
                cwd=tmp_path,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for spec in SPECS
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        now = _snapshot(out)
        shared = {rel: now[rel] for rel in both}
        assert shared in (
            {rel: t.encode() for rel, t in a if rel in both},
            {rel: t.encode() for rel, t in b if rel in both},
        )
        assert _leftovers(out) == []
