"""airspec: one airflow-spec.yaml, every Airflow deployment artifact."""

__version__ = "0.1.0"
