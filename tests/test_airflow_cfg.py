"""airflow.cfg proven by real Airflow 3.3.2: it loads every generated Airflow 3 file, `airflow config lint` finds
nothing to fix, and every option reads back through Airflow's own parser as the spec meant it."""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

import pytest

from airspec import pipeline
from airspec.artifacts import build
from airspec.render.airflow_cfg import escape
from airspec.resolve import Resolved
from tests.conftest import EXAMPLES, ROOT
from tests.validators import probe_airflow

# Values a user may write that the parser must not reinterpret: `%` interpolation, URL encoding.
TRICKY = """\
name: tricky
airflow:
  version: "3.3"
api_server:
  base_url: https://airflow.example.com/a%20b%2Fc?x=1%25
config:
  smtp:
    smtp_mail_from: "ops+100%@example.com"
  email:
    subject_template: "/opt/%(x)s/%%/tmpl ; # not a comment"
  core:
    default_timezone: Europe/Amsterdam
"""

VARIANTS = {
    "tricky": TRICKY,
    "celery-multi": """\
name: multi
airflow:
  version: "3.3"
executor: [CeleryExecutor, KubernetesExecutor]
celery:
  visibility_timeout: 2h
  workers: {concurrency: 8, autoscale: {max: 8, min: 2}}
kubernetes_executor:
  namespace: tasks
secrets:
  fernet_key: {env: FERNET}
""",
}


def resolved_example(name: str, env: str | None = None) -> Resolved:
    spec = f"examples/{name}/airflow-spec.yaml"
    return pipeline.resolved(str(ROOT / spec), env)


def resolved_text(text: str) -> Resolved:
    return pipeline.from_text(text, "variant.yaml")


def airflow3_cases() -> dict[str, Resolved]:
    cases: dict[str, Resolved] = {}
    for name in EXAMPLES:
        resolved = resolved_example(name)
        if resolved.catalog.major >= 3:
            cases[name] = resolved
            for env in sorted(resolved.spec.environments):
                cases[f"{name}@{env}"] = resolved_example(name, env)
    cases.update({name: resolved_text(text) for name, text in VARIANTS.items()})
    return cases


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Resolved, dict[str, Any]]]:
    """One Airflow process reads every generated Airflow 3 airflow.cfg."""
    out = tmp_path_factory.mktemp("cfg")
    cases = airflow3_cases()
    requests = []
    for name, resolved in cases.items():
        (artifact,) = [a for a in build(resolved) if a.kind == "airflow.cfg"]
        path = out / f"{name}.cfg"
        path.write_text(artifact.text)
        read = [[o.section, o.name] for o in resolved.options]
        requests.append({"cfg": str(path), "read": read})
    results = probe_airflow(requests)
    return {name: (cases[name], result) for name, result in zip(cases, results, strict=True)}


def test_every_airflow3_example_is_probed(probed: dict[str, Any]) -> None:
    assert {"kubernetes-helm", "kubernetes-helm@production", "minimal", "celery-compose", "tricky"} <= set(
        probed
    )


def test_airflow_loads_every_cfg_without_error(probed: dict[str, tuple[Resolved, dict[str, Any]]]) -> None:
    failures = {name: r["error"] for name, (_, r) in probed.items() if r["error"]}
    assert failures == {}


def test_config_lint_finds_nothing_to_fix(probed: dict[str, tuple[Resolved, dict[str, Any]]]) -> None:
    # `config lint` notes the changed default of [core] executor whenever it is set at all; that is no problem.
    found = {
        name: [msg for key, msg in zip(r["lint_keys"], r["lint"], strict=True) if key != "core.executor"]
        for name, (_, r) in probed.items()
    }
    assert {name: msgs for name, msgs in found.items() if msgs} == {}


def test_every_option_reads_back_as_the_spec_meant(
    probed: dict[str, tuple[Resolved, dict[str, Any]]],
) -> None:
    for name, (resolved, result) in probed.items():
        expected = {f"{o.section}.{o.name}": o.value for o in resolved.options}
        assert result["values"] == expected, name
        assert result["type_errors"] == [], name


def test_tricky_values_survive_interpolation(probed: dict[str, tuple[Resolved, dict[str, Any]]]) -> None:
    values = probed["tricky"][1]["values"]
    assert values["api.base_url"] == "https://airflow.example.com/a%20b%2Fc?x=1%25"
    assert values["smtp.smtp_mail_from"] == "ops+100%@example.com"
    assert values["email.subject_template"] == "/opt/%(x)s/%%/tmpl ; # not a comment"


def test_every_option_is_in_the_version_catalog() -> None:
    """2.x files cannot be loaded by the Airflow 3 in the test venv; the catalog of their version vouches."""
    for name in EXAMPLES:
        resolved = resolved_example(name)
        unknown = [
            (o.section, o.name)
            for o in resolved.options
            if resolved.catalog.option(o.section, o.name) is None
        ]
        assert unknown == [], name


def test_no_secret_value_is_written(tmp_path: Path) -> None:
    text = "development_only: true\n" + TRICKY + "secrets:\n  fernet_key: literal-fernet-value\n"
    resolved = resolved_text(text)
    (cfg,) = [a.text for a in build(resolved) if a.kind == "airflow.cfg"]
    assert "literal-fernet-value" not in cfg
    assert "#   [core] fernet_key <- AIRFLOW__CORE__FERNET_KEY" in cfg


def test_version_places_options() -> None:
    new = resolved_example("kubernetes-helm").sections()
    old = resolved_example("airflow2-celery-helm").sections()
    assert new["api"]["expose_config"] == "False" and "webserver" not in new
    assert old["webserver"]["expose_config"] == "False" and "api" not in old
    assert old["scheduler"]["standalone_dag_processor"] == "False"


def test_escape_refuses_line_breaks_and_doubles_percent() -> None:
    assert escape("100%") == "100%%"
    with pytest.raises(ValueError, match="line break"):
        escape("a\n[core]\nx = y")


def test_python_configparser_reads_back_sections() -> None:
    """A plain interpolating ConfigParser (what Airflow's parser builds on) also sees exactly our sections."""
    resolved = resolved_text(TRICKY)
    (cfg,) = [a.text for a in build(resolved) if a.kind == "airflow.cfg"]
    parser = configparser.ConfigParser()
    parser.read_string(cfg)
    assert {s: dict(parser[s]) for s in parser.sections()} == resolved.sections()


def test_git_sync_dags_folder_stays_absolute_at_the_root() -> None:
    text = 'name: t\nairflow:\n  version: "3.3"\ndags:\n  folder: /\n  git_sync: {repo: "https://g/x", sub_path: dags}\n'
    assert resolved_text(text).option("core", "dags_folder") == "/repo/dags"


# What real Airflow must read from the kubernetes-helm example's airflow.cfg, written from the example spec by
# hand (not from airspec's own model): 2m = 120 s, 5m = 300 s, 30m = 1800 s, 2h = 7200 s; git-sync checks the
# repository out under <dags.folder>/repo, and the DAGs sit in its sub_path; StatsD goes to the chart's exporter
# Service, <release>-statsd in the namespace, the release being the spec's name.
KUBERNETES_HELM_READ_BACK = {
    "api.base_url": "https://airflow.example.com",
    "api.expose_config": "False",
    "api.worker_timeout": "120",
    "api.workers": "4",
    "core.dags_folder": "/opt/airflow/dags/repo/dags",
    "core.default_task_execution_timeout": "7200",
    "core.default_task_retries": "3",
    "core.default_task_retry_delay": "300",
    "core.executor": "KubernetesExecutor",
    "core.load_examples": "False",
    "core.max_active_runs_per_dag": "4",
    "core.max_active_tasks_per_dag": "32",
    "core.max_task_retry_delay": "1800",
    "core.parallelism": "64",
    "kubernetes_executor.delete_worker_pods": "True",
    "kubernetes_executor.delete_worker_pods_on_failure": "False",
    "kubernetes_executor.namespace": "airflow",
    "kubernetes_executor.worker_pods_creation_batch_size": "4",
    "logging.encrypt_s3_logs": "True",
    "logging.logging_level": "INFO",
    "logging.remote_base_log_folder": "s3://example-airflow-logs/analytics",
    "logging.remote_log_conn_id": "aws_default",
    "logging.remote_logging": "True",
    "metrics.statsd_host": "analytics-statsd.airflow.svc.cluster.local",
    "metrics.statsd_on": "True",
    "metrics.statsd_port": "9125",
    "metrics.statsd_prefix": "airflow",
}


def test_airflow_reads_what_the_example_spec_says(probed: dict[str, tuple[Resolved, dict[str, Any]]]) -> None:
    """An expectation independent of airspec's model: the example spec, translated by hand, against what real
    Airflow reads from the compiled file."""
    _, result = probed["kubernetes-helm"]
    assert result["values"] == KUBERNETES_HELM_READ_BACK
