"""The commented starter spec that `airspec init` writes."""

from __future__ import annotations

from airspec.catalog import lines

_STARTER = """\
# yaml-language-server: $schema=https://airspec.dev/schema/airflow-spec.schema.json
# airflow-spec.yaml: the single source for this Airflow deployment.
# Check it:    airspec validate airflow-spec.yaml
# Build it:    airspec compile airflow-spec.yaml -o build
name: my-airflow                 # Helm release / compose project name (lower-case, digits, '-')
airflow:
  version: "@VERSION@"               # always quoted: 3.10 unquoted is the number 3.1
  providers: []                  # extra providers by short name, e.g. [amazon, google]
executor: LocalExecutor          # LocalExecutor, CeleryExecutor, KubernetesExecutor (or a list on Airflow 3)
targets: [compose]               # compose, helm, or both

# Secrets are references, never values: {env: VAR}, {file: /run/secrets/x} or {secret: {name: s, key: k}}.
secrets:
  fernet_key: {env: AIRFLOW_FERNET_KEY}
  api_secret_key: {env: AIRFLOW_API_SECRET_KEY}
  jwt_secret: {env: AIRFLOW_JWT_SECRET}

database:
  kind: bundled                  # bundled Postgres, or external with url: {secret: {...}}
  password: {env: POSTGRES_PASSWORD}

scheduler:
  replicas: 1                    # 2 or more for high availability

dags:
  local_path: ./dags             # bind-mounted into compose services

core:
  parallelism: 32
  max_active_runs_per_dag: 4

task_defaults:
  retries: 2
  retry_delay: 5m                # durations: 30s, 5m, 2h, 1h30m or whole seconds

# Per-environment overlays, deep-merged over everything above: airspec compile --env prod
environments:
  prod:
    scheduler:
      replicas: 2
"""


def newest_airflow3() -> str:
    return max((v for v in lines() if v.startswith("3.")), key=lambda v: tuple(int(p) for p in v.split(".")))


def starter_spec() -> str:
    return _STARTER.replace("@VERSION@", newest_airflow3())
