"""A validated spec -> the resolved deployment: defaults filled in, and every Airflow option placed where the
target version reads it (`options.PLACES`). Renderers, lint rules and diff all read this one model; it is only
ever made from a spec that validated, so nothing here refuses anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from airspec.catalog import Catalog, charts, exact_version
from airspec.model import Spec
from airspec.model.spec import Celery, KubernetesExecutor
from airspec.model.types import SecretRef
from airspec.options import SECRET_SETTINGS, Option, configured, modelled, place, secret_ref
from airspec.source import Path, SourceMap
from airspec.validate import Validated


class SecretOption(NamedTuple):
    """A sensitive option: never written as a value; each deployment wires the reference its own way."""

    section: str
    name: str
    ref: SecretRef
    origin: Path

    @property
    def env_name(self) -> str:
        return f"AIRFLOW__{self.section.upper()}__{self.name.upper()}"


class Resolved(NamedTuple):
    spec: Spec
    source: SourceMap
    catalog: Catalog
    spec_file: str  # how artifacts name the spec (pipeline.spec_label)
    env: str | None
    airflow_version: str
    image_repository: str
    image_tag: str
    release: str
    namespace: str
    chart_version: str  # the Helm chart release the values are for (validation refused one that does not fit)
    options: tuple[Option, ...]
    secrets: tuple[SecretOption, ...]
    # What renderers derive from the model once and share (the dashboard's JSON, which its ConfigMap carries too;
    # the pod template, which the Helm values carry):
    # kept with the model, so that it lives exactly as long as the model. Each resolve makes it.
    derived: dict[str, str]

    @property
    def executors(self) -> list[str]:
        return self.spec.executors

    @property
    def uses_celery(self) -> bool:
        return any("Celery" in e for e in self.executors)

    @property
    def uses_kubernetes(self) -> bool:
        return any("Kubernetes" in e for e in self.executors)

    @property
    def celery(self) -> Celery:
        return self.spec.celery or Celery()

    @property
    def kubernetes_executor(self) -> KubernetesExecutor:
        return self.spec.kubernetes_executor or KubernetesExecutor()

    @property
    def worker_namespace(self) -> str:
        return self.kubernetes_executor.namespace or self.namespace

    @property
    def runs_dag_processor(self) -> bool:
        return self.catalog.runtime.dag_processor_always_separate or self.spec.dag_processor.enabled

    @property
    def runs_triggerer(self) -> bool:
        return self.spec.triggerer.enabled

    def option(self, section: str, name: str) -> str | None:
        return next((o.value for o in self.options if (o.section, o.name) == (section, name)), None)

    def sections(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for o in self.options:
            out.setdefault(o.section, {})[o.name] = o.value
        return out


def resolve(validated: Validated, spec_file: str) -> Resolved:
    spec, catalog = validated.spec, validated.catalog
    version = exact_version(spec.airflow.version)
    options = [*modelled(spec, catalog), *configured(spec)]  # validation refused any place set twice
    return Resolved(
        spec=spec,
        source=validated.source,
        catalog=catalog,
        spec_file=spec_file,
        env=validated.env,
        airflow_version=version,
        image_repository=spec.airflow.image.repository,
        image_tag=spec.airflow.image.tag or _default_tag(spec, version),
        release=spec.kubernetes.release or spec.name,
        namespace=spec.kubernetes.namespace,
        chart_version=chart_version(spec.helm.chart_version, version),
        options=tuple(sorted(options, key=lambda o: (o.section, o.name))),
        secrets=tuple(_secrets(spec, catalog)),
        derived={},
    )


def _default_tag(spec: Spec, version: str) -> str:
    """The image tag unless airflow.image.tag says: the release, or for the stock image with an explicit
    airflow.python_version, the release's image for that Python (apache/airflow publishes `<version>-python<py>`).
    An image compile builds (providers) is tagged with the release; its Dockerfile picks the Python."""
    stock = spec.airflow.image.repository == "apache/airflow" and not spec.airflow.providers
    if stock and "python_version" in spec.airflow.model_fields_set:
        return f"{version}-python{spec.airflow.python_version}"
    return version


def chart_version(chosen: str | None, airflow_version: str) -> str:
    """The chart release the spec names, or the default for its Airflow version."""
    return chosen or charts.default_for(airflow_version) or charts.default_release()


def _secrets(spec: Spec, catalog: Catalog) -> Iterator[SecretOption]:
    for secret in SECRET_SETTINGS:
        ref = secret_ref(spec, secret.origin)
        where = place(catalog, secret.setting)
        if ref is not None and where is not None:
            yield SecretOption(where[0], where[1], ref, secret.origin)
