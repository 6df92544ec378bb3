"""`airspec diff --against http://...` against real Airflow 3.3.2 api-servers on 127.0.0.1.

One module fixture migrates one sqlite database and starts two servers side by side (about 6 s together): one
configured exactly from the spec's compiled airflow.cfg, one with a single option changed. The spec is
examples/minimal plus what a server needs to answer: SimpleAuthManager users with a passwords file, and
`api_server.expose_config: true` (the config endpoint answers only then, and the spec must say so, or that option is
rightly reported as drift: see test_spec_that_hides_config_sees_that_option_drift).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from airspec import pipeline
from airspec.artifacts import build
from tests.diff_support import run_diff
from tests.validators import clean_env, tool

PASSWORD = "Pw-for-airspec-diff-1"
START_TIMEOUT = 90.0

SPEC = """\
# examples/minimal, and what a test server needs to answer the config endpoint.
name: minimal
development_only: true
airflow:
  version: "3.3"
targets: [compose]
api_server:
  expose_config: true
logging:
  level: INFO
config:
  core:
    simple_auth_manager_users: admin:admin
    simple_auth_manager_passwords_file: {passwords}
"""


@dataclass(frozen=True)
class Servers:
    spec: Path
    same: str  # URL of the server configured exactly as the spec says
    changed: str  # URL of the server with [logging] logging_level = WARNING
    logs: tuple[Path, Path]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"api-server exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"api-server did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Ctrl+C to each server's own process group (uvicorn workers go with it), then wait for all at once."""
    running = [p for p in procs if p.poll() is None]
    for proc in running:
        os.killpg(proc.pid, signal.SIGINT)
    deadline = time.monotonic() + 15
    for proc in running:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    airflow = Path(tool("airflow-python")).parent / "airflow"
    root = tmp_path_factory.mktemp("live")
    passwords = root / "passwords.json"
    passwords.write_text(json.dumps({"admin": PASSWORD}) + "\n")
    spec = root / "airflow-spec.yaml"
    spec.write_text(SPEC.format(passwords=passwords))
    resolved = pipeline.resolved(str(spec))
    (cfg,) = [a.text for a in build(resolved) if a.kind == "airflow.cfg"]
    assert "logging_level = INFO" in cfg

    homes = (root / "same", root / "changed")
    for home, text in zip(
        homes, (cfg, cfg.replace("logging_level = INFO", "logging_level = WARNING")), strict=True
    ):
        home.mkdir()
        (home / "airflow.cfg").write_text(text)
    started = time.monotonic()
    migrate = subprocess.run(
        [airflow, "db", "migrate"],
        env=clean_env(AIRFLOW_HOME=str(homes[0])),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    migrated = time.monotonic()
    (homes[1] / "airflow.db").write_bytes((homes[0] / "airflow.db").read_bytes())

    procs: list[subprocess.Popen[bytes]] = []
    urls, logs = [], []
    try:
        for home in homes:
            port = _free_port()
            log = home / "server.log"
            with log.open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port), "--apps", "core"],
                        env=clean_env(AIRFLOW_HOME=str(home)),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                )
            urls.append(f"http://127.0.0.1:{port}")
            logs.append(log)
        deadline = time.monotonic() + START_TIMEOUT
        for url, proc, log in zip(urls, procs, logs, strict=True):
            _wait(url, proc, log, deadline)
        ready = time.monotonic()
        print(
            f"\n`airflow db migrate` {migrated - started:.1f} s; two api-servers ready {ready - migrated:.1f} s later"
        )
        yield Servers(spec, urls[0], urls[1], (logs[0], logs[1]))
    finally:
        _stop(procs)


def diff(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_diff(*args, env=env)


LOGIN = {"AIRSPEC_AIRFLOW_USERNAME": "admin", "AIRSPEC_AIRFLOW_PASSWORD": PASSWORD}


def test_server_configured_from_the_spec_has_no_drift(servers: Servers) -> None:
    result = diff(str(servers.spec), "--against", servers.same, "--format", "json", **LOGIN)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["drift"] is False
    assert report["changes"] == []
    assert report["compared"] == [
        {"artifact": "airflow.cfg", "path": "airflow.cfg", "source": f"{servers.same}/api/v2/config"}
    ]


def test_one_changed_option_is_the_one_change(servers: Servers) -> None:
    result = diff(str(servers.spec), "--against", servers.changed, "--format", "json", **LOGIN)
    assert result.returncode == 1, result.stdout + result.stderr
    changes = json.loads(result.stdout)["changes"]
    line = SPEC.splitlines().index("  level: INFO") + 1
    assert changes == [
        {
            "artifact": "airflow.cfg",
            "path": "airflow.cfg",
            "location": "[logging] logging_level",
            "kind": "changed",
            "spec_value": "INFO",
            "deployed_value": "WARNING",
            "spec_line": f"{servers.spec}:{line}:10",
            "note": "",
        }
    ]
    text = diff(str(servers.spec), "--against", servers.changed, **LOGIN)
    assert text.returncode == 1
    assert "changed       [logging] logging_level: spec INFO, deployed WARNING" in text.stdout


def test_bearer_token_from_the_environment(servers: Servers) -> None:
    request = urllib.request.Request(
        f"{servers.same}/auth/token",
        data=json.dumps({"username": "admin", "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.load(response)["access_token"]
    result = diff(str(servers.spec), "--against", servers.same + "/", AIRSPEC_AIRFLOW_TOKEN=token)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "no drift: 1 artifact compared"


def test_refused_credentials_are_one_line_without_the_password(servers: Servers) -> None:
    result = diff(
        str(servers.spec),
        "--against",
        servers.same,
        AIRSPEC_AIRFLOW_USERNAME="admin",
        AIRSPEC_AIRFLOW_PASSWORD="not-the-password",
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {servers.same}/auth/token: 401 Unauthorized: set AIRSPEC_AIRFLOW_TOKEN, or "
        "AIRSPEC_AIRFLOW_USERNAME and AIRSPEC_AIRFLOW_PASSWORD, to credentials it accepts\n"
    )


def test_no_credentials_is_one_line(servers: Servers) -> None:
    result = diff(str(servers.spec), "--against", servers.same)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "401 Unauthorized" in result.stderr


def test_spec_that_hides_config_sees_that_option_drift(servers: Servers, tmp_path: Path) -> None:
    """The server must expose its configuration to be read, so a spec that (rightly) keeps it hidden sees exactly
    that option differ; `--ignore` takes it out for such a check."""
    spec = tmp_path / "hidden.yaml"
    spec.write_text(servers.spec.read_text().replace("expose_config: true", "expose_config: false"))
    result = diff(str(spec), "--against", servers.same, "--format", "json", **LOGIN)
    assert result.returncode == 1
    changes = json.loads(result.stdout)["changes"]
    assert [(c["location"], c["spec_value"], c["deployed_value"]) for c in changes] == [
        ("[api] expose_config", "False", "True")
    ]
    ignored = diff(str(spec), "--against", servers.same, "--ignore", "[api] expose_config", **LOGIN)
    assert ignored.returncode == 0, ignored.stdout + ignored.stderr
