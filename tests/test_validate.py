"""Validation: every problem at once, each at the line that caused it, with what was expected."""

from __future__ import annotations

import pytest

from airspec.errors import SpecInvalid, UsageError
from airspec.loader import load_text
from airspec.validate import validate, validate_all

BASE = """\
name: t
airflow:
  version: "3.3"
"""


def problems(text: str, env: str | None = None) -> list[str]:
    loaded = load_text(text, "s.yaml")
    if env is None:
        return [str(d) for d in validate_all(loaded)]
    try:
        validate(loaded, env)
    except SpecInvalid as exc:
        return [str(d) for d in exc.diagnostics]
    return []


def test_minimal_spec_is_valid() -> None:
    assert problems(BASE) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BASE + "schedulr:\n  replicas: 2\n",
            "s.yaml:4:1: error: unknown top-level key 'schedulr'; did you mean 'scheduler'?",
        ),
        (
            BASE + "scheduler:\n  replica: 2\n",
            "s.yaml:5:3: error: scheduler: unknown key 'replica'; did you mean 'replicas'?",
        ),
        (
            "name: t\nairflow:\n  version: 3.10\n",
            "s.yaml:3:12: error: airflow.version: expected a string, got the number '3.10': quote it, as \"3.10\"",
        ),
        ("name: t\nairflow: {}\n", "s.yaml:2:1: error: airflow: missing required key 'version'"),
        (
            BASE + "api_server:\n  expose_config: yes\n",
            "s.yaml:5:18: error: api_server.expose_config: expected true or false, got 'yes' "
            "(YAML 1.2: yes/no/on/off are strings; write true or false)",
        ),
        (
            BASE + "scheduler:\n  replicas: two\n",
            "s.yaml:5:13: error: scheduler.replicas: expected an integer, got 'two'",
        ),
        (
            BASE + "task_defaults:\n  retry_delay: 5 minutes\n",
            "s.yaml:5:16: error: task_defaults.retry_delay: expected a duration like 30s, 5m, 2h or 1h30m "
            "(or whole seconds), got '5 minutes'",
        ),
        (
            BASE + "executor: FooExecutor\n",
            "s.yaml:4:11: error: executor: expected 'LocalExecutor', 'CeleryExecutor', 'KubernetesExecutor' or "
            "'CeleryKubernetesExecutor', got 'FooExecutor'",
        ),
        (
            'name: t\nairflow:\n  version: "1.10.15"\n',
            "s.yaml:3:12: error: airflow.version: Airflow 1.10.15 is known to `airspec lint` only; compile and "
            "validate support lines: 2.10, 2.11, 3.0, 3.1, 3.2, 3.3",
        ),
        (
            'name: t\nairflow:\n  version: "1.9"\n',
            "s.yaml:3:12: error: airflow.version: Airflow 1.9 is not in airspec's catalog; supported lines: "
            "2.10, 2.11, 3.0, 3.1, 3.2, 3.3",
        ),
        (
            'name: t\nairflow:\n  version: "2.9"\n',
            "s.yaml:3:12: error: airflow.version: Airflow 2.9 is known to `airspec lint` only; compile and validate "
            "support lines: 2.10, 2.11, 3.0, 3.1, 3.2, 3.3",
        ),
        (
            'name: t\nairflow:\n  version: "3.9"\n',
            "s.yaml:3:12: error: airflow.version: Airflow 3.9 is not in airspec's catalog; supported lines: "
            "2.10, 2.11, 3.0, 3.1, 3.2, 3.3",
        ),
        (
            BASE
            + "executor: [CeleryExecutor, KubernetesExecutor]\nkubernetes_executor:\n  profiles:\n    Big: {}\n",
            "s.yaml:7:5: error: kubernetes_executor.profiles.Big: expected a lower-case DNS name "
            "(letters, digits, '-'), got 'Big'",
        ),
        (
            BASE + "secrets:\n  fernet_key: abc\n",
            "s.yaml:5:15: error: secrets.fernet_key: a literal secret; use a reference ({secret: {name, key}}, "
            "{env: VAR} or {file: PATH}), or mark the spec development_only: true",
        ),
        (
            BASE + "secrets:\n  fernet_key: {env: A, file: /b}\n",
            "s.yaml:5:15: error: secrets.fernet_key: give exactly one of secret, env or file "
            "(or a literal string in development_only specs)",
        ),
        (
            BASE + "dags:\n  git_sync:\n    repo: git@github.com:x/y.git\n",
            "s.yaml:5:3: error: dags.git_sync: an SSH repository needs ssh_key_secret",
        ),
        (
            BASE + "executor: CeleryKubernetesExecutor\n",
            "s.yaml:4:11: error: executor: CeleryKubernetesExecutor was removed in Airflow 3; "
            "list both: [CeleryExecutor, KubernetesExecutor]",
        ),
        (
            "name: t\nairflow:\n  version: '2.11'\nexecutor: [CeleryExecutor, KubernetesExecutor]\n",
            "s.yaml:4:11: error: executor: a list of executors needs Airflow 3 (this spec targets 2.11)",
        ),
        (
            BASE + "celery:\n  workers: {replicas: 2}\n",
            "s.yaml:4:1: error: celery: set, but no executor uses Celery",
        ),
        (
            BASE + "celery:\n  workers:\n    autoscale: {max: 4, min: 8}\nexecutor: CeleryExecutor\n",
            "s.yaml:6:16: error: celery.workers.autoscale: min (8) is larger than max (4)",
        ),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else v,
)
def test_one_problem(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_every_problem_at_once() -> None:
    text = BASE + "scheduler:\n  replicas: -1\n  resources: {limits: {cpu: lots}}\nbogus: 1\n"
    assert problems(text) == [
        "s.yaml:5:13: error: scheduler.replicas: expected greater than or equal to 0, got -1",
        "s.yaml:6:29: error: scheduler.resources.limits.cpu: expected a Kubernetes quantity like 500m, 2, 512Mi "
        "or 2Gi, got 'lots'",
        "s.yaml:7:1: error: unknown top-level key 'bogus'",
    ]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "  webserver:\n    expose_config: 'False'\n",
            "s.yaml:6:5: error: config.webserver.expose_config: [webserver] expose_config moved to "
            "[api] expose_config in Airflow 3.3; set that instead",
        ),
        (
            "  core:\n    paralelism: 3\n",
            "s.yaml:6:5: error: config.core.paralelism: [core] paralelism is not an option of Airflow 3.3; "
            "did you mean [core] parallelism?",
        ),
        (
            "  scheduler:\n    min_file_process_interval: 3\n",
            "s.yaml:6:5: error: config.scheduler.min_file_process_interval: [scheduler] min_file_process_interval "
            "moved to "
            "[dag_processor] min_file_process_interval in Airflow 3.3; set that instead",
        ),
        (
            "  scheduler:\n    schedule_after_task_execution: true\n",
            "s.yaml:6:5: error: config.scheduler.schedule_after_task_execution: [scheduler] "
            "schedule_after_task_execution was removed in Airflow 3.0",  # 2.11 has it, 3.0 does not
        ),
        (
            "  core:\n    parallelism: lots\n",
            "s.yaml:6:18: error: config.core.parallelism: expected an integer, got 'lots'",
        ),
        (
            "  database:\n    sql_alchemy_conn: postgresql://u:p@db/airflow\n",
            "s.yaml:6:23: error: config.database.sql_alchemy_conn: [database] sql_alchemy_conn is sensitive; a "
            "literal value here would be written into artifacts. Use the modelled secret reference, or mark the "
            "spec development_only: true",
        ),
        (
            "  core:\n    min_file_process_interval: 3\n",
            "s.yaml:6:5: error: config.core.min_file_process_interval: [core] min_file_process_interval is not an "
            "option of Airflow 3.3; did you mean [dag_processor] min_file_process_interval?",
        ),
    ],
    ids=["moved", "typo", "moved-section", "removed-no-rule", "type", "sensitive", "wrong-section"],
)
def test_config_escape_hatch_checked_against_catalog(config: str, expected: str) -> None:
    assert problems(BASE + "config:\n" + config) == [expected]


def test_config_known_option_is_accepted() -> None:
    assert problems(BASE + "config:\n  core:\n    dags_are_paused_at_creation: false\n") == []


def test_environment_overlay_error_points_at_overlay_line() -> None:
    text = BASE + "scheduler:\n  replicas: 2\nenvironments:\n  prod:\n    scheduler:\n      replicas: -3\n"
    assert problems(text, "prod") == [
        "s.yaml:9:17: error: scheduler.replicas: expected greater than or equal to 0, got -3"
    ]
    assert problems(text) == [
        "s.yaml:9:17: error: scheduler.replicas: expected greater than or equal to 0, got -3 (environment prod)"
    ]


def test_environment_overlay_base_error_points_at_base_line() -> None:
    text = BASE + "scheduler:\n  replicas: x\nenvironments:\n  prod:\n    core: {parallelism: 4}\n"
    assert problems(text, "prod") == ["s.yaml:5:13: error: scheduler.replicas: expected an integer, got 'x'"]


def test_environment_overlay_merges_deeply_and_replaces_lists() -> None:
    text = (
        BASE
        + "targets: [helm, compose]\napi_server: {replicas: 1, workers: 2}\n"
        + "environments:\n  prod:\n    targets: [helm]\n    api_server: {replicas: 3}\n"
    )
    spec = validate(load_text(text, "s.yaml"), "prod").spec
    assert spec.targets == ["helm"]
    assert (spec.api_server.replicas, spec.api_server.workers) == (3, 2)


def test_unknown_environment_is_usage_error() -> None:
    with pytest.raises(UsageError, match="no environment 'qa' \\(environments: prod\\)"):
        validate(load_text(BASE + "environments:\n  prod: {}\n", "s.yaml"), "qa")


def test_overlay_cannot_rename() -> None:
    assert problems(BASE + "environments:\n  prod:\n    name: other\n", "prod") == [
        "s.yaml:6:5: error: environments.prod.name: cannot be set in an overlay"
    ]


def test_development_only_allows_literal_secrets() -> None:
    text = "development_only: true\n" + BASE + "secrets:\n  fernet_key: abc\n"
    assert problems(text) == []


def test_durations_become_seconds() -> None:
    text = BASE + "task_defaults:\n  retry_delay: 5m\n  max_retry_delay: 1h30m\n  execution_timeout: 7200\n"
    spec = validate(load_text(text, "s.yaml")).spec
    assert (spec.task_defaults.retry_delay, spec.task_defaults.max_retry_delay) == (300, 5400)
    assert spec.task_defaults.execution_timeout == 7200


def test_single_line_strings_reject_newlines() -> None:
    text = BASE + 'dags:\n  git_sync:\n    repo: https://x/y.git\n    branch: "main\\n[core]"\n'
    assert problems(text) == [
        "s.yaml:7:13: error: dags.git_sync.branch: must be a single line (no line breaks)"
    ]


# --- the first hour (issue 17) ------------------------------------------------------------------------------------


def test_config_catalog_problems_are_reported_with_the_model_errors() -> None:
    """One run reports the typo and the moved `config:` option: the catalog checks read the raw version and
    config when the models reject something else."""
    text = BASE + "scheduler:\n  replicsa: 2\nconfig:\n  webserver:\n    expose_config: true\n"
    assert problems(text) == [
        "s.yaml:5:3: error: scheduler: unknown key 'replicsa'; did you mean 'replicas'?",
        "s.yaml:8:5: error: config.webserver.expose_config: [webserver] expose_config moved to [api] "
        "expose_config in Airflow 3.3; set that instead",
    ]


@pytest.mark.parametrize(
    ("head", "checked"),
    [
        ('name: t\nairflow:\n  version: "3.9"\n', False),  # no catalog for that line
        ("name: t\nairflow:\n  version: 3.3\n", False),  # not a string
        ('name: t\nairflow:\n  version: "3.3"\ndevelopment_only: maybe\n', True),
    ],
)
def test_config_is_checked_from_raw_data_only_when_version_and_config_are_valid(
    head: str, checked: bool
) -> None:
    moved = "[webserver] expose_config moved to [api] expose_config"
    found = problems(head + "config:\n  webserver:\n    expose_config: true\n")
    assert any(moved in p for p in found) == checked, found
    assert not any(moved in p for p in problems(head + "config:\n  webserver: [1]\n"))


def test_removed_option_names_its_namesake_elsewhere_with_what_differs() -> None:
    text = BASE + "config:\n  webserver:\n    worker_refresh_interval: 30\n"
    assert problems(text) == [
        "s.yaml:6:5: error: config.webserver.worker_refresh_interval: [webserver] worker_refresh_interval was "
        "removed in Airflow 3.3; [api] worker_refresh_interval has the same name (integer, default '0'; the "
        "removed one was string, default '6000'): set that instead if it means the same"
    ]


def test_removed_option_without_namesake_says_only_removed() -> None:
    text = 'name: t\nairflow:\n  version: "3.0"\nconfig:\n  webserver:\n    worker_refresh_interval: 30\n'
    assert problems(text) == [
        "s.yaml:6:5: error: config.webserver.worker_refresh_interval: [webserver] worker_refresh_interval was "
        "removed in Airflow 3.0"
    ]


OVERLAID = (
    BASE
    + "executor: CeleryExecutor\ntargets: [helm]\n"
    + "secrets:\n  fernet_key: {secret: {name: airflow, key: fernet}}\n"
    + "celery:\n  workers:\n    replicas: 2\n    autoscale: {min: 2, max: 8}\n"
    + "environments:\n  local:\n"
)


def test_overlay_replaces_a_secret_reference_whole() -> None:
    text = OVERLAID + "    secrets:\n      fernet_key: {env: AIRFLOW_FERNET_KEY}\n"
    spec = validate(load_text(text, "s.yaml"), "local").spec
    assert spec.secrets.fernet_key is not None
    assert (spec.secrets.fernet_key.kind, spec.secrets.fernet_key.env) == ("env", "AIRFLOW_FERNET_KEY")
    assert problems(text) == []


def test_overlay_replaces_a_worker_env_variable_whole() -> None:
    text = (
        BASE
        + "executor: KubernetesExecutor\ntargets: [helm]\n"
        + "kubernetes_executor:\n  profiles:\n    big:\n      env:\n        - {name: A, value: x}\n"
        + "environments:\n  local:\n    kubernetes_executor:\n      profiles:\n        big:\n"
        + "          env:\n            - {name: A, secret: {name: s, key: k}}\n"
    )
    assert problems(text) == []


def test_one_of_values_are_the_models_with_alternative_keys() -> None:
    """ONE_OF lists exactly the models whose validator demands one of their keys."""
    import inspect

    from airspec import model
    from airspec.model import spec, types
    from airspec.validate import ONE_OF

    classes = {
        c
        for module in (model, spec, types)
        for _, c in inspect.getmembers(module, inspect.isclass)
        if c.__module__.startswith("airspec.model")
    }
    demanding = {c for c in classes if "exactly one of" in inspect.getsource(c)}
    assert demanding == set(ONE_OF)


def test_null_in_an_overlay_deletes_the_key() -> None:
    text = OVERLAID + "    celery:\n      workers:\n        replicas: null\n        autoscale: null\n"
    spec = validate(load_text(text, "s.yaml"), "local").spec
    assert spec.celery is not None
    assert (spec.celery.workers.replicas, spec.celery.workers.autoscale) == (1, None)


def test_error_in_a_merged_mapping_names_the_base_and_the_overlay_line() -> None:
    text = OVERLAID + "    celery:\n      workers:\n        autoscale: {max: 1}\n"
    assert problems(text, "local") == [
        "s.yaml:16:20: error: celery.workers.autoscale: min (2) is larger than max (1) "
        "(merged from the base at s.yaml:11:5 and the overlay at s.yaml:16:9)"
    ]


def test_error_in_a_value_the_overlay_wrote_alone_names_one_line() -> None:
    text = OVERLAID + "    celery:\n      workers:\n        autoscale: {min: 3, max: 1}\n"
    assert problems(text, "local") == [
        "s.yaml:16:20: error: celery.workers.autoscale: min (3) is larger than max (1)"
    ]
