"""Remote logging writes to a store whose provider is not installed.

Catches: a spec whose `logging.remote.provider` needs a provider package that `airflow.providers` does not list:
s3 and cloudwatch need `amazon`, gcs `google`, wasb `microsoft.azure`, elasticsearch `elasticsearch`,
opensearch `opensearch`, hdfs `apache.hdfs`, oss `alibaba`.

Why: the log handler for each store lives in its provider. Without it, Airflow falls back to local logs or fails
to configure logging at start-up, and no task log reaches the store.

Bad:

    airflow:
      version: "3.3"
    logging:
      remote: {provider: s3, base_folder: s3://logs/airflow}

Good:

    airflow:
      version: "3.3"
      providers: [amazon]
    logging:
      remote: {provider: s3, base_folder: s3://logs/airflow}
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import Hit, Rule, SpecContext

NEEDS = {
    "s3": "amazon",
    "cloudwatch": "amazon",
    "gcs": "google",
    "wasb": "microsoft.azure",
    "elasticsearch": "elasticsearch",
    "opensearch": "opensearch",
    "hdfs": "apache.hdfs",
    "oss": "alibaba",
}


def short_name(provider: str) -> str:
    """ "apache-airflow-providers-microsoft-azure" or "microsoft-azure" -> "microsoft.azure"."""
    return provider.removeprefix("apache-airflow-providers-").replace("-", ".")


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    spec = ctx.resolved.spec
    remote = spec.logging.remote
    if remote is None:
        return
    needed = NEEDS.get(remote.provider)
    installed = {short_name(p) for p in spec.airflow.providers}
    if needed and needed not in installed:
        yield Hit(
            ctx.value("logging", "remote", "provider"),
            f"remote logging to {remote.provider} needs the {needed} provider; add {needed!r} to airflow.providers",
        )


RULE = Rule(
    id="AS204",
    name="remote-log-provider-missing",
    severity="error",
    category="reliability",
    spec=check_spec,
)
