"""Which Airflow version each raw file is linted for: its own statement, its neighbours in the same folder, the
options only some lines have, else the newest line; never a refusal; every format says which and why. And
projects: cross-file rules compare the files of one folder (or of `--project`), folders say what they skip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airspec.lint.engine import Request, run
from tests.conftest import airspec


def _targets(*paths: Path, flag: str | None = None) -> dict[str, tuple[str, str, str, str | None]]:
    outcome = run(Request(tuple(str(p) for p in paths), airflow_version=flag))
    return {Path(t.file).name: (t.version, t.line, t.reason, t.note) for t in outcome.targets}


@pytest.mark.parametrize(
    ("name", "text", "version", "reason"),
    [
        (
            "Dockerfile",
            "FROM apache/airflow:2.7.3-python3.10\nUSER airflow\n",
            "2.7.3",
            "FROM apache/airflow",
        ),
        ("requirements.txt", "pandas\napache-airflow[celery]==2.9.1\n", "2.9.1", "apache-airflow==2.9.1"),
        (
            "requirements.txt",
            "-c https://raw.githubusercontent.com/apache/airflow/constraints-1.10.15/constraints-3.8.txt\n",
            "1.10.15",
            "constraints-1.10.15",
        ),
        (
            ".env",
            "AIRFLOW_IMAGE_NAME=apache/airflow:3.1.7\nAIRFLOW_UID=50000\n",
            "3.1.7",
            "apache/airflow:3.1.7",
        ),
        ("values.yaml", 'defaultAirflowTag: "3.2.1"\n', "3.2.1", "3.2.1 in"),
    ],
)
def test_version_from_a_neighbour(tmp_path: Path, name: str, text: str, version: str, reason: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[core]\nparallelism = 32\n", encoding="utf-8")
    got = _targets(cfg)["airflow.cfg"]
    assert got[0] == version and reason in got[2] and "beside it" in got[2], got


def test_old_releases_get_their_own_lint_only_line(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM apache/airflow:1.10.15-python3.8\n", encoding="utf-8")
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[webserver]\nrbac = True\n", encoding="utf-8")
    version, line, reason, note = _targets(cfg)["airflow.cfg"]
    assert (version, line, note) == ("1.10.15", "1.10", None)
    assert "FROM apache/airflow:1.10.15-python3.8" in reason


def test_older_releases_are_fitted_to_the_oldest_line_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM apache/airflow:1.9.0\n", encoding="utf-8")
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[webserver]\nrbac = True\n", encoding="utf-8")
    version, line, _, note = _targets(cfg)["airflow.cfg"]
    assert (version, line) == ("1.9.0", "1.10")
    assert note is not None and "older than the oldest line" in note


def test_patch_release_other_than_the_catalogs_is_said(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[core]\nparallelism = 32\n", encoding="utf-8")
    version, line, reason, note = _targets(cfg, flag="3.1.7")["airflow.cfg"]
    assert (version, line, reason) == ("3.1.7", "3.1", "--airflow-version")
    assert note is not None and "Airflow 3.1.8" in note and "3.1.7" in note


def test_options_only_some_lines_have_choose_the_line(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[api_auth]\njwt_secret = x\n[core]\nparallelism = 8\n", encoding="utf-8")
    version, _, reason, _ = _targets(cfg)["airflow.cfg"]
    assert version.startswith("3.") and "[api_auth] jwt_secret" in reason


def test_nothing_known_means_the_newest_line_and_a_notice(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[core]\nparallelism = 32\n", encoding="utf-8")
    result = airspec("lint", "airflow.cfg", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "airflow.cfg: linted for Airflow 3.3 with the 3.3 catalog (3.3.2 facts)" in result.stderr
    assert "pass --airflow-version to choose" in result.stderr


def test_each_file_its_own_version_no_borrowing(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "docker-compose.yaml").write_text("services:\n  s:\n    image: apache/airflow:2.10.5\n")
    (old / "airflow.cfg").write_text("[webserver]\nweb_server_port = 8080\n")
    (new / "values.yaml").write_text('airflowVersion: "3.3.2"\n')
    (new / "airflow.cfg").write_text("[core]\nparallelism = 3\n")
    outcome = run(Request((str(old), str(new))))
    found = {str(Path(t.file).relative_to(tmp_path)): t.version for t in outcome.targets}
    assert found == {
        "old/airflow.cfg": "2.10.5",
        "old/docker-compose.yaml": "2.10.5",
        "new/airflow.cfg": "3.3.2",
        "new/values.yaml": "3.3.2",
    }
    assert not [d for d in outcome.findings if d.code == "AS401"]  # 2.10 still reads web_server_port there


def test_json_and_sarif_say_which_version_and_why(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM apache/airflow:3.2.2\n")
    (tmp_path / "airflow.cfg").write_text("[core]\nparallelism = 0\n")
    js = json.loads(airspec("lint", "--format", "json", "airflow.cfg", cwd=tmp_path).stdout)
    assert js[0]["airflow_version"]["version"] == "3.2.2"
    assert "FROM apache/airflow:3.2.2" in js[0]["airflow_version"]["reason"]
    sarif = json.loads(airspec("lint", "--format", "sarif", "airflow.cfg", cwd=tmp_path).stdout)
    props = sarif["runs"][0]["invocations"][0]["properties"]["airflowVersions"]
    assert [(p["file"], p["version"]) for p in props] == [("airflow.cfg", "3.2.2")]


def test_conflicts_are_compared_inside_one_folder_only(tmp_path: Path) -> None:
    for name, cfg_value, helm_value in (("a", 32, 32), ("b", 64, 64)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "airflow.cfg").write_text(f"[core]\nparallelism = {cfg_value}\n")
        (folder / "values.yaml").write_text(
            f'airflowVersion: "3.3.2"\nconfig:\n  core:\n    parallelism: {helm_value}\n'
        )
    apart = run(Request((str(tmp_path),), select=("AS605",)))
    assert [d for d in apart.findings if d.code == "AS605"] == []
    together = run(Request((str(tmp_path),), select=("AS605",), project=True))
    assert [d for d in together.findings if d.code == "AS605"]


def test_a_folder_says_what_it_skipped_and_one_bad_file_does_not_stop_the_run(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# deploy\n")
    (tmp_path / "notes.yaml").write_text("title: notes\n")
    (tmp_path / "override.yaml").write_text('airflowVersion: "3.3.2"\nwebserver:\n  replicas: 2\n')
    (tmp_path / "airflow.cfg").write_text("[core]\nload_examples = True\n")
    result = airspec("lint", ".", "notes2.yaml", cwd=tmp_path)
    assert result.returncode == 2  # notes2.yaml does not exist: said, and the rest is linted
    assert "AS503" in result.stdout and "override.yaml:2:1: error AS408" in result.stdout
    assert "skipped 1 file(s) that are no lint input by name: README.md" in result.stderr
    assert "notes.yaml: skipped: cannot tell what kind of file" in result.stderr
    assert "notes2.yaml" in result.stderr


def test_a_version_flag_that_is_no_version_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "airflow.cfg").write_text("[core]\nparallelism = 3\n")
    result = airspec("lint", "--airflow-version", "three", "airflow.cfg", cwd=tmp_path)
    assert result.returncode == 2 and "is not a version such as 3.3" in result.stderr


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("1.10.15-python3.8", "1.10.15"),
        ("apache/airflow:1.10.12-python3.6", "1.10.12"),
        ("slim-2.9.3-python3.11", "2.9.3"),
        ("latest-python3.8", None),  # a Python release, not an Airflow one
        ("v1-10-stable-python3.6", None),
    ],
)
def test_image_tags_name_airflow_releases_only(tag: str, version: str | None) -> None:
    from airspec.lint.inputs import version_in

    assert version_in(tag) == version
