"""The command line as a user meets it: exit codes, one-line errors, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, airspec


def test_version() -> None:
    from airspec import __version__

    result = airspec("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"airspec, version {__version__}"


def test_every_example_validates() -> None:
    paths = [f"examples/{name}/airflow-spec.yaml" for name in EXAMPLES]
    result = airspec("validate", *paths)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"{p}: valid" for p in paths]


def test_examples_validate_in_each_environment() -> None:
    result = airspec("validate", "examples/kubernetes-helm/airflow-spec.yaml", "--env", "production")
    assert result.returncode == 0, result.stdout + result.stderr


def test_typo_exits_1_with_position_and_suggestion(write) -> None:  # type: ignore[no-untyped-def]
    path = write('name: t\nairflow:\n  version: "3.3"\nscheduler:\n  replicsa: 2\n')
    result = airspec("validate", path)
    assert result.returncode == 1
    assert (
        result.stdout == f"{path}:5:3: error: scheduler: unknown key 'replicsa'; did you mean 'replicas'?\n"
    )


def test_json_format(write) -> None:  # type: ignore[no-untyped-def]
    path = write('name: t\nairflow:\n  version: "3.3"\nscheduler:\n  replicas: x\n')
    result = airspec("validate", path, "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {
            "file": path,
            "valid": False,
            "diagnostics": [
                {
                    "file": path,
                    "line": 5,
                    "column": 13,
                    "severity": "error",
                    "code": "",
                    "message": "scheduler.replicas: expected an integer, got 'x'",
                }
            ],
        }
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name: t\nname: u\n", ":2:1: error: duplicate key 'name' (first defined at line 1)"),
        (bytes(range(256)) * 4, ":1:1: error: binary data (NUL byte): expected a UTF-8 text file"),
        (b"a: [\n", ":2:1: error: invalid YAML"),
        (b"- just\n- a list\n", ":1:1: error: a spec must be a YAML mapping"),
    ],
    ids=["duplicate", "binary", "syntax", "not-a-mapping"],
)
def test_bad_input_is_one_line_no_traceback(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes(content)
    result = airspec("validate", str(path))
    assert (result.returncode, result.stderr) == (1, ""), result.stderr  # a problem in the file: a finding
    out = result.stdout.strip()
    assert "Traceback" not in out
    assert out.count("\n") == 0, out
    assert out == f"{path}{expected}" or out.startswith(f"{path}{expected}")


def test_billion_laughs_is_a_problem_in_the_file(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    result = airspec("validate", str(path))
    assert (result.returncode, result.stderr) == (1, "")
    assert (
        result.stdout
        == f"{path}:1:1: error: document expands to more than 200000 nodes (alias expansion is bounded)\n"
    )


def test_missing_file_and_directory_exit_2(tmp_path: Path) -> None:
    result = airspec("validate", str(tmp_path / "nope.yaml"), str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'nope.yaml'}: no such file",
        f"error: {tmp_path}: no airflow-spec.yaml below this folder",
    ]


def test_unknown_env_exit_2() -> None:
    result = airspec("validate", "examples/kubernetes-helm/airflow-spec.yaml", "--env", "qa")
    assert result.returncode == 2
    assert "no environment 'qa' (environments: production)" in result.stderr


def test_bad_usage_exit_2() -> None:
    assert airspec("validate").returncode == 2
    assert airspec("validate", "x", "--format", "xml").returncode == 2


def test_init_writes_a_spec_that_validates(tmp_path: Path) -> None:
    result = airspec("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    spec = tmp_path / "airflow-spec.yaml"
    assert spec.read_text().startswith("# yaml-language-server: $schema=")
    validated = airspec("validate", str(spec))
    assert validated.returncode == 0, validated.stdout
    again = airspec("init", cwd=tmp_path)
    assert again.returncode == 2
    assert "exists; pass --force" in again.stderr


def test_schema_command_prints_the_committed_schema() -> None:
    result = airspec("schema")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "schema" / "airflow-spec.schema.json").read_text()


def test_validate_reports_what_compile_would_refuse(write) -> None:  # type: ignore[no-untyped-def]
    """A compose target needs a database password and shared secrets: validate says so, as compile would."""
    path = write('name: t\nairflow:\n  version: "3.3"\ntargets: [compose]\n')
    validated = airspec("validate", path)
    compiled = airspec("compile", path, "-o", str(Path(path).parent / "out"))
    assert validated.returncode == compiled.returncode == 1
    assert validated.stdout == compiled.stdout
    assert "the bundled database needs a password" in validated.stdout


def _many_invalid_specs(root: Path, count: int = 400) -> Path:
    for i in range(count):
        spec = root / f"s{i:03d}" / "airflow-spec.yaml"
        spec.parent.mkdir(parents=True)
        spec.write_text("name: x\nairflow: {version: '3.3'}\nexecuter: LocalExecutor\n")
    return root


def test_output_larger_than_a_pipe_arrives_whole(tmp_path: Path) -> None:
    """airspec leaves without the interpreter's teardown (os._exit): what it printed must still all arrive,
    also when it is more than a pipe holds."""
    result = airspec("validate", "--format", "json", str(_many_invalid_specs(tmp_path)))
    assert result.returncode == 1
    assert len(result.stdout) > 1 << 16
    assert len(json.loads(result.stdout)) == 400


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`airspec validate folder | head -1`: more output than a pipe holds, and the reader gone after a line."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")} | {"PYTHONPATH": str(ROOT)}
    argv = [
        sys.executable,
        "-m",
        "airspec",
        "validate",
        "--format",
        "json",
        str(_many_invalid_specs(tmp_path)),
    ]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(1) == b"["
        proc.stdout.close()
        stderr = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
    assert code != 0
    assert "Traceback" not in stderr, stderr


# --- the first hour (issue 17) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_init_writes_the_spec_with_the_mode_the_umask_gives(tmp_path: Path, umask: int) -> None:
    import os
    import subprocess
    import sys

    code = f"import os, sys; os.umask({umask}); from airspec.cli import cli; sys.argv = ['airspec', 'init']; cli()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "airflow-spec.yaml").stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the artifacts of two examples: out/ (helm) and c/ (compose)."""
    tmp_path = tmp_path_factory.mktemp("compiled")
    out = tmp_path / "out"
    compiled = airspec("compile", str(ROOT / "examples/kubernetes-helm/airflow-spec.yaml"), "-o", str(out))
    assert compiled.returncode == 0, compiled.stderr
    compose = airspec(
        "compile", str(ROOT / "examples/celery-compose/airflow-spec.yaml"), "-o", str(tmp_path / "c")
    )
    assert compose.returncode == 0, compose.stderr
    return tmp_path


@pytest.mark.parametrize(
    ("path", "what", "imports"),
    [
        ("out/airflow.cfg", "an airflow.cfg", True),
        ("out/helm/values.yaml", "Helm values for the Airflow chart", True),
        ("c/compose/docker-compose.yaml", "a docker-compose file", True),
        ("out/monitoring/statsd-mappings.yaml", "statsd_exporter mappings", False),
    ],
)
@pytest.mark.parametrize("command", ["validate", "compile"])
def test_a_file_that_is_not_a_spec_is_named_with_the_command_that_reads_it(
    compiled: Path, path: str, what: str, imports: bool, command: str
) -> None:
    result = airspec(command, path, cwd=compiled)
    assert result.returncode == 1
    reads = f"`airspec lint {path}` checks it" + (", `airspec import` makes a spec of it" if imports else "")
    assert result.stdout == f"{path}:1:1: error: not a spec but {what}: {reads}\n"
    assert airspec("lint", "--airflow-version", "3.3", path, cwd=compiled).returncode in (0, 1)


@pytest.mark.parametrize(
    "text",
    [
        "name: t\nscheduler: {replicas: 2}\nconfig: {}\n",  # a spec without airflow:, not Helm values
        "airflow: {version: 3}\nservices: {}\n",  # has airflow:, so a (broken) spec
        "executor: LocalExecutor\ndags: {}\n",  # only keys a spec has
    ],
)
def test_a_broken_spec_is_still_validated_as_a_spec(tmp_path: Path, text: str) -> None:
    (tmp_path / "values.yaml").write_text(text)
    result = airspec("validate", "values.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "not a spec" not in result.stdout and "values.yaml:" in result.stdout


def test_an_internal_error_is_one_line_exit_2_and_quotes_nothing() -> None:
    """A bug's exception text may carry a value from the inputs: the line names the place, never the text."""
    code = (
        "import sys\nfrom unittest import mock\nimport airspec.cli as cli\n"
        "sys.argv = ['airspec', 'validate', 'examples/minimal/airflow-spec.yaml']\n"
        "with mock.patch('airspec.pipeline.problems', side_effect=ValueError('S3CRET-VALUE')):\n"
        "    cli.main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: internal error, please report it: ValueError at "), proc.stderr
    assert proc.stderr.count("\n") == 1 and "S3CRET" not in proc.stderr


def test_pydantic_plugins_installed_beside_airspec_do_not_run_in_it(tmp_path: Path) -> None:
    """What a spec validates to cannot depend on what else is installed: a pydantic plugin on the path runs in a
    plain pydantic process (so this test can fail) and not in airspec's."""
    site = tmp_path / "site"
    dist = site / "spy_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n")
    marker = tmp_path / "loaded"
    (site / "spy_plugin.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('loaded')\n\n"
        "class Plugin:\n    def new_schema_validator(self, *args, **kwargs):\n        return None, None, None\n\n"
        "plugin = Plugin()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYDANTIC"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(site)])
    plain = "import pydantic\nclass M(pydantic.BaseModel):\n    a: int\nM(a=1)\n"
    subprocess.run([sys.executable, "-c", plain], env=env, check=True, timeout=60)
    assert marker.read_text() == "loaded"
    marker.unlink()
    example = ROOT / "examples" / "kubernetes-helm" / "airflow-spec.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "airspec", "validate", str(example)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not marker.exists()
