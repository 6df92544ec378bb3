"""The artifact registry: every kind of file airspec compiles, where it goes under OUT, which specs get it and
the renderer that writes it. compile, diff and import read this one table; adding a kind is a row here and a
module in render/ (see CONTRIBUTING.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import PurePosixPath
from typing import NamedTuple

from airspec.render import (
    airflow_cfg,
    ci_workflow,
    compose,
    grafana,
    grafana_provisioning,
    helm_values,
    image,
    local_settings,
    pod_template,
    prometheus,
    secrets_example,
    statsd,
)
from airspec.resolve import Resolved


class Kind(NamedTuple):
    """One kind of artifact. `path` is relative to OUT; a kind with one file per item (task profiles) has `{}`
    in its path, filled with each of `items(resolved)`, and its renderer gets the item ("" for the others).
    `when` and `proof` become the README's artifact table (`make docs`)."""

    name: str
    path: str
    applies: Callable[[Resolved], bool]
    render: Callable[[Resolved, str], str]
    yaml: bool  # a YAML document (diff compares it by structure)
    when: str  # for the README: which specs get it
    proof: str  # for the README: the real consumer the tests prove it with
    items: Callable[[Resolved], Sequence[str]] = lambda _: ("",)


class Artifact(NamedTuple):
    kind: str
    path: str  # relative to OUT, POSIX separators
    text: str


def _always(_: Resolved) -> bool:
    return True


def _target(name: str) -> Callable[[Resolved], bool]:
    return lambda resolved: name in resolved.spec.targets


def _statsd(resolved: Resolved) -> bool:
    return resolved.spec.metrics.statsd.enabled


def _profiles(resolved: Resolved) -> Sequence[str]:
    return sorted(resolved.kubernetes_executor.profiles)


REGISTRY: tuple[Kind, ...] = (
    Kind(
        "airflow.cfg",
        "airflow.cfg",
        _always,
        lambda r, _: airflow_cfg.render(r),
        yaml=False,
        when="always",
        proof="real Airflow 3.3.2 loads it, `airflow config lint` is clean, every option reads back as meant",
    ),
    Kind(
        "local-settings",
        local_settings.PATH,
        local_settings.applies,
        lambda r, _: local_settings.render(r),
        yaml=False,
        when="`task_defaults.retry_exponential_backoff: true` (no airflow.cfg option sets it)",
        proof="real Airflow 3.3.2 applies the cluster policy to parsed tasks; valid Python and ruff-clean",
    ),
    Kind(
        "helm-values",
        "helm/values.yaml",
        _target("helm"),
        lambda r, _: helm_values.render(r),
        yaml=True,
        when="`targets` has `helm`",
        proof="the chosen chart release's `values.schema.json` with unknown top-level keys as errors, and its "
        "render-time checks",
    ),
    Kind(
        "compose",
        "compose/docker-compose.yaml",
        _target("compose"),
        lambda r, _: compose.render(r),
        yaml=True,
        when="`targets` has `compose`",
        proof="the compose-spec schema and `docker-compose config -q`",
    ),
    Kind(
        "compose-env",
        "compose/.env.example",
        _target("compose"),
        lambda r, _: compose.render_env_example(r),
        yaml=False,
        when="`targets` has `compose`",
        proof="`docker-compose config -q` reads the compose file with it as .env",
    ),
    Kind(
        "image",
        image.PATH,
        image.applies,
        lambda r, _: image.render(r),
        yaml=False,
        when="`airflow.providers` set",
        proof="`hadolint`, BuildKit's Dockerfile parser and pip's option parser; the pip command and constraints "
        "URL against Airflow's documented install command",
    ),
    Kind(
        "secrets-example",
        "kubernetes/secrets.example.yaml",
        secrets_example.applies,
        lambda r, _: secrets_example.render(r),
        yaml=False,  # one document per Secret: diff compares it as text
        when="`targets` has `helm` and the spec names Kubernetes Secrets",
        proof="`kubernetes-validate --strict`; every Secret and key the Helm values and pod templates read",
    ),
    Kind(
        "pod-template",
        "kubernetes/pod-template.yaml",
        lambda r: r.uses_kubernetes,
        lambda r, _: pod_template.render(r),
        yaml=True,
        when="a Kubernetes executor",
        proof="`kubernetes-validate --strict`",
    ),
    Kind(
        "pod-profile",
        "kubernetes/profiles/{}.yaml",
        lambda r: r.uses_kubernetes,
        pod_template.render_profile,
        yaml=True,
        items=_profiles,
        when="a Kubernetes executor with `kubernetes_executor.profiles`",
        proof="`kubernetes-validate --strict`",
    ),
    Kind(
        "statsd-mappings",
        "monitoring/statsd-mappings.yaml",
        _statsd,
        lambda r, _: statsd.render(r),
        yaml=True,
        when="StatsD on",
        proof="every mapping matches a metric the target version emits (statsd_exporter's matching rules)",
    ),
    Kind(
        "prometheus-scrape",
        "monitoring/prometheus.yml",
        _statsd,
        lambda r, _: prometheus.render(r),
        yaml=True,
        when="StatsD on",
        proof="`promtool check config`",
    ),
    Kind(
        "prometheus-rules",
        "monitoring/alert-rules.yml",
        _statsd,
        lambda r, _: prometheus.render_rules(r),
        yaml=True,
        when="StatsD on",
        proof="`promtool check rules`, `promtool test rules`",
    ),
    Kind(
        "grafana-dashboard",
        grafana.PATH,
        _statsd,
        lambda r, _: grafana.render(r),
        yaml=True,  # JSON, which diff reads as the YAML it also is
        when="StatsD on",
        proof="Grafana's dashboard model (grafana-foundation-sdk) reads it back unchanged; `promtool` parses every "
        "query; every metric and label it reads is produced by the compiled mappings",
    ),
    Kind(
        "grafana-dashboard-configmap",
        "kubernetes/grafana-dashboard.yaml",
        lambda r: _statsd(r) and "helm" in r.spec.targets,
        lambda r, _: grafana.render_configmap(r),
        yaml=True,
        when="StatsD on and `targets` has `helm`",
        proof="`kubernetes-validate --strict`; its data is the dashboard",
    ),
    Kind(
        "grafana-datasources",
        grafana_provisioning.DATASOURCES_PATH,
        grafana_provisioning.applies,
        lambda r, _: grafana_provisioning.render_datasources(r),
        yaml=True,
        when="StatsD on and `targets` has `compose` (with the statsd-exporter)",
        proof="every field is one Grafana's provisioning reader knows (grafana/grafana "
        "pkg/services/provisioning/datasources); its URL is the compose file's Prometheus",
    ),
    Kind(
        "grafana-dashboard-provider",
        grafana_provisioning.DASHBOARDS_PATH,
        grafana_provisioning.applies,
        lambda r, _: grafana_provisioning.render_dashboards(r),
        yaml=True,
        when="StatsD on and `targets` has `compose` (with the statsd-exporter)",
        proof="every field is one Grafana's provisioning reader knows (grafana/grafana "
        "pkg/services/provisioning/dashboards); its path is where the compose file mounts the dashboard",
    ),
    Kind(
        "ci-workflow",
        "ci/github/airflow-ci.yml",
        lambda r: r.spec.ci is not None,
        lambda r, _: ci_workflow.render(r),
        yaml=True,
        when="`ci:` set",
        proof="`actionlint` and the github-workflows schema",
    ),
)
NAMES = tuple(k.name for k in REGISTRY)
YAML_KINDS = frozenset(k.name for k in REGISTRY if k.yaml)


def build(resolved: Resolved, only: frozenset[str] | None = None) -> list[Artifact]:
    """Every artifact the spec calls for (of the kinds in `only`), in registry order. Renderers cannot fail: the
    spec validated."""
    out: list[Artifact] = []
    for kind in REGISTRY:
        if (only is not None and kind.name not in only) or not kind.applies(resolved):
            continue
        for item in kind.items(resolved):
            path = kind.path.format(item) if item else kind.path
            out.append(Artifact(kind.name, _confined(path), kind.render(resolved, item)))
    return out


def _confined(path: str) -> str:
    """An artifact path never leaves OUT, whatever names the spec holds (profile names are DNS labels)."""
    parts = PurePosixPath(path).parts
    if not parts or PurePosixPath(path).is_absolute() or ".." in parts:
        raise ValueError(f"artifact path escapes the output directory: {path!r}")
    return path
