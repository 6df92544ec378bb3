"""`airspec import`: files a team already has -> a spec that validates, and a report of every setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airspec import pipeline
from airspec.artifacts import build
from airspec.diff.cfg import is_default
from airspec.importer import Imported, overlay, run
from airspec.importer.options import SPEC_KEYS
from airspec.importer.report import as_json, as_text
from airspec.lint.engine import read_files
from airspec.options import configured, modelled
from airspec.resolve import Resolved
from airspec.validate import deep_merge

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "airflow-spec.yaml").is_file())
UPSTREAM = ROOT.parent / "shared" / "upstream"
CHART_VALUES = sorted((UPSTREAM / "helm-chart" / "versions").glob("*/values.yaml"))

# Spec keys that reach none of the artifacts import reads (airflow.cfg, Helm values, compose): the CI workflow,
# the Prometheus files, environment overlays (not compiled into the base), and the bundled database's password on
# Helm (the chart builds that connection itself; the values header says it is not wired).
NOT_IN_IMPORTED_ARTIFACTS = (
    "airflow.providers",
    "airflow.python_version",
    "ci",
    "environments",
    "metrics.prometheus",
    "metrics.alerts",
)
# What a chart key listed for a person (or carried as it is into helm.values) stood for in the example: the pod
# template is compiled from these keys, which the import does not read back.
LISTED_AS = {
    "podTemplate": ("kubernetes_executor",),
}

# Spec keys whose only effect is one Airflow option (options.PLACES' plain values).
OPTION_KEYS = {".".join(path) for path, _ in SPEC_KEYS.values()} - {"metrics.statsd.enabled"}

FERNET = "FERNETdistinct1ve0Zq9xPw3VbN7mKs2LdJ4hTg6Yc8="
PASSWORD = "s3cr3tPASSdistinct7"
API_KEY = "APIkeyDistinct99rq"


def _options(resolved: Resolved) -> dict[tuple[str, str], str]:
    opts = [*modelled(resolved.spec, resolved.catalog), *configured(resolved.spec)]
    return {(o.section, o.name): o.value for o in opts}


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d
            for k in sorted(set(a) | set(b))
            for d in _differences(a.get(k), b.get(k), f"{path}.{k}".lstrip("."))
        ]
    return [] if a == b else [path]


def _at_default(resolved: Resolved, place: tuple[str, str], *sides: dict[tuple[str, str], str]) -> bool:
    """Whether the one side that sets `place` sets it to Airflow's default (the other leaves it out)."""
    option = resolved.catalog.option(*place)
    given = [side[place] for side in sides if place in side]
    return option is not None and len(given) == 1 and is_default(option.default, given[0], option.type)


def _compiled(example: str, tmp_path: Path) -> tuple[Resolved, list[str]]:
    resolved = pipeline.resolved(str(ROOT / "examples" / example / "airflow-spec.yaml"))
    paths = []
    for artifact in build(resolved, frozenset({"airflow.cfg", "helm-values", "compose"})):
        target = tmp_path / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(artifact.text, encoding="utf-8")
        paths.append(str(target))
    return resolved, paths


@pytest.mark.parametrize("example", EXAMPLES)
def test_round_trip_of_every_example(example: str, tmp_path: Path) -> None:
    original, paths = _compiled(example, tmp_path)
    imported = run(paths, None, None, None)
    again = pipeline.from_text(imported.text, "imported.yaml")
    assert again.airflow_version == original.airflow_version
    # The same options, but for one the example states at Airflow's default (the import leaves those out, and
    # reports them "equal to" the default): diff's reading of a default, not the importer's.
    ours, theirs = _options(again), _options(original)
    assert {
        place: (ours.get(place), theirs.get(place))
        for place in set(ours) | set(theirs)
        if ours.get(place) != theirs.get(place) and not _at_default(original, place, ours, theirs)
    } == {}
    listed = {r.key for r in imported.rows if r.key} | {
        key
        for r in imported.rows
        if r.went in ("needs a person", "passthrough")
        for key in LISTED_AS.get(r.setting, ())
    }
    listed |= {todo.split(":")[0] for todo in imported.todos}
    unexplained = [
        d
        for d in _differences(
            original.spec.model_dump(exclude={"airflow": {"version"}}),
            again.spec.model_dump(exclude={"airflow": {"version"}}),
        )
        if not d.startswith(NOT_IN_IMPORTED_ARTIFACTS)
        and not any(d == k or d.startswith(k + ".") or k.startswith(d + ".") for k in listed)
        and not (d == "development_only" and any(r.went == "secret reference" for r in imported.rows))
        and not (d == "database.password" and original.spec.targets == ["helm"])  # see above
        # with providers compile builds an image named after the spec: it follows airflow.providers (CI only)
        and not (d == "airflow.image.repository" and original.spec.airflow.providers)
        # a key that only places an Airflow option: the options compared above are the same (or at the default)
        and d not in OPTION_KEYS
    ]
    assert unexplained == []


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_option_lint_reads_is_in_the_report(example: str, tmp_path: Path) -> None:
    _, paths = _compiled(example, tmp_path)
    imported = run(paths, None, None, None)
    reported = {(r.at.file, r.at.line, r.setting) for r in imported.rows}
    found = [(o.key.file, o.key.line, o.label) for f in read_files(paths, None, None) for o in f.options]
    assert found and [o for o in found if o not in reported] == []


def _deployment(tmp_path: Path) -> list[str]:
    """A hand-written Airflow 2 deployment: cfg + values + compose, literal secrets in each."""
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text(
        "[core]\n"
        "executor = CeleryExecutor\n"
        f"fernet_key = {FERNET}\n"
        "dag_concurrency = 12\n"
        "parallelism = 40\n"
        "[webserver]\n"
        f"secret_key = {API_KEY}\n"
        "base_url = https://airflow.example.com\n"
        "[scheduler]\n"
        "dag_dir_list_interval = 120\n"
        "[celery]\n"
        f"flower_basic_auth = admin:{PASSWORD}\n",
        encoding="utf-8",
    )
    values = tmp_path / "values.yaml"
    values.write_text(
        "defaultAirflowTag: 2.11.0\n"
        "executor: CeleryExecutor\n"
        "scheduler:\n  replicas: 2\n"
        "workers:\n  replicas: 3\n  resources:\n    requests: {cpu: '1', memory: 2Gi}\n"
        "postgresql:\n  enabled: false\n"
        "ingress:\n  web:\n    enabled: true\n"
        f"jwtSecret: {API_KEY}x\n"
        "config:\n  core:\n    parallelism: 64\n"
        f"  database:\n    sql_alchemy_conn: postgresql://airflow:{PASSWORD}@db.example.com/airflow\n",
        encoding="utf-8",
    )
    compose = tmp_path / "docker-compose.yaml"
    compose.write_text(
        "services:\n"
        "  airflow-scheduler:\n"
        "    image: apache/airflow:2.11.0\n"
        "    environment:\n"
        "      AIRFLOW__CORE__LOAD_EXAMPLES: 'false'\n"
        "      AIRFLOW__CORE__FERNET_KEY_CMD: cat /run/secrets/fernet\n",
        encoding="utf-8",
    )
    return [str(cfg), str(values), str(compose)]


def test_two_x_files_for_a_three_x_target_with_secrets_as_references(tmp_path: Path) -> None:
    imported = run(_deployment(tmp_path), "3.3", "analytics", None)
    spec = pipeline.from_text(imported.text, "imported.yaml").spec
    by = {r.setting: r for r in imported.rows}
    assert spec.core.parallelism == 64  # the values file, given after the cfg, wins ...
    assert "superseded by" in by["[core] parallelism"].why  # ... and the cfg's value is listed as superseded
    assert spec.core.max_active_tasks_per_dag == 12  # [core] dag_concurrency, renamed in Airflow 3
    moved = [r for r in imported.rows if r.setting == "[core] dag_concurrency"]
    assert [r.went for r in moved] == [
        "moved",
        "modelled",
    ] and "renamed to [core] max_active_tasks_per_dag" in moved[0].why
    assert spec.core.refresh_interval == 120  # [scheduler] dag_dir_list_interval: PLACES' older place
    assert spec.api_server.base_url == "https://airflow.example.com"
    assert spec.scheduler.replicas == 2 and spec.celery is not None and spec.celery.workers.replicas == 3
    assert spec.database.kind == "external" and spec.database.url is not None
    assert spec.database.url.secret is not None  # a literal URL with a password became a Secret reference
    assert spec.secrets.fernet_key is not None and spec.secrets.fernet_key.secret is not None
    assert (
        spec.secrets.jwt_secret is not None and spec.secrets.jwt_secret.secret is not None
    )  # values jwtSecret
    assert by["jwtSecret"].went == "secret reference"
    assert by["ingress.web.enabled"].went == "passthrough"  # a chart value airspec does not model, carried
    assert spec.helm.values == {"ingress": {"web": {"enabled": True}}}
    assert by["[celery] flower_basic_auth"].went == "needs a person"
    assert by["AIRFLOW__CORE__FERNET_KEY_CMD"].went == "needs a person"
    report = json.dumps([r.as_dict() for r in imported.rows]) + "\n".join(imported.todos)
    for secret in (FERNET, PASSWORD, API_KEY):
        assert secret not in imported.text and secret not in report
    assert any("secrets.fernet_key" in t and "airflow.cfg:3" in t for t in imported.todos)


def test_a_malformed_option_name_is_not_repeated(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text(f"[core]\nfernet_key {FERNET}\n", encoding="utf-8")  # the key's `=` makes it name = value
    imported = run([str(cfg)], "3.3", None, None)
    assert [r.went for r in imported.rows if r.at.line == 2] == ["needs a person"]
    shown = imported.text + json.dumps([r.as_dict() for r in imported.rows]) + "".join(imported.todos)
    assert FERNET.lower().rstrip("=") not in shown.lower()


def test_cli_writes_reports_and_exits_by_outcome(tmp_path: Path) -> None:
    paths = _deployment(tmp_path)
    out = tmp_path / "spec" / "airflow-spec.yaml"
    cmd = [sys.executable, "-m", "airspec", "import", *paths, "-o", str(out), "--airflow-version", "3.3"]
    first = subprocess.run([*cmd, "--format", "json"], capture_output=True, text=True, env=_env())
    assert first.returncode == 1, first.stderr  # imported, with settings that need a person
    doc = json.loads(first.stdout)
    assert any(s["went"] == "needs a person" for s in doc["settings"])
    for secret in (FERNET, PASSWORD, API_KEY):
        assert secret not in first.stdout + first.stderr + out.read_text()
    again = subprocess.run(cmd, capture_output=True, text=True, env=_env())
    assert again.returncode == 2 and "pass --force" in again.stderr
    valid = subprocess.run(
        [sys.executable, "-m", "airspec", "validate", str(out)], capture_output=True, env=_env()
    )
    assert valid.returncode == 0


def test_clean_import_exits_zero(tmp_path: Path) -> None:
    cfg = tmp_path / "airflow.cfg"
    cfg.write_text("[core]\nparallelism = 8\n", encoding="utf-8")
    out = tmp_path / "airflow-spec.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "airspec", "import", str(cfg), "-o", str(out), "--airflow-version", "3.3"],
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[core] parallelism: modelled -> core.parallelism" in done.stdout


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("values.yaml", "executor: [unclosed\n", "values.yaml:"),
        ("values.yaml", "a:\n" + "".join("  " * i + "- \n" for i in range(1, 400)), "values.yaml"),
        ("airflow.cfg", "[core]\nparallelism = 1\nparallelism = 2\n", "airflow.cfg:3"),
        (
            "airflow.cfg",
            f"[core]\nfernet_key {API_KEY}\n",
            "airflow.cfg:2",
        ),  # the parser's message quotes the line
    ],
)
def test_hostile_input_gets_a_positioned_error_and_exit_2(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "airspec",
            "import",
            str(path),
            "-o",
            str(tmp_path / "s.yaml"),
            "--airflow-version",
            "3.3",
        ],
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert expected in done.stderr and len(done.stderr.splitlines()) == 1
    assert API_KEY not in done.stderr
    assert not (tmp_path / "s.yaml").exists()


@pytest.mark.skipif(
    not (UPSTREAM / "compose" / "docker-compose.yaml").is_file(), reason="no upstream compose"
)
def test_official_docker_compose_imports_into_a_valid_spec(tmp_path: Path) -> None:
    text = (
        (UPSTREAM / "compose" / "docker-compose.yaml")
        .read_text(encoding="utf-8")
        .replace("|version|", "3.3.2")
    )
    path = tmp_path / "docker-compose.yaml"
    path.write_text(text, encoding="utf-8")
    imported = run([str(path)], None, None, None)
    spec = pipeline.from_text(imported.text, "imported.yaml").spec
    assert imported.version == "3.3.2" and spec.executor == "CeleryExecutor" and spec.targets == ["compose"]
    # A service airspec does not generate is carried into compose.overrides, except its Airflow options
    # (validation refuses AIRFLOW__ variables there): those are listed for a person.
    person = {r.setting for r in imported.rows if r.went == "needs a person"}
    assert person == {"services.airflow-cli.environment"}
    cli = spec.compose.overrides["services"]["airflow-cli"]
    assert cli["profiles"] == ["debug"] and cli["command"] == ["bash", "-c", "airflow"]
    assert not [name for name in cli["environment"] if name.startswith("AIRFLOW__")]


@pytest.mark.parametrize("values", CHART_VALUES, ids=lambda p: p.parent.name)
def test_chart_default_values_import_into_a_valid_spec(values: Path, tmp_path: Path) -> None:
    imported = run([str(values)], None, None, "helm-values")
    pipeline.from_text(imported.text, "imported.yaml")
    assert all(r.at.file == str(values) and r.at.line >= 1 for r in imported.rows)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_imported_type_is_plain() -> None:
    assert Imported._fields == ("text", "rows", "todos", "version")


def test_dotenv_options_and_variables_are_read_and_listed_without_values(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "AIRFLOW_UID=50000\n"
        "AIRFLOW_IMAGE_NAME=apache/airflow:3.3.2\n"
        f'export POSTGRES_PASSWORD="{PASSWORD}"\n'
        "AIRFLOW__CORE__PARALLELISM=24\n"
        f"AIRFLOW__CORE__FERNET_KEY={FERNET}\n",
        encoding="utf-8",
    )
    imported = run([str(env)], None, None, None)
    spec = pipeline.from_text(imported.text, "imported.yaml").spec
    assert imported.version == "3.3.2" and spec.targets == ["compose"] and spec.core.parallelism == 24
    assert spec.secrets.fernet_key is not None and spec.secrets.fernet_key.env == "AIRFLOW_FERNET_KEY"
    rows = {r.setting: r for r in imported.rows}
    assert (rows["POSTGRES_PASSWORD"].at.line, rows["POSTGRES_PASSWORD"].went) == (3, "dropped")
    assert rows["AIRFLOW__CORE__PARALLELISM"].key == "core.parallelism"
    shown = imported.text + json.dumps([r.as_dict() for r in imported.rows]) + "".join(imported.todos)
    assert PASSWORD not in shown and FERNET not in shown


def test_a_wrapper_charts_nested_values_are_read_and_said_so(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        "global:\n  team: data\n"
        "airflow:\n  defaultAirflowTag: 3.3.2\n  executor: CeleryExecutor\n"
        "  scheduler:\n    replicas: 3\n  config:\n    core:\n      parallelism: 99\n",
        encoding="utf-8",
    )
    imported = run([str(values)], None, None, None)
    spec = pipeline.from_text(imported.text, "imported.yaml").spec
    assert spec.executor == "CeleryExecutor" and spec.scheduler.replicas == 3 and spec.core.parallelism == 99
    rows = {r.setting: r for r in imported.rows}
    assert "wrapper chart" in rows["airflow"].why and rows["global"].went == "needs a person"
    assert rows["config.core.parallelism"].at.line == 10  # positions inside the nested values


def test_a_value_compile_would_change_is_listed_not_changed(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        "defaultAirflowTag: 3.3.2\n"
        "dags:\n  gitSync:\n    enabled: true\n    repo: https://github.com/x/y.git\n    subPath: dags\n"
        "config:\n  core:\n    dags_folder: /somewhere/else\n",
        encoding="utf-8",
    )
    imported = run([str(values)], None, None, None)
    row = next(r for r in imported.rows if r.setting == "config.core.dags_folder")
    assert (row.went, row.at.line) == ("needs a person", 9)
    assert pipeline.from_text(imported.text, "imported.yaml").spec.dags.git_sync is not None


def _bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("env", "name", "text", "expected"),
    [
        ("local", "values.yaml", None, "expected NAME=FILE"),  # --env without =
        ("=FILE", "values.yaml", None, "expected NAME=FILE"),
        ("Local_Dev=FILE", "values.yaml", None, "an environment is named in lower case"),
        ("local=FILE", "docker-compose.yaml", "services: [unclosed\n", "docker-compose.yaml:"),
        ("local=FILE", "docker-compose.yaml", _bomb(), "docker-compose.yaml"),
        ("local=FILE", "deep.yaml", "a:\n" + "".join("  " * i + "- \n" for i in range(1, 400)), "deep.yaml"),
        ("local=FILE", ".env", f"AIRFLOW__CORE__FERNET_KEY {API_KEY}\n", ".env:1:1"),
        ("local=FILE", ".env", "A=" + "x" * (1 << 20) + "\n", "larger than"),
        ("local=FILE", "missing.yaml", None, "missing.yaml"),
    ],
)
def test_hostile_environment_input_gets_one_line_and_exit_2(
    tmp_path: Path, env: str, name: str, text: str | None, expected: str
) -> None:
    base = tmp_path / "values.yaml"
    base.write_text("defaultAirflowTag: 3.3.2\nexecutor: CeleryExecutor\n", encoding="utf-8")
    path = tmp_path / "env" / name
    if text is not None:
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "s.yaml"
    cmd = [sys.executable, "-m", "airspec", "import", str(base), "--env", env.replace("FILE", str(path))]
    done = subprocess.run([*cmd, "-o", str(out)], capture_output=True, text=True, env=_env())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert expected in done.stderr and len(done.stderr.splitlines()) == 1
    assert API_KEY not in done.stderr + done.stdout
    assert not out.exists()


_LEAF = st.one_of(
    st.integers(-3, 3), st.text("ab", max_size=2), st.booleans(), st.lists(st.integers(0, 2), max_size=2)
)
_TREE = st.recursive(
    _LEAF, lambda inner: st.dictionaries(st.sampled_from("pqrs"), inner, max_size=3), max_leaves=8
)
_SPEC = st.dictionaries(st.sampled_from(["core", "helm", "secrets", "x"]), _TREE, max_size=3)


@settings(max_examples=200, deadline=None)
@given(base=_SPEC, env=_SPEC)
def test_an_overlay_merges_back_into_the_environment_it_was_made_from(
    base: dict[str, Any], env: dict[str, Any]
) -> None:
    """What validation merges (airspec.validate.deep_merge) is what was imported: mappings key by key, anything
    else replaced, `null` for a key the environment does not have."""
    written = overlay.differences(base, env)
    assert deep_merge(base, written) == env
    assert all(written[k] is None for k in base if k not in env)


def test_an_overlay_replaces_a_secret_reference_whole() -> None:
    base = {"secrets": {"fernet_key": {"secret": {"name": "airflow-fernet", "key": "fernet-key"}}}}
    env = {"secrets": {"fernet_key": {"env": "FERNET_KEY"}}}
    written = overlay.differences(base, env)
    assert written == {"secrets": {"fernet_key": {"env": "FERNET_KEY"}}}  # not {secret: null, env: ...}
    assert deep_merge(base, written) == env


def test_text_report_counts_values_dropped_for_one_reason_and_json_lists_each(tmp_path: Path) -> None:
    values = CHART_VALUES[-1]
    imported = run([str(values)], None, None, "helm-values")
    text = as_text(imported, "s.yaml")
    doc = json.loads(as_json(imported, "s.yaml"))
    workers = [r for r in doc["settings"] if r["setting"].startswith("workers.") and "default" in r["why"]]
    defaults = [r for r in workers if r["why"] == workers[0]["why"]]
    assert len(defaults) > 20  # each value of the copied file is in the JSON report ...
    counted = [line for line in text.splitlines() if f": workers: {len(defaults)} values" in line]
    assert counted == [
        f"{values}:{defaults[0]['line']}: workers: {len(defaults)} values dropped ({defaults[0]['why']})"
    ]
    assert len(text.splitlines()) < len(doc["settings"]) / 5  # ... and counted per top-level key in text
