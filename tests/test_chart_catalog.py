"""Checks of the committed Helm chart facts in airspec/catalog/charts (made by tools/build_chart_catalog.py) and of
airspec.catalog.charts, which reads them.

Tests that compare with the chart's files in ../shared skip when they are missing, unless
AIRSPEC_REQUIRE_VALIDATORS=1 (then they fail).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import validator_for
from ruamel.yaml import YAML

from airspec.catalog import charts
from tests.conftest import ROOT
from tests.validators import shared

DATA = ROOT / "airspec" / "catalog" / "charts"
RELEASES = ["1.16.0", "1.17.0", "1.18.0", "1.19.0", "1.20.0-dev", "1.22.0"]
# Where each release's files are under ../shared/upstream/helm-chart (see its README and versions/README.md).
FOLDERS = {r: f"versions/{r}" for r in RELEASES[:-1]} | {"1.22.0": ""}

# ../shared/upstream/helm-chart/versions/README.md: "what changes between them, as measured on these schemas",
# its Chart.yaml versions and appVersions (1.22.0's from the release notes it cites), and the Airflow minimum it
# names for 1.20.0-dev.
README_TABLE = {  # release: (top-level keys, webserver, workers.celery, data.*SecretKey, chart version, appVersion)
    "1.16.0": (70, True, False, False, "1.16.0", "2.10.5"),
    "1.17.0": (74, True, False, False, "1.17.0", "3.0.2"),
    "1.18.0": (78, True, False, False, "1.18.0", "3.0.2"),
    "1.19.0": (81, True, True, False, "1.19.0", "3.1.7"),
    "1.20.0-dev": (81, True, True, False, "1.20.0-dev", "3.1.7"),
    "1.22.0": (80, False, True, True, None, "3.2.2"),
}


def read_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def upstream(release: str, name: str) -> Path:
    return shared("upstream", "helm-chart", *filter(None, [FOLDERS[release], name]))


def test_index_lists_every_file() -> None:
    index = json.loads((DATA / "index.json").read_text(encoding="utf-8"))
    assert index == {
        "releases": RELEASES,
        "default": "1.22.0",
        "generated_by": "tools/build_chart_catalog.py",
    }
    assert charts.releases() == RELEASES
    assert charts.default_release() == RELEASES[-1]
    on_disk = {p.name for p in DATA.iterdir()}
    suffixes = (".json", ".schema.json", ".defaults.json")
    assert on_disk == {"index.json"} | {f"chart-{r}{s}" for r in RELEASES for s in suffixes}


@pytest.mark.parametrize("release", RELEASES)
def test_files_are_the_generators_layout_and_small(release: str) -> None:
    facts = DATA / f"chart-{release}.json"
    assert (
        facts.read_text(encoding="utf-8")
        == json.dumps(json.loads(facts.read_text()), sort_keys=True, indent=1) + "\n"
    )
    schema = DATA / f"chart-{release}.schema.json"
    minified = json.dumps(json.loads(schema.read_text()), separators=(",", ":"), sort_keys=True) + "\n"
    assert schema.read_text(encoding="utf-8") == minified
    assert facts.stat().st_size < 10_000
    assert schema.stat().st_size < 160_000
    defaults = DATA / f"chart-{release}.defaults.json"
    data = json.loads(defaults.read_text(encoding="utf-8"))
    expected = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"
    assert defaults.read_text(encoding="utf-8") == expected
    assert defaults.stat().st_size < 40_000


def keywords(schema: Any) -> set[str]:
    """Every keyword used in a schema, not counting property or definition names."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "definitions", "$defs"):
            found |= {k for sub in value.values() for k in keywords(sub)}
        elif key in ("allOf", "anyOf", "oneOf") or (key == "items" and isinstance(value, list)):
            found |= {k for sub in value for k in keywords(sub)}
        elif isinstance(value, dict) and key not in ("enum", "const", "default"):
            found |= keywords(value)
    return found


@pytest.mark.parametrize("release", RELEASES)
def test_schema_keeps_no_upstream_prose(release: str) -> None:
    used = keywords(charts.schema(release))
    assert not used & {"description", "examples", "title", "$comment", "x-docsSection", "x-docsSectionOrder"}
    assert {"type", "properties", "additionalProperties", "$ref", "required", "enum"} <= used


def test_generated_data_is_current(tmp_path: Path) -> None:
    source = shared("upstream", "helm-chart")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_chart_catalog.py"), str(source), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    fresh = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in DATA.iterdir()}
    assert sorted(fresh) == sorted(committed)
    stale = sorted(name for name in fresh if fresh[name] != committed[name])
    assert not stale, f"run `make chart-catalog`: {stale} differ from what the tool writes"


@pytest.mark.parametrize("release", RELEASES)
def test_shipped_schema_validates_the_releases_own_defaults(release: str) -> None:
    values = read_yaml(upstream(release, "values.yaml"))
    assert charts.validate_values(release, values) == []
    assert charts.validate_values(release, values, strict=False) == []
    assert charts.defaults(release) == values  # the shipped defaults are the release's values.yaml


@pytest.mark.parametrize("release", RELEASES)
def test_shipped_schema_reports_what_the_upstream_schema_reports(release: str) -> None:
    original = json.loads(upstream(release, "values.schema.json").read_text(encoding="utf-8"))
    validator = validator_for(original)(original)
    broken: list[dict[str, Any]] = [
        {"executor": "NoSuchExecutor", "ports": {"apiServer": "8080"}},
        {"images": {"statsd": {"tag": 1, "unknown": True}}, "data": {"brokerUrlSecretKey": "url"}},
        {"workers": {"replicas": "2", "celery": {"replicas": 2}}, "webserver": {"replicas": -1}},
        {"volumes": [{"name": 1}, "x"], "extraEnv": 3, "dags": {"gitSync": {"enabled": "yes"}}},
    ]
    for doc in broken:
        theirs = sorted((tuple(e.absolute_path), e.message) for e in validator.iter_errors(doc))
        assert charts.validate_values(release, doc, strict=False) == sorted(theirs, key=charts._order)
        assert theirs  # each document breaks something on every release


@pytest.mark.parametrize("release", RELEASES)
def test_strict_root_rejects_an_unknown_top_level_key(release: str) -> None:
    assert "additionalProperties" not in charts.schema(release)  # the chart's root accepts any key
    assert charts.strict_schema(release)["additionalProperties"] is False
    assert charts.validate_values(release, {"executr": "CeleryExecutor"}) == [
        ((), "Additional properties are not allowed ('executr' was unexpected)")
    ]
    assert charts.validate_values(release, {"executr": "CeleryExecutor"}, strict=False) == []


def test_errors_are_sorted_by_path_then_message() -> None:
    doc = {"volumes": ["b", "a", {"name": 1}], "zz": 1, "executor": 5, "aa": 1}
    errors = charts.validate_values("1.22.0", doc)
    paths = [path for path, _ in errors]
    assert paths == [(), ("executor",), ("volumes", 0), ("volumes", 1), ("volumes", 2, "name")]
    assert errors == charts.validate_values("1.22.0", dict(reversed(doc.items())))
    assert errors[0][1] == "Additional properties are not allowed ('aa', 'zz' were unexpected)"


@pytest.mark.parametrize("release", RELEASES)
def test_facts_match_the_readme_table(release: str) -> None:
    keys, webserver, celery, secret_keys, chart_version, app_version = README_TABLE[release]
    facts = charts.release(release)
    assert facts.version == release
    assert len(facts.top_level_keys) == keys
    assert facts.has_webserver is webserver
    assert facts.has_api_server  # from 1.16 on
    assert facts.has_dag_processor
    assert facts.has_workers_celery is celery
    assert facts.has_data_secret_keys is secret_keys
    assert facts.data_secret_keys == (
        ("metadataSecretKey", "brokerUrlSecretKey", "resultBackendSecretKey") if secret_keys else ()
    )
    assert facts.chart_yaml_version == chart_version
    assert facts.app_version == app_version
    assert facts.released is (release != "1.20.0-dev")
    assert facts.exact is (release != "1.22.0")
    assert {"data", "workers", "images", "ports"} <= set(facts.strict_sections)
    assert "config" not in facts.strict_sections


def test_airflow_minimum_and_old_worker_keys() -> None:
    # 1.20.0-dev supports Airflow 2.11.0 and newer (versions/README.md); main after 1.22.0 says 3.1.0 in its schema.
    assert [charts.release(r).min_airflow_version for r in RELEASES] == [None] * 4 + ["2.11.0", "3.1.0"]
    assert charts.release("1.22.0").min_helm_version == "3.19.0"
    # workers.replicas (the old place) is deprecated from 1.19 and gone on main after 1.22.0, where workers holds
    # only its celery and kubernetes sections.
    assert [("replicas" in charts.release(r).workers_keys) for r in RELEASES] == [True] * 5 + [False]
    assert charts.release("1.22.0").workers_keys == ("celery", "kubernetes")
    assert "resources" not in charts.release("1.20.0-dev").workers_celery_keys
    assert "resources" in charts.release("1.22.0").workers_celery_keys


@pytest.mark.parametrize("release", RELEASES)
def test_facts_match_the_charts_files(release: str) -> None:
    values = read_yaml(upstream(release, "values.yaml"))
    facts = charts.release(release)
    assert list(facts.top_level_keys) == sorted(values)
    assert facts.default_airflow_version == values["airflowVersion"]
    assert facts.default_airflow_tag == values["defaultAirflowTag"]
    assert facts.default("images") == values["images"]
    assert facts.default("images.statsd") == values["images"]["statsd"]
    assert facts.default("ports.statsdScrape") == values["ports"]["statsdScrape"] == 9102
    assert facts.default("dagProcessor.enabled") == values["dagProcessor"]["enabled"]
    with pytest.raises(KeyError):
        facts.default("images.nothing")
    if facts.chart_yaml_version is not None:
        chart = read_yaml(upstream(release, "Chart.yaml"))
        assert (facts.chart_yaml_version, facts.app_version) == (chart["version"], chart["appVersion"])


def test_unknown_release_names_the_known_ones() -> None:
    known = ", ".join(RELEASES)
    for call in (charts.release, charts.schema, charts.strict_schema):
        with pytest.raises(
            charts.UnknownChart, match=f"'1.21.0' is not in airspec's catalog; known releases: {known}$"
        ):
            call("1.21.0")
    with pytest.raises(ValueError, match="known releases"):
        charts.validate_values("2.0.0", {})


def test_import_does_no_work() -> None:
    code = (
        "import sys; from airspec.catalog import charts; "
        "print(charts._index.cache_info().currsize, charts.schema.cache_info().currsize, 'jsonschema' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert proc.stdout.split() == ["0", "0", "False"]
