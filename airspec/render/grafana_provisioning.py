"""Grafana's provisioning files for the compose target: a data source that is the compose file's Prometheus, and a
dashboard provider that loads monitoring/grafana-dashboard.json.

They live in compose/grafana/provisioning/ beside docker-compose.yaml, whose `grafana` service (the `grafana`
profile) mounts each folder where the grafana image reads provisioning (`GF_PATHS_PROVISIONING`,
/etc/grafana/provisioning) and the dashboard where the provider looks. The fields are those Grafana's provisioning
reader knows (apiVersion 1: pkg/services/provisioning/datasources/types.go and .../dashboards/types.go in
grafana/grafana); Grafana ignores a field it does not know, so tests check every field written against that list.

The data source's `timeInterval` (the Prometheus data source's "Scrape interval") is the spec's scrape interval:
Grafana sizes `$__rate_interval`, which every rate panel uses, from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airspec.render.airflow_cfg import header
from airspec.render.prometheus import duration
from airspec.render.yamltext import dump

if TYPE_CHECKING:
    from airspec.resolve import Resolved

FOLDER = "compose/grafana/provisioning"  # under OUT
DATASOURCES_PATH = f"{FOLDER}/datasources/airspec-prometheus.yaml"
DASHBOARDS_PATH = f"{FOLDER}/dashboards/airspec-dashboards.yaml"
IN_CONTAINER = "/etc/grafana/provisioning"  # the grafana image's GF_PATHS_PROVISIONING
DASHBOARDS_IN_CONTAINER = "/var/lib/grafana/dashboards/airspec"  # where the provider reads dashboards
DATASOURCE_UID = "airspec-prometheus"
PROMETHEUS_SERVICE = "prometheus"
PROMETHEUS_PORT = 9090  # Prometheus' default --web.listen-address


def applies(resolved: Resolved) -> bool:
    """Compose runs the statsd-exporter, so it runs a Prometheus that scrapes it and can run Grafana over that."""
    statsd = resolved.spec.metrics.statsd
    return "compose" in resolved.spec.targets and statsd.enabled and statsd.exporter.enabled


def datasources_data(resolved: Resolved) -> dict[str, Any]:
    interval = max(resolved.spec.metrics.prometheus.scrape_interval, 1)  # as prometheus.yml writes it
    source = {
        "name": "Prometheus",
        "type": "prometheus",
        "uid": DATASOURCE_UID,
        "access": "proxy",  # Grafana's server queries Prometheus over the compose network
        "url": f"http://{PROMETHEUS_SERVICE}:{PROMETHEUS_PORT}",
        "isDefault": True,
        "editable": False,
        "jsonData": {"timeInterval": duration(interval)},
    }
    return {"apiVersion": 1, "datasources": [source]}


def dashboards_data(resolved: Resolved) -> dict[str, Any]:
    provider = {
        "name": "airspec",
        "type": "file",
        "folder": "Airflow",
        "disableDeletion": True,
        "allowUiUpdates": False,  # the spec is the source: a change saved in the UI would be lost on recompile
        "options": {"path": DASHBOARDS_IN_CONTAINER},
    }
    return {"apiVersion": 1, "providers": [provider]}


def render_datasources(resolved: Resolved) -> str:
    lines = [
        *header(resolved),
        f"Grafana data source provisioning: the {PROMETHEUS_SERVICE} service of compose/docker-compose.yaml.",
    ]
    return dump(datasources_data(resolved), "\n".join(lines))


def render_dashboards(resolved: Resolved) -> str:
    lines = [
        *header(resolved),
        "Grafana dashboard provisioning: loads monitoring/grafana-dashboard.json, which docker-compose.yaml mounts",
        f"into {DASHBOARDS_IN_CONTAINER}.",
    ]
    return dump(dashboards_data(resolved), "\n".join(lines))
