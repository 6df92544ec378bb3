"""`airspec compile` as CI uses it: determinism, --check, atomic writes, manifest, confinement."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

EXAMPLE = "examples/kubernetes-helm/airflow-spec.yaml"


def run(*args: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env |= {"PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, "-m", "airspec", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    for seed in ("1", "2"):
        result = run("compile", EXAMPLE, "-o", str(tmp_path / seed), seed=seed)
        assert result.returncode == 0, result.stderr
    first, second = tree(tmp_path / "1"), tree(tmp_path / "2")
    assert first == second
    for path, data in first.items():
        assert data.endswith(b"\n") and b"\r" not in data, path


def test_artifacts_are_ordinary_files_others_can_read(tmp_path: Path) -> None:
    """Files are staged and renamed into place, but end up as any new file would (0666 less the umask): the
    StatsD exporter's container reads the mappings compose mounts, as another user. No staging file is left."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")} | {"PYTHONPATH": str(ROOT)}
    out = tmp_path / "out"
    script = "import os, sys; os.umask(0o022); from airspec.cli import main; sys.argv[0] = 'airspec'; main()"
    result = subprocess.run(
        [sys.executable, "-c", script, "compile", EXAMPLE, "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files and not [p for p in files if p.name.endswith(".airspec-tmp")]
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(0o644)}


def test_files_already_current_are_left_alone(tmp_path: Path) -> None:
    """A second compile rewrites nothing that is already right (same inode, same mtime) and says so; a file that
    differs is written again."""
    out = tmp_path / "out"
    first = run("compile", EXAMPLE, "-o", str(out))
    assert first.returncode == 0, first.stderr
    assert all(line.startswith(f"wrote {out}/") for line in first.stdout.splitlines())
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    (out / "airflow.cfg").write_text("edited\n")
    second = run("compile", EXAMPLE, "-o", str(out))
    assert second.returncode == 0, second.stderr
    assert f"wrote {out}/airflow.cfg" in second.stdout.splitlines()
    assert sum(line.startswith(f"unchanged {out}/") for line in second.stdout.splitlines()) == len(before) - 1
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert {p for p in before if before[p] != after[p]} == {out / "airflow.cfg"}
    assert run("compile", EXAMPLE, "-o", str(out), "--check").returncode == 0


def test_check_reports_missing_then_current_then_stale(tmp_path: Path) -> None:
    out = tmp_path / "out"
    missing = run("compile", EXAMPLE, "-o", str(out), "--check")
    assert missing.returncode == 1
    assert f"{out}: missing airflow.cfg" in missing.stdout.splitlines()
    assert not out.exists(), "--check must write nothing"
    assert run("compile", EXAMPLE, "-o", str(out)).returncode == 0
    current = run("compile", EXAMPLE, "-o", str(out), "--check")
    assert current.returncode == 0, current.stdout
    (out / "airflow.cfg").write_text((out / "airflow.cfg").read_text() + "# edited\n")
    stale = run("compile", EXAMPLE, "-o", str(out), "--check")
    assert stale.returncode == 1
    assert stale.stdout.splitlines() == [f"{out}: stale airflow.cfg"]


def test_invalid_spec_leaves_out_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("compile", EXAMPLE, "-o", str(out)).returncode == 0
    before = tree(out)
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(ROOT / EXAMPLE).read_text().replace("replicas: 2", "replicas: two", 1))
    result = run("compile", str(bad), "-o", str(out))
    assert result.returncode == 1
    assert "expected an integer, got 'two'" in result.stdout
    assert tree(out) == before
    fresh = tmp_path / "fresh"
    assert run("compile", str(bad), "-o", str(fresh)).returncode == 1
    assert not fresh.exists()


def test_unwritable_out_is_one_line_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run("compile", EXAMPLE, "-o", str(blocker / "out"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_manifest(tmp_path: Path) -> None:
    result = run("compile", EXAMPLE, "-o", str(tmp_path), "--format", "json")
    assert result.returncode == 0
    manifest = json.loads(result.stdout)
    assert manifest["spec"] == EXAMPLE
    assert manifest["airflow_version"] == "3.3.2"
    kinds = {a["kind"] for a in manifest["artifacts"]}
    assert "airflow.cfg" in kinds
    for artifact in manifest["artifacts"]:
        assert (tmp_path / artifact["path"]).is_file()


def test_only_filters_kinds_and_rejects_unknown(tmp_path: Path) -> None:
    result = run("compile", EXAMPLE, "-o", str(tmp_path), "--only", "airflow.cfg", "--format", "json")
    assert [a["kind"] for a in json.loads(result.stdout)["artifacts"]] == ["airflow.cfg"]
    bad = run("compile", EXAMPLE, "-o", str(tmp_path), "--only", "nope")
    assert bad.returncode == 2
    assert "unknown kind nope" in bad.stderr


def test_environment_overlay_changes_output(tmp_path: Path) -> None:
    assert run("compile", EXAMPLE, "-o", str(tmp_path / "base")).returncode == 0
    assert run("compile", EXAMPLE, "-o", str(tmp_path / "prod"), "--env", "production").returncode == 0
    base = (tmp_path / "base" / "airflow.cfg").read_text()
    prod = (tmp_path / "prod" / "airflow.cfg").read_text()
    assert "parallelism = 64" in base and "parallelism = 128" in prod
    assert "(environment production)" in prod.splitlines()[0]


def test_many_specs_compile_into_one_folder_each(tmp_path: Path) -> None:
    result = run("compile", "examples", "-o", str(tmp_path / "out"), "--format", "json")
    assert result.returncode == 0, result.stderr
    manifests = json.loads(result.stdout)
    names = sorted(Path(m["out"]).name for m in manifests)
    assert names == ["analytics", "celery-compose", "legacy", "minimal"]
    for manifest in manifests:
        for artifact in manifest["artifacts"]:
            assert (Path(manifest["out"]) / artifact["path"]).is_file()
    current = run("compile", "examples", "-o", str(tmp_path / "out"), "--check")
    assert current.returncode == 0, current.stdout


def test_many_specs_all_or_nothing(tmp_path: Path) -> None:
    """One invalid spec among many: every problem is reported and nothing is written."""
    bad = tmp_path / "specs" / "bad" / "airflow-spec.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text('name: bad\nairflow:\n  version: "3.3"\nscheduler:\n  replicas: two\n')
    result = run("compile", str(tmp_path / "specs"), EXAMPLE, "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert (
        result.stdout == f"{bad.as_posix()}:5:13: error: scheduler.replicas: expected an integer, got 'two'\n"
    )
    assert not (tmp_path / "out").exists()


def test_many_specs_with_one_name_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "copy" / "airflow-spec.yaml"
    copy.parent.mkdir()
    copy.write_text((ROOT / EXAMPLE).read_text())
    result = run("compile", EXAMPLE, str(copy), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "are both named 'analytics'" in result.stderr
