"""airspec/optvalue.py, the one option-value check of validate and lint (AS210), against the getters of the real
Airflow 3.3.2: thousands of values through conf.getboolean/getint/getfloat in one process (tests/airflow_values.py).
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airspec.catalog import Option
from airspec.errors import SpecInvalid
from airspec.loader import load_text
from airspec.options import config_value
from airspec.optvalue import cfg_text, check, problem, reads_as
from airspec.validate import validate
from tests.validators import REPO, run_tool, tool

TYPES = ("boolean", "integer", "float")

CHOSEN = [
    # booleans, Airflow's words and near misses
    *["True", "true", "TRUE", " t ", "T", "1", "False", "f", "0", "yes", "no", "on", "off", "y", "2", "-1"],
    *["true # note", "#true", "true#", "tru", "1.0", "0.0", "", " ", "\u2028true\u2028", "\x0ct"],
    # integers
    *["16", "-3", "+5", " 7 ", "007", "1_000", "1__000", "_1", "16.0", "16.5", "1e3", "1E3", "1e-3", "-0.0"],
    *["0x10", "0o7", "0b1", "1.", ".5", "inf", "-inf", "nan", "Infinity", "1e400", "9" * 30, "9" * 30 + ".0"],
    *[
        "\u0663",
        "\u00b2",
        "\u0661\u0662.0",
        "1 000",
        "1,000",
        "--5",
        "\u0663\u066b\u0665",
        "12abc",
        "\x85 12 \u2028",
    ],
    # floats
    *["1.5", "1e-5", "-iNF", "NaN", "nAn", "1_000.5", "1._5", "1,5", "0.1e", "e5", "1e5.0", "\u2007" + "2.5"],
]
ALPHABET = "0123456789+-._eE# \tinfatrusl\u0663\u00b2x\u2028\x0c"


def generated(count: int = 3000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6))) for _ in range(count)]


@pytest.fixture(scope="module")
def airflow_verdicts() -> dict[tuple[str, str], bool]:
    values = list(dict.fromkeys(CHOSEN + generated()))
    requests = [[kind, value] for kind in TYPES for value in values]
    proc = run_tool(
        [tool("airflow-python"), str(REPO / "tests" / "airflow_values.py")],
        input=json.dumps({"typed": requests}),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    answer: dict[str, Any] = json.loads(proc.stdout)
    return {(kind, value): ok for (kind, value), ok in zip(requests, answer["typed"], strict=True)}


def test_every_value_as_airflow_reads_it(airflow_verdicts: dict[tuple[str, str], bool]) -> None:
    assert len(airflow_verdicts) > 6000
    wrong = [
        f"{kind} {value!r}: Airflow {'accepts' if ok else 'refuses'}"
        for (kind, value), ok in airflow_verdicts.items()
        if reads_as(kind, value) != ok or (problem(kind, value) is None) != ok
    ]
    assert not wrong, "\n".join(wrong[:40])
    # both answers are well represented
    for kind in TYPES:
        verdicts = [ok for (k, _), ok in airflow_verdicts.items() if k == kind]
        assert sum(verdicts) > 20 and len(verdicts) - sum(verdicts) > 20


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("integer", "16.0", True),
        ("integer", 16.0, True),
        ("integer", 16.5, False),
        ("integer", True, False),  # written as True
        ("integer", math.inf, False),
        ("integer", "1_000", True),
        ("boolean", "t", True),
        ("boolean", 1, True),  # written as 1, which getboolean reads as True
        ("boolean", 2, False),
        ("boolean", "yes", False),
        ("float", math.nan, True),
        ("float", "inf", True),
        ("float", False, False),
        ("string", "anything %", True),
    ],
)
def test_problem(kind: str, value: Any, ok: bool) -> None:
    assert (problem(kind, value) is None) == ok


def test_an_integer_too_long_to_write() -> None:
    assert problem("integer", 10**5000) == "expected an integer of at most 4300 digits"


@given(st.one_of(st.booleans(), st.integers(), st.floats(), st.text(max_size=8)))
def test_spec_values_are_judged_as_airspec_writes_them(value: Any) -> None:
    assert cfg_text(value) == config_value(value)


def test_messages_name_no_sensitive_value() -> None:
    plain = Option("core", "parallelism", "integer", "32", False, None)
    secret = Option("x", "token_count", "integer", "1", True, None)
    assert check(plain, "lots") == "expected an integer, got 'lots'"
    assert check(secret, "hunter2") == "expected an integer"
    assert check(plain, "x" * 500) is not None and len(check(plain, "x" * 500) or "") < 100
    unset = Option("core", "default_task_execution_timeout", "integer", "", False, None)
    assert check(unset, "") is None  # empty where the default is empty: unset


def _spec_problems(config: str) -> list[str]:
    text = f'name: t\ndevelopment_only: true\nairflow:\n  version: "3.3"\nconfig:\n{config}'
    try:
        validate(load_text(text, "s.yaml"))
    except SpecInvalid as exc:
        return [d.message for d in exc.diagnostics]
    return []


def test_validate_accepts_what_airflow_reads() -> None:
    assert (
        _spec_problems("  core:\n    parallelism: '16.0'\n  scheduler:\n    enable_health_check: t\n") == []
    )
    assert _spec_problems("  core:\n    parallelism: 16.0\n  scheduler:\n    enable_health_check: 1\n") == []
    assert _spec_problems("  core:\n    parallelism: '16.5'\n") == [
        "config.core.parallelism: expected an integer, got '16.5'"
    ]
    assert _spec_problems("  scheduler:\n    enable_health_check: 'yes'\n") == [
        "config.scheduler.enable_health_check: expected true or false (or t/f, 1/0), got 'yes'"
    ]
