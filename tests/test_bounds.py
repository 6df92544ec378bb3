"""Work stays bounded and linear (issue #13, items 11-12): alias expansion is bounded in text as well as in nodes,
and a spec's environments cost each their own size, not the whole spec's."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from airspec.errors import ContentError
from airspec.loader import MAX_EXPANDED_CHARS, load_text
from airspec.validate import validate_all
from tests.conftest import ROOT, airspec


def test_a_large_value_aliased_many_times_is_refused_at_the_value(tmp_path: Path) -> None:
    big = "x" * (1024 * 1024)
    text = f"name: a\nbig: &a {big}\nlist:\n" + "".join("  - *a\n" for _ in range(199))
    started = time.perf_counter()
    with pytest.raises(ContentError) as caught:
        load_text(text, "airflow-spec.yaml")
    assert time.perf_counter() - started < 5
    message = str(caught.value)
    assert message.startswith("airflow-spec.yaml:2:6: error: document expands to more than 16 MiB of text")
    assert "1.0 MiB, is repeated through aliases" in message and "\n" not in message


def test_aliases_below_the_bound_still_load() -> None:
    value = "x" * 1000
    text = f"a: &a {value}\nlist:\n" + "".join("  - *a\n" for _ in range(199))
    assert load_text(text, "f.yaml").data["list"] == [value] * 199
    # Nested aliases multiply: the bound is on the expansion, not on what is written.
    item = "y" * 10_000
    nested = "a: &a [" + ", ".join([item] * 10) + "]\nb: &b [" + ", ".join(["*a"] * 20) + "]\n"
    nested += "c: [" + ", ".join(["*b"] * 10) + "]\n"  # 20 MB in about 2,000 nodes
    expanded = 10 * 20 * 10 * len(item)
    assert expanded > MAX_EXPANDED_CHARS
    with pytest.raises(ContentError, match="expands to more than 16 MiB"):
        load_text(nested, "f.yaml")


def test_validate_cli_gives_one_positioned_line(write) -> None:  # type: ignore[no-untyped-def]
    big = "x" * (1024 * 1024)
    spec = write(f"name: a\nbig: &a {big}\nlist:\n" + "".join("  - *a\n" for _ in range(199)))
    result = airspec("validate", spec)
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and ":2:6: error: document expands" in lines[0]


def _spec_with_environments(count: int) -> str:
    base = (ROOT / "examples/kubernetes-helm/airflow-spec.yaml").read_text(encoding="utf-8")
    base = base.split("\nenvironments:")[0]
    envs = "".join(
        f"  e{i}:\n    scheduler:\n      replicas: {i % 3 + 1}\n    core:\n      parallelism: {i + 10}\n"
        for i in range(count)
    )
    return f"{base}\nenvironments:\n{envs}"


def _validate_seconds(count: int) -> float:
    loaded = load_text(_spec_with_environments(count), "airflow-spec.yaml")
    started = time.perf_counter()
    assert validate_all(loaded) == []
    return time.perf_counter() - started


def test_validation_is_linear_in_the_number_of_environments() -> None:
    """10x the environments costs about 10x (quadratic was 100x: 5,000 took 172 s)."""
    _validate_seconds(20)  # warm: catalog, models
    small = _validate_seconds(500)
    large = _validate_seconds(5000)
    assert large / small < 20, f"500: {small:.2f} s, 5000: {large:.2f} s"
    assert large < 90


def _lint_seconds(folder: Path, count: int) -> float:
    from airspec.lint.engine import Request, run

    spec = folder / f"{count}" / "airflow-spec.yaml"
    spec.parent.mkdir()
    spec.write_text(_spec_with_environments(count), encoding="utf-8")
    started = time.perf_counter()
    outcome = run(Request((str(spec),)))
    assert outcome.errors == []
    return time.perf_counter() - started


def test_lint_is_linear_in_the_number_of_environments(tmp_path: Path) -> None:
    """lint resolves every environment: 10x the environments costs about 10x (it was quadratic)."""
    _lint_seconds(tmp_path, 10)  # warm
    small = _lint_seconds(tmp_path, 100)
    large = _lint_seconds(tmp_path, 1000)
    assert large / small < 20, f"100: {small:.2f} s, 1000: {large:.2f} s"
