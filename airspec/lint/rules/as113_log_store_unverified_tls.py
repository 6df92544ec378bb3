"""Task logs go to Elasticsearch or OpenSearch without checking the server's certificate.

Catches: `[elasticsearch_configs] verify_certs` or `[opensearch_configs] verify_certs` set to a false value, in any
input that sets Airflow options.

Why: the log handlers send task logs (which hold whatever tasks print: row samples, tokens in error messages) and
read them back for the UI over this connection; without certificate checks anyone on the path can read them or
serve forged logs. Give the client the store's CA instead (`ca_certs`).

Bad:

    [elasticsearch_configs]
    verify_certs = False

Good:

    [elasticsearch_configs]
    verify_certs = True
    ca_certs = /etc/ssl/certs/es-ca.pem
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.helpers import airflow_bool
from airspec.lint.model import Context, Hit, Rule

_SECTIONS = ("elasticsearch_configs", "opensearch_configs")


def _check(ctx: Context) -> Iterator[Hit]:
    for opt in ctx.options:
        if opt.name == "verify_certs" and opt.section in _SECTIONS and airflow_bool(opt.value) is False:
            store = "Elasticsearch" if opt.section.startswith("elastic") else "OpenSearch"
            yield Hit(
                opt.at,
                f"{opt.label} is off: task logs travel to and from {store} without a certificate check; "
                "set it to True (with ca_certs for a private CA)",
            )


RULE = Rule(
    id="AS113",
    name="log-store-unverified-tls",
    severity="warning",
    category="security",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
