"""One source, no drift: an option has the same value in airflow.cfg, the Helm values' config: and the compose
environment, for every example and a spec that targets both."""

from __future__ import annotations

import configparser
from typing import Any

import pytest
from ruamel.yaml import YAML

from airspec import pipeline
from airspec.artifacts import build
from airspec.resolve import Resolved
from tests.conftest import EXAMPLES, ROOT

BOTH = """\
name: both
development_only: true
airflow:
  version: "3.3"
executor: CeleryExecutor
targets: [helm, compose]
api_server:
  base_url: https://x.example.com/100%25/$HOME
celery:
  workers: {concurrency: 4}
config:
  email:
    subject_template: "/t/%(x)s/$x"
"""


def cases() -> dict[str, Resolved]:
    out = {}
    for name in EXAMPLES:
        spec = f"examples/{name}/airflow-spec.yaml"
        out[name] = pipeline.resolved(str(ROOT / spec))
    out["both"] = pipeline.from_text(BOTH, "both.yaml")
    return out


def read_cfg(text: str) -> dict[tuple[str, str], str]:
    parser = configparser.ConfigParser()
    parser.read_string(text)
    return {(s, o): parser.get(s, o) for s in parser.sections() for o in parser[s]}


@pytest.mark.parametrize("name", [*EXAMPLES, "both"])
def test_same_option_same_value_everywhere(name: str) -> None:
    resolved = cases()[name]
    artifacts = {a.kind: a.text for a in build(resolved)}
    cfg = read_cfg(artifacts["airflow.cfg"])
    assert cfg == {(o.section, o.name): o.value for o in resolved.options}
    yaml = YAML(typ="safe", pure=True)
    if "helm-values" in artifacts:
        config: dict[str, dict[str, str]] = yaml.load(artifacts["helm-values"])["config"]
        # The chart writes config: into airflow.cfg as text, so the values are escaped as in airflow.cfg.
        helm = read_cfg(
            "".join(f"[{s}]\n" + "".join(f"{k} = {v}\n" for k, v in o.items()) for s, o in config.items())
        )
        assert helm == cfg
    if "compose" in artifacts:
        services: dict[str, Any] = yaml.load(artifacts["compose"])["services"]
        env = {k: v.replace("$$", "$") for k, v in services["airflow-scheduler"]["environment"].items()}
        for (section, option), value in cfg.items():
            if (section, option) == ("metrics", "statsd_host") and "helm" in resolved.spec.targets:
                continue  # compose sends StatsD to its own exporter service; the header says so
            assert env[f"AIRFLOW__{section.upper()}__{option.upper()}"] == value, (section, option)


def test_both_targets_case_holds_tricky_values() -> None:
    values = {(o.section, o.name): o.value for o in cases()["both"].options}
    assert values[("api", "base_url")] == "https://x.example.com/100%25/$HOME"
    assert values[("email", "subject_template")] == "/t/%(x)s/$x"
