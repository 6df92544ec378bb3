"""`airspec diff` against compiled output changed in known ways, against the same meaning spelled differently, and
with secrets in the deployed files. Sources here are folders and files; see test_diff_sources.py for manifests and
k8s://, test_diff_live.py for a real Airflow API server."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from airspec.diff import run
from airspec.diff.model import Report
from tests.conftest import ROOT
from tests.diff_support import compiled, example, run_diff

SECRET = "Zm9vYmFyLXNlY3JldC12YWx1ZS0xMjM0NTY3ODkw"  # a fernet-key-like value that must never be printed
DB_PASSWORD = "hunter2-Db-Pass"


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text())


def dump_yaml(data: Any, path: Path, header: str = "") -> None:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(data, out)
    path.write_text(header + out.getvalue())


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def found(report: Report) -> list[tuple[str, str, str]]:
    return sorted((c.artifact, c.location, c.kind) for c in report.changes)


def spec_position(spec: str, line_text: str, value: str) -> str:
    """file:line:col of `value` on the spec line that reads `line_text`."""
    lines = (ROOT / spec).read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.rstrip() == line_text)
    return f"{spec}:{number}:{lines[number - 1].index(value) + 1}"


def reorder(data: Any) -> Any:
    """Every mapping with its keys reversed, every set-like list reversed: the same meaning, spelled otherwise."""
    if isinstance(data, dict):
        return {k: reorder(data[k]) for k in reversed(list(data))}
    if isinstance(data, list):
        return [reorder(v) for v in data]
    return data


# --- each change once, at the right place -------------------------------------------------------------------------


def test_known_changes_are_each_reported_once_at_their_place(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)
    cfg = tmp_path / "airflow.cfg"
    edit(cfg, "parallelism = 64", "parallelism = 48")  # changed
    edit(cfg, "remote_log_conn_id = aws_default\n", "")  # removed
    edit(cfg, "[core]\n", "[core]\ndefault_timezone = Europe/Amsterdam\n")  # added (not Airflow's default)

    values_path = tmp_path / "helm/values.yaml"
    values = load_yaml(values_path)
    values["scheduler"]["replicas"] = 3
    values["ingress"] = {"web": {"enabled": True}}
    del values["dags"]["gitSync"]["depth"]
    dump_yaml(values, values_path)

    pod_path = tmp_path / "kubernetes/pod-template.yaml"
    pod = load_yaml(pod_path)
    pod["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "3"
    dump_yaml(pod, pod_path)

    report = run(spec, str(tmp_path))
    assert found(report) == [
        ("airflow.cfg", "[core] default_timezone", "added"),
        ("airflow.cfg", "[core] parallelism", "changed"),
        ("airflow.cfg", "[logging] remote_log_conn_id", "removed"),
        ("helm-values", "dags.gitSync.depth", "removed"),
        ("helm-values", "ingress", "added"),
        ("helm-values", "scheduler.replicas", "changed"),
        ("pod-template", "spec.containers[base].resources.limits.cpu", "changed"),
    ]
    by_location = {c.location: c for c in report.changes}
    parallelism = by_location["[core] parallelism"]
    assert (parallelism.spec_value, parallelism.deployed_value) == ("64", "48")
    assert parallelism.spec_line == spec_position(spec, "  parallelism: 64", "64")
    replicas = by_location["scheduler.replicas"]
    assert (replicas.spec_value, replicas.deployed_value) == (2, 3)
    assert replicas.spec_line is not None and replicas.spec_line.startswith(
        spec + ":"
    )  # exact: the next test
    conn = by_location["[logging] remote_log_conn_id"]
    assert (conn.spec_value, conn.deployed_value) == ("aws_default", None)
    assert conn.spec_line == spec_position(spec, "    conn_id: aws_default", "aws_default")
    assert by_location["[core] default_timezone"].spec_line is None  # the spec does not set it
    assert report.drift


def test_values_sharing_few_keys_are_compared_key_by_key(tmp_path: Path) -> None:
    """Deployed values with many more keys than airspec writes (a full copy of the chart's values.yaml) are still
    compared key by key, never reported as one change of the whole file."""
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)
    values_path = tmp_path / "helm/values.yaml"
    values = load_yaml(values_path)
    extra = {f"extra{i}": {"enabled": False} for i in range(3 * len(values))}
    values["scheduler"]["replicas"] = 3
    dump_yaml({**values, **extra}, values_path)
    report = run(spec, str(tmp_path))
    assert found(report) == sorted(
        [("helm-values", "scheduler.replicas", "changed")] + [("helm-values", k, "added") for k in extra]
    )


def test_scheduler_replicas_points_at_the_spec_line(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)
    values_path = tmp_path / "helm/values.yaml"
    values = load_yaml(values_path)
    values["scheduler"]["replicas"] = 5
    dump_yaml(values, values_path)
    (change,) = run(spec, str(tmp_path)).changes
    lines = (ROOT / spec).read_text().splitlines()
    scheduler = lines.index("scheduler:")
    replicas = next(i for i in range(scheduler, len(lines)) if lines[i] == "  replicas: 2")
    assert change.spec_line == f"{spec}:{replicas + 1}:13"


def test_compiled_output_has_no_drift(tmp_path: Path) -> None:
    for name in ("kubernetes-helm", "celery-compose", "minimal", "airflow2-celery-helm"):
        out = tmp_path / name
        artifacts = compiled(example(name), out)
        report = run(example(name), str(out))
        assert report.changes == (), name
        assert [c.path for c in report.compared] == [a.path for a in artifacts], name
        assert not report.drift


def test_compose_change_in_every_service_is_reported_once(tmp_path: Path) -> None:
    spec = example("celery-compose")
    compiled(spec, tmp_path)
    path = tmp_path / "compose/docker-compose.yaml"
    text = path.read_text()
    assert text.count("AIRFLOW__CORE__PARALLELISM: '48'") > 3
    path.write_text(text.replace("AIRFLOW__CORE__PARALLELISM: '48'", "AIRFLOW__CORE__PARALLELISM: '96'"))
    (change,) = run(spec, str(tmp_path)).changes
    assert change.location.startswith("services.{airflow-apiserver,")
    assert change.location.endswith("}.environment.AIRFLOW__CORE__PARALLELISM")
    assert (change.kind, change.spec_value, change.deployed_value) == ("changed", 48, 96)
    assert change.spec_line == spec_position(spec, "  parallelism: 48", "48")


# --- the same meaning, spelled differently -----------------------------------------------------------------------


def test_same_meaning_spelled_differently_is_no_drift(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)

    # airflow.cfg: sections and options reordered, True/true/FALSE, 64/64.0, comments. (Names in another case are
    # other names to Airflow: see test_deployed_cfg_is_read_as_airflow_reads_it.)
    cfg = tmp_path / "airflow.cfg"
    sections: dict[str, list[str]] = {}
    current = ""
    for line in cfg.read_text().splitlines():
        if line.startswith("["):
            current = line
            sections[current] = []
        elif "=" in line and current:
            sections[current].append(line)
    out = ["# rewritten by hand; comments and order do not count"]
    for header in reversed(sections):
        out.append(header)
        for line in reversed(sections[header]):
            name, _, value = line.partition(" = ")
            value = {"True": "true", "False": "FALSE", "64": "64.0", "4": "4.0"}.get(value, value)
            out.append(f"{name} = {value}")
            out.append("; a comment")
        out.append("")
    cfg.write_text("\n".join(out))
    assert "parallelism = 64.0" in cfg.read_text() and "delete_worker_pods = true" in cfg.read_text()

    # helm values: keys reordered, numbers as floats, config values unquoted, env lists reversed.
    values_path = tmp_path / "helm/values.yaml"
    values = load_yaml(values_path)
    values["scheduler"]["replicas"] = 2.0
    values["config"]["core"]["parallelism"] = 64
    values["config"]["kubernetes_executor"]["delete_worker_pods"] = True
    pod = YAML(typ="safe", pure=True).load(values["podTemplate"])
    container = pod["spec"]["containers"][0]
    container["env"] = list(reversed(container["env"]))
    container["volumeMounts"] = list(reversed(container["volumeMounts"]))
    pod["spec"]["volumes"] = list(reversed(pod["spec"]["volumes"]))
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(reorder(pod), stream)
    values["podTemplate"] = stream.getvalue()
    dump_yaml(reorder(values), values_path)

    pod_path = tmp_path / "kubernetes/pod-template.yaml"
    pod = load_yaml(pod_path)
    pod["spec"]["containers"][0]["env"] = list(reversed(pod["spec"]["containers"][0]["env"]))
    dump_yaml(reorder(pod), pod_path)

    report = run(spec, str(tmp_path))
    assert report.changes == ()


def test_compose_spelled_differently_is_no_drift(tmp_path: Path) -> None:
    spec = example("celery-compose")
    compiled(spec, tmp_path)
    path = tmp_path / "compose/docker-compose.yaml"
    compose = load_yaml(path)
    for service in compose["services"].values():
        env = service.get("environment")
        if env:  # list form, reordered, numbers unquoted
            service["environment"] = [f"{k}={v}" for k, v in reversed(list(env.items()))]
    compose["services"]["airflow-worker"]["deploy"]["replicas"] = 3.0
    dump_yaml(reorder(compose), path)
    env_file = tmp_path / "compose/.env"  # the deployment's .env, values filled in, instead of .env.example
    (tmp_path / "compose/.env.example").unlink()
    env_file.write_text(
        "AIRFLOW_UID=1000\nAIRFLOW_API_SECRET_KEY=x\nAIRFLOW_FERNET_KEY=y\nAIRFLOW_JWT_SECRET=z\n"
        f"POSTGRES_PASSWORD={DB_PASSWORD}\nGRAFANA_ADMIN_PASSWORD=g\nUNUSED=1\n"
    )
    assert run(spec, str(tmp_path)).changes == ()


def test_percent_reads_as_airflow_reads_it(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        'name: pct\ndevelopment_only: true\nairflow:\n  version: "3.3"\ntargets: [compose]\n'
        'config:\n  smtp:\n    smtp_mail_from: "ops+100%@example.com"\n'
    )
    out = tmp_path / "out"
    compiled(str(spec), out)
    assert "smtp_mail_from = ops+100%%@example.com" in (out / "airflow.cfg").read_text()
    assert run(str(spec), str(out / "airflow.cfg")).changes == ()
    # What the REST API shows is the value Airflow read: one `%`.
    sections: dict[str, list[dict[str, str]]] = {}
    for line in (out / "airflow.cfg").read_text().splitlines():
        if line.startswith("["):
            section = sections.setdefault(line.strip("[]"), [])
        elif " = " in line:
            key, _, value = line.partition(" = ")
            section.append({"key": key, "value": value.replace("%%", "%")})
    assert {"key": "smtp_mail_from", "value": "ops+100%@example.com"} in sections["smtp"]
    dump = tmp_path / "config.json"
    dump.write_text(json.dumps({"sections": [{"name": n, "options": o} for n, o in sections.items()]}))
    assert run(str(spec), str(dump)).changes == ()
    (out / "airflow.cfg").write_text((out / "airflow.cfg").read_text().replace("100%%", "100%%%%"))
    (change,) = run(str(spec), str(out / "airflow.cfg")).changes
    assert (change.location, change.spec_value, change.deployed_value) == (
        "[smtp] smtp_mail_from",
        "ops+100%@example.com",
        "ops+100%%@example.com",
    )


def test_deployed_cfg_is_read_as_airflow_reads_it(tmp_path: Path) -> None:
    """Lines end where Airflow's file reading ends them (`\\r` too; U+2028 and form feeds stay inside a value),
    `%(name)s` reads as the named value, [DEFAULT] fills the sections that have it."""
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)
    cfg = tmp_path / "airflow.cfg"
    # Old Mac line ends: each is a line of its own for Airflow (read_string would have seen one long line).
    cfg.write_bytes(cfg.read_bytes().replace(b"\n", b"\r"))
    assert run(spec, str(cfg)).changes == ()
    compiled(spec, tmp_path)
    edit(cfg, "[core]\n", "[core]\ndags_are_paused_at_creation = True\u2028[dummy]\n")
    edit(cfg, "parallelism = 64", "parallelism = %(base)s\nbase = 48")
    report = run(spec, str(cfg))
    assert found(report) == [
        ("airflow.cfg", "[core] base", "added"),
        ("airflow.cfg", "[core] dags_are_paused_at_creation", "added"),
        ("airflow.cfg", "[core] parallelism", "changed"),
    ]
    (parallelism,) = [c for c in report.changes if c.location == "[core] parallelism"]
    assert parallelism.deployed_value == "48"
    compiled(spec, tmp_path)
    edit(cfg, "parallelism = 64\n", "")
    cfg.write_text("[DEFAULT]\nparallelism = 64\n" + cfg.read_text())
    changes = run(spec, str(cfg)).changes
    # [core] reads it from DEFAULT; every other section has it too, an option it does not know (as the API lists)
    assert changes and "[core] parallelism" not in {c.location for c in changes}
    assert {(c.kind, c.location.endswith("] parallelism")) for c in changes} == {("added", True)}
    # Airflow reads lower-case names only (real Airflow 3.3.2 returns the default 32 for this file's parallelism):
    # `Parallelism` under [core] and anything under [CORE] are never read, so the spec's value is not deployed.
    compiled(spec, tmp_path)
    edit(cfg, "parallelism = 64\n", "Parallelism = 64\n[CORE]\nparallelism = 64\n")
    assert sorted(found(run(spec, str(cfg)))) == [
        ("airflow.cfg", "[CORE] parallelism", "added"),
        ("airflow.cfg", "[core] Parallelism", "added"),
        ("airflow.cfg", "[core] parallelism", "removed"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[core]\nparallelism = 1\n[core]\n", "section [core] appears twice (first at line 1)"),
        ("[core]\nparallelism = 1\nparallelism = 2\n", "[core] parallelism is set twice (first at line 2)"),
    ],
)
def test_deployed_cfg_airflow_refuses_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "airflow.cfg").write_text(text)
    result = run_diff(example("minimal"), "--against", str(tmp_path / "airflow.cfg"))
    assert result.returncode == 2 and message in result.stderr, result.stderr


# --- Airflow's knowledge: defaults, moved options ------------------------------------------------------------------


def test_options_at_airflows_default_are_not_drift(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)
    cfg = tmp_path / "airflow.cfg"
    # Set by nobody but at the version's default; and one the spec sets to the default, left out.
    edit(
        cfg, "[core]\n", "[core]\ndags_are_paused_at_creation = True\ndefault_pool_task_slot_count = 128.0\n"
    )
    edit(cfg, "[logging]\n", "[logging]\nbase_log_folder = /somewhere/airflow/logs\n")  # {AIRFLOW_HOME}/logs
    edit(cfg, "logging_level = INFO\n", "")
    assert run(spec, str(cfg)).changes == ()
    edit(cfg, "dags_are_paused_at_creation = True", "dags_are_paused_at_creation = False")
    assert found(run(spec, str(cfg))) == [("airflow.cfg", "[core] dags_are_paused_at_creation", "added")]


def test_moved_option_is_matched_at_its_new_place(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)
    cfg = tmp_path / "airflow.cfg"
    edit(cfg, "expose_config = False\n", "")
    cfg.write_text(cfg.read_text() + "\n[webserver]\nexpose_config = False\n")  # the Airflow 2 place
    assert run(spec, str(cfg)).changes == ()
    edit(cfg, "[webserver]\nexpose_config = False", "[webserver]\nexpose_config = True")
    (change,) = run(spec, str(cfg)).changes
    assert (change.location, change.kind, change.spec_value, change.deployed_value) == (
        "[api] expose_config",
        "changed",
        "False",
        "True",
    )
    assert change.note == "deployed as [webserver] expose_config"
    assert change.spec_line == spec_position(spec, "  expose_config: false", "false")


# --- secrets --------------------------------------------------------------------------------------------------------


def test_secret_in_deployed_file_is_drift_and_never_printed(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)
    edit(tmp_path / "airflow.cfg", "[core]\n", f"[core]\nfernet_key = {SECRET}\n")
    values_path = tmp_path / "helm/values.yaml"
    values = load_yaml(values_path)
    values["fernetKey"] = SECRET
    values["data"] = {"metadataConnection": {"user": "airflow", "pass": DB_PASSWORD}}
    values["env"] = [
        {
            "name": "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            "value": f"postgresql://airflow:{DB_PASSWORD}@db/airflow",
        }
    ]
    dump_yaml(values, values_path)

    for fmt in ("text", "json"):
        result = run_diff(spec, "--against", str(tmp_path), "--format", fmt)
        assert result.returncode == 1, result.stderr
        assert SECRET not in result.stdout + result.stderr
        assert DB_PASSWORD not in result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    changes = {(c["artifact"], c["location"]): c for c in report["changes"]}
    fernet = changes[("airflow.cfg", "[core] fernet_key")]
    assert (fernet["kind"], fernet["spec_value"], fernet["deployed_value"]) == ("added", None, "***")
    assert fernet["note"] == (
        "a secret written into the file; the spec takes it (from Secret airflow-fernet-key, key fernet-key)"
    )
    assert changes[("helm-values", "fernetKey")]["deployed_value"] == "***"
    assert changes[("helm-values", "data")]["deployed_value"] == {"metadataConnection": "***"}
    assert changes[("helm-values", "env")]["deployed_value"] == {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "***"}

    shown = run_diff(spec, "--against", str(tmp_path), "--show-secrets")
    assert SECRET in shown.stdout


def test_password_in_a_url_is_masked_in_compose(tmp_path: Path) -> None:
    spec = example("celery-compose")
    compiled(spec, tmp_path)
    path = tmp_path / "compose/docker-compose.yaml"
    edit(
        path,
        "AIRFLOW__CORE__DAGS_FOLDER: /opt/airflow/dags",
        f"AIRFLOW__CORE__DAGS_FOLDER: http://u:{DB_PASSWORD}@h/x",
    )
    result = run_diff(spec, "--against", str(tmp_path), "--format", "json")
    assert result.returncode == 1
    assert DB_PASSWORD not in result.stdout
    (change,) = json.loads(result.stdout)["changes"]
    assert change["deployed_value"] == "http://u:***@h/x"


# --- usage: ignore, formats, exit codes, errors ---------------------------------------------------------------------


def test_ignore_paths(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)
    edit(tmp_path / "airflow.cfg", "parallelism = 64", "parallelism = 48")
    values_path = tmp_path / "helm/values.yaml"
    values = load_yaml(values_path)
    values["scheduler"]["replicas"] = 3
    values["apiServer"]["replicas"] = 3
    dump_yaml(values, values_path)
    assert len(run(spec, str(tmp_path)).changes) == 3
    report = run(spec, str(tmp_path), ignore=["[CORE] Parallelism", "helm-values:scheduler"])
    assert [c.location for c in report.changes] == ["apiServer.replicas"]
    assert run(spec, str(tmp_path), ignore=["[core] parallelism", "*.replicas"]).changes == ()
    assert len(run(spec, str(tmp_path), ignore=["compose:scheduler.replicas"]).changes) == 3
    result = run_diff(
        spec, "--against", str(tmp_path), "--ignore", "[core] parallelism", "--ignore", "*.replicas"
    )
    assert result.returncode == 0, result.stdout


def test_text_output_groups_by_artifact_and_ends_with_a_summary(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)
    edit(tmp_path / "airflow.cfg", "parallelism = 64", "parallelism = 48")
    result = run_diff(spec, "--against", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    position = spec_position(spec, "  parallelism: 64", "64")
    assert lines[:2] == [
        f"airflow.cfg (airflow.cfg) <- {tmp_path}/airflow.cfg",
        f"  changed       [core] parallelism: spec 64, deployed 48  [{position}]",
    ]
    assert lines[-1] == "drift: 1 change in 1 artifact"
    assert result.stderr == ""


def test_json_format_shape(tmp_path: Path) -> None:
    spec = example("minimal")
    compiled(spec, tmp_path)
    result = run_diff(spec, "--against", str(tmp_path), "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert set(report) == {"spec", "source", "environment", "drift", "changes", "compared", "missing"}
    assert (report["spec"], report["source"], report["drift"], report["changes"]) == (
        spec,
        str(tmp_path),
        False,
        [],
    )
    edit(tmp_path / "airflow.cfg", "executor = LocalExecutor", "executor = CeleryExecutor")
    result = run_diff(spec, "--against", str(tmp_path / "airflow.cfg"), "--format", "json")
    assert result.returncode == 1
    (change,) = json.loads(result.stdout)["changes"]
    assert set(change) == {
        "artifact",
        "path",
        "location",
        "kind",
        "spec_value",
        "deployed_value",
        "spec_line",
        "note",
    }


def test_environment_overlay(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    compiled(spec, tmp_path)  # the base: parallelism 64
    report = run(spec, str(tmp_path / "airflow.cfg"), env="production")
    (change,) = [c for c in report.changes if c.location == "[core] parallelism"]
    assert (change.spec_value, change.deployed_value) == ("128", "64")
    assert change.spec_line == spec_position(spec, "      parallelism: 128", "128")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: str(p / "missing"), "no such file or directory"),
        (lambda p: (p / "x.yaml").write_text("a: [1,\n") and str(p / "x.yaml"), "invalid YAML"),
        (lambda p: (p / "b.cfg").write_bytes(b"\x00\x01") and str(p / "b.cfg"), "binary data"),
        (
            lambda p: (p / "o.cfg").write_text("secret-looking = value\n") and str(p / "o.cfg"),
            "before any [section]",
        ),
        (lambda p: (p / "empty").mkdir() or str(p / "empty"), "holds none of the artifacts"),
        (lambda p: "http://user:pw@127.0.0.1:9", "credentials in the URL are not accepted"),
        (lambda p: "k8s://only-one-part", "expected k8s://NAMESPACE/RELEASE"),
    ],
)
def test_errors_exit_2_with_one_line(tmp_path: Path, make: Any, message: str) -> None:
    source = make(tmp_path)
    result = run_diff(example("minimal"), "--against", source)
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "secret-looking" not in result.stderr  # a line of the file is never quoted


def test_unreachable_server_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    result = run_diff(example("minimal"), "--against", f"http://127.0.0.1:{port}")
    assert result.returncode == 2
    assert result.stderr == f"error: cannot reach http://127.0.0.1:{port}/api/v2/config: Connection refused\n"


def test_usage_errors_exit_2() -> None:
    assert run_diff(example("minimal")).returncode == 2  # --against is required
    assert run_diff(example("minimal"), "--against", ".", "--format", "xml").returncode == 2
    result = run_diff("examples/minimal/airflow-spec.yaml", "--against", ".", "--env", "nope")
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_compose_env_needs_every_variable_and_never_reads_values(tmp_path: Path) -> None:
    spec = example("celery-compose")
    compiled(spec, tmp_path)
    # A deployment folder: the filled-in .env beside the example; the .env is what compose reads.
    (tmp_path / "compose/.env").write_text(f"AIRFLOW_FERNET_KEY={DB_PASSWORD}\nAIRFLOW_UID=1000\n")
    result = run_diff(spec, "--against", str(tmp_path), "--format", "json")
    assert result.returncode == 1
    assert DB_PASSWORD not in result.stdout
    report = json.loads(result.stdout)
    assert [(c["location"], c["kind"]) for c in report["changes"]] == [
        ("AIRFLOW_API_SECRET_KEY", "removed"),
        ("AIRFLOW_JWT_SECRET", "removed"),
        ("GRAFANA_ADMIN_PASSWORD", "removed"),
        ("POSTGRES_PASSWORD", "removed"),
    ]
    jwt = report["changes"][1]
    assert jwt["spec_line"] == spec_position(spec, "  jwt_secret: {env: AIRFLOW_JWT_SECRET}", "{env")
    assert {
        "artifact": "compose-env",
        "path": "compose/.env.example",
        "source": f"{tmp_path}/compose/.env",
    } in (report["compared"])


def test_text_artifact_reports_its_first_difference(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    artifacts = compiled(spec, tmp_path)
    (local,) = [a for a in artifacts if a.kind == "local-settings"]
    path = tmp_path / local.path
    path.write_text("# comments do not count\n" + path.read_text().replace("= True", "= False"))
    assert [c.kind for c in run(spec, str(tmp_path)).changes] == ["changed"]
    (change,) = run(spec, str(path)).changes
    assert change.location.startswith("line ") and change.deployed_value.endswith("= False")


def test_a_folder_of_artifacts_in_any_layout(tmp_path: Path) -> None:
    spec = example("kubernetes-helm")
    out = tmp_path / "out"
    compiled(spec, out)
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "airflow.cfg").write_text((out / "airflow.cfg").read_text().replace("= 64", "= 65"))
    (flat / "values.yaml").write_text("USER-SUPPLIED VALUES:\n" + (out / "helm/values.yaml").read_text())
    report = run(spec, str(flat))
    assert [c.path for c in report.compared] == ["airflow.cfg", "helm/values.yaml"]
    assert [c.location for c in report.changes] == ["[core] parallelism"]
    assert "kubernetes/pod-template.yaml" in report.missing
    text = run_diff(spec, "--against", str(flat)).stdout
    assert "not in the source: " in text and "kubernetes/pod-template.yaml" in text


def test_invalid_spec_is_a_finding_in_the_file(tmp_path: Path) -> None:
    """A problem in the spec's content exits 1 in every command, printed as findings on stdout (not a report)."""
    spec = tmp_path / "bad.yaml"
    spec.write_text('name: t\nairflow:\n  version: "3.3"\nscheduler:\n  replicsa: 2\n')
    result = run_diff(str(spec), "--against", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == ""
    assert (
        result.stdout == f"{spec}:5:3: error: scheduler: unknown key 'replicsa'; did you mean 'replicas'?\n"
    )
