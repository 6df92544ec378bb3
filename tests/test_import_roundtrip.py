"""The proof issue #14 asks for: realistic inputs -> `airspec import` -> `validate` -> `compile` -> `airspec diff`
against each original file shows no drift other than what the import report lists.

The check is mechanical (`unnamed`): every change `airspec diff` reports must be named by a row of the import
report for that file (and environment) that says why it differs, that is any row but one that carries a setting as
it is (modelled, config, passthrough). A row names a change when
- its setting is the change's location, or a key above it (`scheduler` names `scheduler.replicas`);
- the change is a mapping only one side has (the file, or what compile wrote), and rows name every leaf of it;
- it names an Airflow option variable the way the report does (`AIRFLOW__CORE__X` for
  `services.<any>.environment.AIRFLOW__CORE__X` and Helm's `env[AIRFLOW__CORE__X]`);
- for airflow.cfg, the diff's note says the option is deployed under its old name, and the row names that.
Compose changes the diff reports once for many services (`services.{a,b}.x`) are checked for each service.

Inputs: tests/fixtures/import/ (see its README: hand-written deployments in the styles teams have), the chart's
default values.yaml of every release and the official docker-compose.yaml (../shared/upstream), and a default
airflow.cfg of each supported Airflow line made from the catalog.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from airspec.catalog import lines, load
from airspec.cli import cli
from airspec.loader import load_file
from tests.conftest import ROOT
from tests.validators import shared

FIXTURES = ROOT / "tests" / "fixtures" / "import"
CARRIED = ("modelled", "config", "passthrough")


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def roundtrip(
    tmp_path: Path,
    files: list[Path],
    envs: tuple[tuple[str, Path], ...] = (),
    version: str | None = None,
    compared: dict[Path, Path] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Import, validate, compile; diff each original file; the report and the changes no row names. `compared`:
    a file to diff against instead of an input (a wrapper chart's nested values), by input."""
    spec = tmp_path / "airflow-spec.yaml"
    args = ["import", *map(str, files), "-o", str(spec), "--format", "json"]
    args += [a for env, path in envs for a in ("--env", f"{env}={path}")]
    args += ["--airflow-version", version] if version else []
    code, output = _cli(*args)
    assert code in (0, 1), output
    report = json.loads(output)
    code, output = _cli("validate", str(spec))
    assert code == 0, output
    code, output = _cli("compile", str(spec), "-o", str(tmp_path / "out"))
    assert code == 0, output
    for env in {e for e, _ in envs}:
        code, output = _cli("compile", str(spec), "--env", env, "-o", str(tmp_path / f"out-{env}"))
        assert code == 0, output
    unnamed: list[str] = []
    for env, path in [(None, p) for p in files] + list(envs):
        against = (compared or {}).get(path, path)
        selected = ["--env", env] if env else []
        code, output = _cli("diff", str(spec), "--against", str(against), "--format", "json", *selected)
        assert code in (0, 1), output
        rows = [r for r in report["settings"] if r["file"] == str(path) and r["environment"] == env]
        out = tmp_path / (f"out-{env}" if env else "out")
        data = _data(against)
        written = {kind: _data(out / where) for kind, where in COMPILED.items() if (out / where).is_file()}
        for change in json.loads(output)["changes"]:
            if not named(change, rows, [data, written.get(change["artifact"])]):
                where = f"{path.name}{f' [{env}]' if env else ''}"
                unnamed.append(f"{where}: {change['artifact']} {change['kind']} {change['location']}")
    return report, unnamed


# Where compile writes each YAML artifact the inputs are compared with.
COMPILED = {"helm-values": "helm/values.yaml", "compose": "compose/docker-compose.yaml"}


def _data(path: Path) -> Any:
    name = path.name
    if name.endswith(".cfg") or name == ".env" or name.endswith(".env"):
        return None
    return load_file(str(path)).data


def named(change: dict[str, Any], rows: list[dict[str, Any]], sides: list[Any]) -> bool:
    """Whether a row of the report names `change` (see the module docstring). `sides`: the file's data and the
    compiled artifact's."""
    explaining = [r["setting"] for r in rows if r["went"] not in CARRIED]
    location: str = change["location"]
    collapsed = re.fullmatch(r"services\.\{([^}]*)\}\.(.*)", location)
    if collapsed:
        return all(
            named({**change, "location": f"services.{s}.{collapsed.group(2)}"}, rows, sides)
            for s in collapsed.group(1).split(",")
        )
    moved = re.match(r"deployed as (\[[^\]]+\] \w+)", change.get("note") or "")
    for where in [location] + ([moved.group(1)] if moved else []):
        if any(where == s or where.startswith((s + ".", s + "[")) for s in explaining):
            return True
        variable = re.fullmatch(r"(?:services\.[^.]+\.environment\.|env\[)([A-Za-z0-9_]+)\]?", where)
        if variable and any(s in (variable.group(1), f"env[{variable.group(1)}]") for s in explaining):
            return True
    for side in sides:  # a mapping (or a list of named items) only one side has: each of its leaves (items)
        value = _at(side, location)
        if isinstance(value, dict) and value:
            return all(
                named({"location": f"{location}.{leaf}", "note": ""}, rows, sides) for leaf in _leaves(value)
            )
        items = value if isinstance(value, list) else []
        names = [i.get("name", i.get("envName")) if isinstance(i, dict) else None for i in items]
        if isinstance(value, list) and value and all(isinstance(n, str) for n in names):
            return all(
                named({"location": f"{location}[{name}].{leaf}", "note": ""}, rows, sides)
                for name, item in zip(names, value, strict=True)
                for leaf in _leaves(item)
            )
    return False


def _at(data: Any, location: str) -> Any:
    if "[" in location:
        return None
    for step in location.split("."):
        if not isinstance(data, dict) or step not in data:
            return None
        data = data[step]
    return data


def _leaves(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict) and value:
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{prefix}.{k}" if prefix else str(k))]
    return [prefix]


# ------------------------------------------------------------------------------------------ upstream inputs


@pytest.mark.parametrize("release", ["1.16.0", "1.17.0", "1.18.0", "1.19.0", "1.20.0-dev", ""])
def test_chart_defaults_of_every_release(release: str, tmp_path: Path) -> None:
    values = shared("upstream", "helm-chart", *(["versions", release] if release else []), "values.yaml")
    report, unnamed = roundtrip(tmp_path, [values])
    assert unnamed == []
    assert not [r for r in report["settings"] if r["went"] == "needs a person"]


def test_official_docker_compose(tmp_path: Path) -> None:
    text = shared("upstream", "compose", "docker-compose.yaml").read_text(encoding="utf-8")
    path = tmp_path / "docker-compose.yaml"
    path.write_text(text.replace("|version|", "3.3.2"), encoding="utf-8")
    report, unnamed = roundtrip(tmp_path, [path])
    assert unnamed == []
    # airflow-cli (profile debug) is carried into compose.overrides, without its AIRFLOW__ variables
    assert set(_rows(report, "needs a person")) == {"services.airflow-cli.environment"}


def default_cfg(line: str) -> str:
    """airflow.cfg as Airflow writes its defaults for `line`: every option the catalog has a default for, formatted
    as Airflow formats them (str.format: {AIRFLOW_HOME} filled in, `{{` made `{`, the secrets Airflow generates
    into a new file: made-up values here)."""
    catalog = load(line)
    fill = {
        "AIRFLOW_HOME": "/opt/airflow",
        "FERNET_KEY": "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXktMDE=",
        "SECRET_KEY": "made-up-secret-key-for-tests-0123",
        "JWT_SECRET_KEY": "made-up-jwt-secret-for-tests-4567",
    }
    sections: dict[str, list[str]] = {}
    for option in catalog.options():
        if option.default is None:
            continue
        try:
            value = option.default.format(**fill)
        except (KeyError, ValueError, IndexError):  # not a format string (a Jinja template of Airflow 2's)
            value = option.default
        value = value.replace("\n", "\n\t")  # continuation lines, as configparser writes them
        sections.setdefault(option.section, []).append(f"{option.name} = {value}")
    return "".join(f"[{s}]\n" + "\n".join(lines_) + "\n\n" for s, lines_ in sections.items())


@pytest.mark.parametrize("line", sorted(lines()))
def test_default_airflow_cfg_of_every_line(line: str, tmp_path: Path) -> None:
    path = tmp_path / "airflow.cfg"
    path.write_text(default_cfg(line), encoding="utf-8")
    report, unnamed = roundtrip(tmp_path, [path], version=line)
    assert unnamed == []
    spec = (tmp_path / "airflow-spec.yaml").read_text(encoding="utf-8")
    for secret in (
        "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXktMDE=",
        "made-up-secret-key",
        "made-up-jwt-secret",
    ):
        assert secret not in spec and secret not in json.dumps(report)


# ------------------------------------------------------------------------- hand-written deployments (fixtures)

FULL_VALUES = FIXTURES / "full-values" / "values.yaml"
WRAPPER = FIXTURES / "wrapper" / "values.yaml"
COMPOSE = FIXTURES / "compose" / "docker-compose.yaml"
DOTENV = FIXTURES / "compose" / ".env"
AIRFLOW2 = (FIXTURES / "airflow2" / "airflow.cfg", FIXTURES / "airflow2" / "values.yaml")
# Literal secrets the fixtures hold (every one starts with Zq8): none may reach the spec or the report.
FIXTURE_SECRETS = sorted(
    {m for p in FIXTURES.rglob("*") if p.is_file() for m in re.findall(r"Zq8[A-Za-z0-9+/=]+", p.read_text())}
)


def _never_copied(tmp_path: Path, report: dict[str, Any]) -> None:
    shown = (tmp_path / "airflow-spec.yaml").read_text(encoding="utf-8") + json.dumps(report)
    assert FIXTURE_SECRETS and [s for s in FIXTURE_SECRETS if s in shown] == []


def _rows(report: dict[str, Any], went: str, env: str | None = None) -> dict[str, dict[str, Any]]:
    return {r["setting"]: r for r in report["settings"] if r["went"] == went and r["environment"] == env}


def test_a_full_copy_of_the_charts_values_with_edits(tmp_path: Path) -> None:
    report, unnamed = roundtrip(tmp_path, [FULL_VALUES])
    assert unnamed == []
    _never_copied(tmp_path, report)
    spec = load_file(str(tmp_path / "airflow-spec.yaml")).data
    assert spec["helm"]["chart_version"] == "1.19.0"  # the release the file is a copy of
    carried = _rows(report, "passthrough")
    assert {"labels.team", "ingress.apiServer.enabled", "scheduler.nodeSelector.pool", "env[TZ]"} <= set(
        carried
    )
    assert spec["helm"]["values"]["scheduler"] == {"nodeSelector": {"pool": "airflow-system"}}
    # the chart's own defaults, copied with the file, are not carried
    assert set(spec["helm"]["values"]) == {
        "labels",
        "ingress",
        "extraEnv",
        "scheduler",
        "registry",
        "env",
        "secret",
    }
    assert _rows(report, "secret reference")["data.brokerUrl"]["key"] == "celery.broker.url"
    assert "registry.connection.pass" in _rows(report, "needs a person")


def test_a_wrapper_charts_values_nested_under_airflow(tmp_path: Path) -> None:
    nested = tmp_path / "official-values.yaml"  # what the umbrella hands the official chart
    nested.write_text(json.dumps(load_file(str(WRAPPER)).data["airflow"]), encoding="utf-8")
    report, unnamed = roundtrip(tmp_path, [WRAPPER], compared={WRAPPER: nested})
    assert unnamed == []
    person = _rows(report, "needs a person")
    assert {"global", "serviceMonitor", "networkPolicyDefaults"} <= set(person)  # the umbrella's own keys
    spec = load_file(str(tmp_path / "airflow-spec.yaml")).data
    assert spec["executor"] == "KubernetesExecutor" and spec["logging"]["remote"]["provider"] == "s3"
    assert spec["helm"]["values"]["apiServer"] == {
        "service": {
            "type": "LoadBalancer",
            "annotations": {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"},
        }
    }


def test_a_compose_file_derived_from_the_official_one_with_its_env(tmp_path: Path) -> None:
    report, unnamed = roundtrip(tmp_path, [COMPOSE, DOTENV])
    assert unnamed == []
    _never_copied(tmp_path, report)
    # one TODO per secret variable, though the anchor's line reaches every Airflow service
    assert [t for t in report["todos"] if t.startswith("AWS_SECRET_ACCESS_KEY:")] == [
        f"AWS_SECRET_ACCESS_KEY: the value at {COMPOSE}:74 was not copied; put it in .env as AWS_SECRET_ACCESS_KEY"
    ]
    overrides = load_file(str(tmp_path / "airflow-spec.yaml")).data["compose"]["overrides"]
    assert {"minio", "mailhog", "airflow-cli"} <= set(overrides["services"])  # services airspec does not make
    env = overrides["services"]["airflow-scheduler"]["environment"]
    assert (
        env["AWS_DEFAULT_REGION"] == "eu-west-1"
        and env["AWS_SECRET_ACCESS_KEY"] == "${AWS_SECRET_ACCESS_KEY}"
    )
    assert not [
        k
        for s in overrides["services"].values()
        for k in s.get("environment", {})
        if k.startswith("AIRFLOW__")
    ]


def test_airflow_2_files_imported_for_airflow_3_3(tmp_path: Path) -> None:
    report, unnamed = roundtrip(tmp_path, list(AIRFLOW2), version="3.3")
    assert unnamed == []
    _never_copied(tmp_path, report)
    moved = {r["setting"]: r["why"] for r in report["settings"] if r["went"] == "moved"}
    assert "renamed to [core] max_active_tasks_per_dag in Airflow 3.3" in moved["[core] dag_concurrency"]
    assert "moved to [dag_processor] refresh_interval" in moved["[scheduler] dag_dir_list_interval"]
    dropped = _rows(report, "dropped")
    assert dropped["[scheduler] standalone_dag_processor"]["why"] == "removed in Airflow 3.3"
    assert "superseded by the chart's data.brokerUrlSecretName" in dropped["[celery] broker_url"]["why"]
    spec = load_file(str(tmp_path / "airflow-spec.yaml")).data
    assert spec["airflow"]["version"] == "3.3" and "chart_version" not in spec.get("helm", {})  # an upgrade
    assert spec["api_server"]["replicas"] == 2  # webserver.replicas, for the api-server


def test_production_on_helm_and_compose_for_local_development_as_an_environment(tmp_path: Path) -> None:
    envs = (("local", COMPOSE), ("local", DOTENV))
    nested = tmp_path / "official-values.yaml"
    nested.write_text(json.dumps(load_file(str(WRAPPER)).data["airflow"]), encoding="utf-8")
    report, unnamed = roundtrip(tmp_path, [WRAPPER], envs=envs, compared={WRAPPER: nested})
    assert unnamed == []
    _never_copied(tmp_path, report)
    spec = load_file(str(tmp_path / "airflow-spec.yaml")).data
    local = spec["environments"]["local"]
    assert spec["targets"] == ["helm"] and local["targets"] == ["compose"]
    assert local["secrets"]["fernet_key"] == {"env": "FERNET_KEY"}  # replaced whole, not merged
    assert (
        local["dags"] is None and local["helm"] is None
    )  # what the base has and the compose set-up does not
    assert (
        "core" in local and "name" not in local and "airflow" not in local
    )  # the same version: not repeated
    rows = [r for r in report["settings"] if r["environment"] == "local"]
    assert rows and all(r["file"] in (str(COMPOSE), str(DOTENV)) for r in rows)


# The edits the team made to chart 1.19.0's values.yaml (the fixture's README): path -> value in the copy.
FULL_VALUES_EDITS: dict[str, Any] = {
    "labels": {"team": "data-platform"},
    "ingress.apiServer.enabled": True,
    "ingress.apiServer.hosts": [{"name": "airflow.example.com"}],
    "env": [
        {"name": "TZ", "value": "Europe/Amsterdam"},
        {"name": "SLACK_WEBHOOK_TOKEN", "value": "Zq8slackTOKENinline"},
        {"name": "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "value": "120"},
    ],
    "extraEnv": "- name: AWS_DEFAULT_REGION\n  value: eu-west-1\n",
    "data.metadataSecretName": "airflow-metadata",
    "data.brokerUrl": "redis://:Zq8brokerPASSinline@redis.internal.example.com:6379/0",
    "fernetKeySecretName": "airflow-fernet",
    "apiSecretKeySecretName": "airflow-api-secret",
    "jwtSecretName": "airflow-jwt",
    "workers.replicas": 4,
    "workers.resources": {"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"memory": "4Gi"}},
    "scheduler.replicas": 2,
    "scheduler.nodeSelector": {"pool": "airflow-system"},
    "flower.enabled": True,
    "statsd.enabled": False,
    "redis.enabled": False,
    "registry.connection": {
        "user": "deploy-bot",
        "pass": "Zq8regPASSw0rdInline",
        "host": "registry.example.com",
        "email": "platform@example.com",
    },
    "postgresql.enabled": False,
    "config.api": {"expose_config": "non-sensitive-only"},
    "config.core.parallelism": 64,
    "config.core.default_timezone": "Europe/Amsterdam",
    "config.celery.worker_concurrency": 8,
    "dags.gitSync.enabled": True,
    "dags.gitSync.repo": "https://github.com/example-org/airflow-dags.git",
    "dags.gitSync.branch": "main",
    "dags.gitSync.ref": "main",
    "dags.gitSync.subPath": "dags",
    "logs.persistence.enabled": True,
    "logs.persistence.size": "50Gi",
}


def test_the_full_copy_is_the_charts_file_with_the_edits_listed() -> None:
    upstream = load_file(str(shared("upstream", "helm-chart", "versions", "1.19.0", "values.yaml"))).data
    for dotted, value in FULL_VALUES_EDITS.items():
        *parents, leaf = dotted.split(".")
        node = upstream
        for key in parents:
            node = node[key]
        node[leaf] = value
    assert load_file(str(FULL_VALUES)).data == upstream
