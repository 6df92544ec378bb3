"""airspec/envopt.py, the one reading of AIRFLOW__SECTION__OPTION names, on chosen names and against the real
Airflow 3.3.2 (tests/airflow_values.py, one process): a variable sets the option envopt names, and a name envopt
rejects sets no option its naive reading would give."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airspec.catalog import load
from airspec.envopt import env_name, env_option, indirect
from tests.validators import REPO, run_tool, tool


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("AIRFLOW__CORE__PARALLELISM", ("core", "parallelism")),
        ("AIRFLOW__KUBERNETES_EXECUTOR__NAMESPACE", ("kubernetes_executor", "namespace")),
        ("AIRFLOW__CORE__FERNET_KEY_CMD", ("core", "fernet_key_cmd")),
        ("AIRFLOW__CORE__A__B", ("core", "a__b")),  # the option may hold `__`; the section may not
        ("AIRFLOW__CORE__X-Y", ("core", "x-y")),
        ("AIRFLOW__core__parallelism", None),  # Airflow builds names in upper case and os.environ is exact
        ("AIRFLOW__CORE__Parallelism", None),
        ("airflow__CORE__PARALLELISM", None),
        ("AIRFLOW__CORE", None),
        ("AIRFLOW__CORE__", None),
        ("AIRFLOW____PARALLELISM", None),
        ("AIRFLOW__TEAM_A___CORE__PARALLELISM", None),  # a team's override, not the option
        ("AIRFLOW_CORE__PARALLELISM", None),
        ("AIRFLOW_CONN_X", None),
        ("AIRFLOW__CORE__STRASSE_ß", None),  # upper() would change it: Airflow never builds this name
    ],
)
def test_env_option(name: str, place: tuple[str, str] | None) -> None:
    assert env_option(name) == place


def test_indirect() -> None:
    assert indirect("fernet_key_cmd") == ("fernet_key", "cmd")
    assert indirect("sql_alchemy_conn_secret") == ("sql_alchemy_conn", "secret")
    assert indirect("parallelism") is None
    assert indirect("_cmd") is None


@pytest.mark.parametrize("line", ["2.10", "3.3"])
def test_every_catalog_option_round_trips(line: str) -> None:
    for option in load(line).options():
        assert env_option(env_name(option.section, option.name)) == (option.section, option.name)


NAMES = [
    "AIRFLOW__CORE__PARALLELISM",
    "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG",
    "AIRFLOW__core__max_active_runs_per_dag",
    "AIRFLOW__Core__Dagbag_Import_Timeout",
    "AIRFLOW__SCHEDULER__PARSING_PROCESSES",
    "AIRFLOW__CORE__SOME__THING",
    "AIRFLOW__LOGGING__LOGGING_LEVEL",
    "AIRFLOW__CORE__STRASSE_ß",
]


def _naive(name: str) -> tuple[str, str] | None:
    """The reading a regex or split would give, whatever the case."""
    parts = name.split("__", 2)
    return (parts[1].lower(), parts[2].lower()) if len(parts) == 3 and parts[1] and parts[2] else None


def _ask_airflow(request: dict[str, Any]) -> dict[str, Any]:
    proc = run_tool(
        [tool("airflow-python"), str(REPO / "tests" / "airflow_values.py")], input=json.dumps(request)
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    answer: dict[str, Any] = json.loads(proc.stdout)
    return answer


def test_names_against_airflow() -> None:
    env = {name: f"marker-{index}" for index, name in enumerate(NAMES)}
    env["AIRFLOW__CORE__FERNET_KEY_CMD"] = "echo from-a-command"  # sensitive: Airflow runs it
    env["AIRFLOW__CORE__DAGS_FOLDER_CMD"] = "echo not-run"  # not sensitive: never run
    places = [env_option(name) or _naive(name) for name in NAMES]
    reads = [place for place in places if place is not None]
    reads += [("core", "fernet_key"), ("core", "dags_folder"), ("core", "fernet_key_cmd")]
    answer = _ask_airflow({"env": env, "reads": reads})["reads"]
    got = dict(zip(map(tuple, reads), answer, strict=True))
    for index, name in enumerate(NAMES):
        place = env_option(name)
        if place is not None:
            assert got[place] == f"marker-{index}", name
        else:
            naive = _naive(name)
            assert naive is None or got[naive] != f"marker-{index}", name
    assert got[("core", "fernet_key")].strip() == "from-a-command"
    assert got[("core", "dags_folder")] != "not-run"
    catalog = load("3.3")
    fernet = catalog.option("core", "fernet_key")
    dags = catalog.option("core", "dags_folder")
    assert fernet is not None and fernet.sensitive and dags is not None and not dags.sensitive
