"""The proof issue #14 asks for: realistic inputs -> `airspec import` -> `validate` -> `compile` -> `airspec diff`
against each original file shows no drift other than what the import report lists.

The check is mechanical (`unnamed`): every change `airspec diff` reports must be named by a row of the import
report for that file (and environment) that says why it differs, that is any row but one that carries a setting as
it is (modelled, config, passthrough). A row names a change when
- its setting is the change's location, or a key above it (`scheduler` names `scheduler.replicas`);
- the change is in a mapping the file has and compile does not write, and rows name every leaf of it;
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
        code, output = _cli(
            "diff", str(spec), "--against", str(against), "--format", "json", *(["--env", env] if env else [])
        )
        assert code in (0, 1), output
        rows = [r for r in report["settings"] if r["file"] == str(path) and r["environment"] == env]
        data = _data(against)
        unnamed += [
            f"{path.name}{f' [{env}]' if env else ''}: {c['artifact']} {c['kind']} {c['location']}"
            for c in json.loads(output)["changes"]
            if not named(c, rows, data)
        ]
    return report, unnamed


def _data(path: Path) -> Any:
    name = path.name
    if name.endswith(".cfg") or name == ".env" or name.endswith(".env"):
        return None
    return load_file(str(path)).data


def named(change: dict[str, Any], rows: list[dict[str, Any]], data: Any) -> bool:
    """Whether a row of the report names `change` (see the module docstring)."""
    explaining = [r["setting"] for r in rows if r["went"] not in CARRIED]
    location: str = change["location"]
    collapsed = re.fullmatch(r"services\.\{([^}]*)\}\.(.*)", location)
    if collapsed:
        return all(
            named({**change, "location": f"services.{s}.{collapsed.group(2)}"}, rows, data)
            for s in collapsed.group(1).split(",")
        )
    moved = re.match(r"deployed as (\[[^\]]+\] \S+)", change.get("note") or "")
    for where in [location] + ([moved.group(1)] if moved else []):
        if any(where == s or where.startswith((s + ".", s + "[")) for s in explaining):
            return True
        variable = re.fullmatch(r"(?:services\.[^.]+\.environment\.|env\[)([A-Za-z0-9_]+)\]?", where)
        if variable and any(s in (variable.group(1), f"env[{variable.group(1)}]") for s in explaining):
            return True
    value = _at(data, location)
    if isinstance(value, dict) and value:
        return all(
            named({"location": f"{location}.{leaf}", "note": ""}, rows, data) for leaf in _leaves(value)
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
