"""Remote logging is on but has nowhere to write.

Catches: `[logging] remote_logging = True` without `remote_base_log_folder` (airflow.cfg, Helm `config:`,
AIRFLOW__ variables), and a spec's `logging.remote` without `base_folder`, unless the store is Elasticsearch or
OpenSearch (which are configured by host, not folder).

Why: the remote handler needs the folder to know where to upload: task logs are never shipped and are lost
with the worker, though everything looks configured.

Bad:

    [logging]
    remote_logging = True
    remote_log_conn_id = aws_default

Good:

    [logging]
    remote_logging = True
    remote_log_conn_id = aws_default
    remote_base_log_folder = s3://example-airflow-logs/prod
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import airflow_bool
from airspec.lint.model import FileContext, Hit, Rule, SpecContext

_BY_HOST = ("elasticsearch", "opensearch")


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    remote = ctx.resolved.spec.logging.remote
    if remote is not None and remote.provider not in _BY_HOST and not remote.base_folder:
        yield Hit(
            ctx.key("logging", "remote"),
            f"remote logging to {remote.provider} has no base_folder: no task log is uploaded; set logging.remote.base_folder",
        )


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    on = ctx.option("logging", "remote_logging")
    if on is None or airflow_bool(on.value) is not True:
        return
    folder = ctx.option("logging", "remote_base_log_folder")
    if folder is not None and (folder.value is None or folder.value.strip()):
        return
    if any(ctx.option(s, "host") for s in _BY_HOST) or any(ctx.get(s, "enabled") is True for s in _BY_HOST):
        return
    yield Hit(
        on.at,
        f"{on.label} is on but {ctx.spell('logging', 'remote_base_log_folder')} is not set: no task log is uploaded",
    )


RULE = Rule(
    id="AS303",
    name="remote-logging-no-folder",
    severity="error",
    category="observability",
    spec=check_spec,
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
