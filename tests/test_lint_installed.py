"""AS204 on raw files: the facts it relies on, proven with the real Airflow 3.3.2 in .venv-airflow (its
airflow_local_settings.py, its package metadata, and an `airflow version` that fails without the provider), and
what a folder says about the providers a deployment installs."""

from __future__ import annotations

import re
from pathlib import Path

from airspec.lint.engine import Request, run
from airspec.lint.installed import QUIET_EXTRAS, of_folder, provides
from airspec.lint.rules.as204_remote_log_provider_missing import PREFIXES, STORE_EXTRAS
from tests.validators import clean_env, probe_python, run_tool, tool

_SETTINGS_PROBE = """
import json, pathlib, airflow.config_templates as t
print(json.dumps((pathlib.Path(t.__file__).parent / "airflow_local_settings.py").read_text()))
"""
_EXTRAS_PROBE = """
import importlib.metadata as m, json, re
out = {}
for r in m.requires("apache-airflow"):
    found = re.search(r"extra == ['\\"]([^'\\"]+)", r)
    if found:
        out.setdefault(found.group(1), []).append(re.split(r"[<>=!~;\\[ ]", r)[0])
print(json.dumps(out))
"""


def test_prefixes_are_those_airflow_imports_a_provider_for() -> None:
    text = probe_python(_SETTINGS_PROBE, None)
    blocks = re.split(r"\n\s*elif ", text)
    for prefix, provider in PREFIXES:
        block = next(b for b in blocks if f'startswith("{prefix}")' in b)
        assert f"from airflow.providers.{provider}." in block, (prefix, provider)
    for store in ("elasticsearch", "opensearch"):
        block = next(b for b in blocks if b.startswith(f"{store.upper()}_HOST:"))
        assert f"from airflow.providers.{store}." in block


def test_quiet_extras_install_no_remote_log_provider() -> None:
    extras = probe_python(_EXTRAS_PROBE, None)
    providers = {normal for _, normal in PREFIXES} | {"elasticsearch", "opensearch"}
    packages = {"apache-airflow-providers-" + p.replace(".", "-") for p in providers}
    for extra in QUIET_EXTRAS:
        assert extra in extras, extra
        assert not set(extras[extra]) & packages, extra
    for provider in providers:
        own = "apache-airflow-providers-" + provider.replace(".", "-")
        assert set(extras[provider.replace(".", "-")]) & packages == {own}  # its own, no other store's


def test_airflow_does_not_start_without_the_provider(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[logging]\nremote_logging = True\nremote_base_log_folder = s3://logs/airflow\n")
    env = clean_env(AIRFLOW_HOME=str(tmp_path), AIRFLOW_CONFIG=str(cfg))
    proc = run_tool([tool("airflow-python"), "-m", "airflow", "version"], env=env, cwd=tmp_path)
    assert proc.returncode != 0
    assert "No module named 'airflow.providers.amazon'" in proc.stderr
    outcome = run(Request((str(cfg),), airflow_version="3.3.2", select=("AS204",)))
    assert outcome.findings == []  # nothing beside it says how Airflow is installed: not judged
    (tmp_path / "requirements.txt").write_text("apache-airflow[celery]==3.3.2\n")
    outcome = run(Request((str(cfg),), airflow_version="3.3.2", select=("AS204",)))
    assert [(d.code, d.span.line) for d in outcome.findings] == [("AS204", 3)]


def test_what_a_folder_installs(tmp_path: Path) -> None:
    assert of_folder(str(tmp_path)) is None
    (tmp_path / "Dockerfile").write_text(
        "FROM apache/airflow:3.3.2\nRUN pip install apache-airflow-providers-slack\n"
    )
    assert of_folder(str(tmp_path)) is None  # the regular image's providers are not known
    (tmp_path / "Dockerfile").write_text(
        "FROM apache/airflow:slim-3.3.2-python3.12\nRUN pip install --no-cache-dir apache-airflow-providers-Amazon==9.1\n"
    )
    found = of_folder(str(tmp_path))
    assert found is not None and provides(found, "amazon") is True and provides(found, "google") is False
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim\nRUN pip install 'apache-airflow[all]==3.3.2'\n"
    )
    found = of_folder(str(tmp_path))
    assert found is not None and provides(found, "amazon") is None  # `all` may install it
    (tmp_path / "Dockerfile").unlink()
    (tmp_path / "requirements.txt").write_text("apache-airflow[Microsoft.Azure,postgres]==2.10.5\n")
    found = of_folder(str(tmp_path))
    assert found is not None and provides(found, "microsoft.azure") is True
    assert provides(found, "amazon") is None  # an extra this call is not told about
    assert provides(found, "amazon", STORE_EXTRAS) is False
    assert of_folder(str(tmp_path), "apache/airflow:2.10.5") is None
