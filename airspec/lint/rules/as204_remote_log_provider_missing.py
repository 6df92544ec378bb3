"""Remote logging writes to a store whose provider is not installed.

Catches: a spec whose `logging.remote.provider` needs a provider package that `airflow.providers` does not list:
s3 and cloudwatch need `amazon`, gcs `google`, wasb `microsoft.azure`, elasticsearch `elasticsearch`,
opensearch `opensearch`, hdfs `apache.hdfs`, oss `alibaba`.

In airflow.cfg, Helm values and compose files: remote logging on, to a store named by `remote_base_log_folder`
(`s3://`, `cloudwatch://`, `gs://`, `stackdriver://`, `wasb...`, `oss://`, `hdfs://`) or by `[elasticsearch] host` /
`[opensearch] host` (Helm: `elasticsearch.enabled`), when the file's folder shows everything the deployment installs
(a Dockerfile on a slim Airflow image or a plain Python image, or a pip-installed Airflow: see
airspec/lint/installed.py) and none of its requirement files, `pip install` lines or apache-airflow extras installs
the provider. The regular `apache/airflow` image is not judged.

Why: the log handler for each store lives in its provider. Airflow imports it while it configures logging at
start-up (airflow_local_settings.py), so without the provider every Airflow command fails, and no task log
reaches the store.

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

from airspec.lint.helpers import airflow_bool, effective
from airspec.lint.model import FileContext, Hit, Opt, Rule, SpecContext
from airspec.source import Span

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


# remote_base_log_folder prefixes and the provider whose handler airflow_local_settings.py imports for each (a test
# reads them in Airflow 3.3.2's own file)
PREFIXES = (
    ("s3://", "amazon"),
    ("cloudwatch://", "amazon"),
    ("gs://", "google"),
    ("wasb", "microsoft.azure"),
    ("stackdriver://", "google"),
    ("oss://", "alibaba"),
    ("hdfs://", "apache.hdfs"),
)


# each store's provider extra installs no other store's provider (tests/test_lint_installed.py)
STORE_EXTRAS = frozenset([p.replace(".", "-") for _, p in PREFIXES] + ["elasticsearch", "opensearch"])


def _store(ctx: FileContext) -> tuple[str, str, Span] | None:
    """(provider, what names the store, where) of a raw file's remote logging, if it is on."""
    if airflow_bool(effective(ctx, "logging", "remote_logging")[0]) is not True:
        if ctx.kind == "helm-values" and ctx.get("elasticsearch", "enabled") is True:
            return "elasticsearch", "elasticsearch.enabled", ctx.value("elasticsearch", "enabled")
        return None
    folder = ctx.option("logging", "remote_base_log_folder")
    for prefix, provider in PREFIXES:
        if folder is not None and (folder.value or "").strip().startswith(prefix):
            return provider, f"{folder.label} ({prefix}...)", folder.at
    for store in ("elasticsearch", "opensearch"):
        host: Opt | None = ctx.option(store, "host")
        if host is not None and host.value:
            return store, host.label, host.at
    return None


def _image(ctx: FileContext) -> str | None:
    if ctx.kind == "helm-values":
        repository = ctx.get("images", "airflow", "repository") or ctx.get("defaultAirflowRepository")
        tag = ctx.get("images", "airflow", "tag") or ctx.get("defaultAirflowTag")
        return f"{repository or 'apache/airflow'}:{tag}" if tag is not None else None
    if ctx.kind == "compose":
        from airspec.lint.inputs import airflow_image, compose_images

        for _, image in compose_images(ctx.data):
            found = airflow_image(image)
            if found is not None:
                return f"{found[0]}:{found[1] or 'latest'}"
    return None


def check_files(ctx: FileContext) -> Iterator[Hit]:
    import os

    from airspec.lint.installed import of_folder, provides

    store = _store(ctx)
    if store is None:
        return
    provider, named, where = store
    installed = of_folder(os.path.dirname(os.path.abspath(ctx.file)), _image(ctx))
    if installed is None or provides(installed, provider, STORE_EXTRAS) is not False:
        return
    package = "apache-airflow-providers-" + provider.replace(".", "-")
    yield Hit(
        where,
        f"remote logging to {named} needs the {provider} provider, which {installed.source} does not install: "
        f"every Airflow command fails while it sets up logging; add {package}",
    )


RULE = Rule(
    id="AS204",
    name="remote-log-provider-missing",
    severity="error",
    category="reliability",
    spec=check_spec,
    files={"airflow.cfg": check_files, "helm-values": check_files, "compose": check_files},
)
