"""The UI and API are served over plain HTTP.

Catches: `[api] base_url` (`[webserver] base_url` on Airflow 2) starting with `http://` for a host other than
localhost: `api_server.base_url` in a spec, airflow.cfg, Helm `config:`, compose variables.

Why: logins, session cookies and API tokens cross the network in clear text; browsers also refuse secure
cookies on plain HTTP.

Bad:

    api_server:
      base_url: http://airflow.example.com

Good:

    api_server:
      base_url: https://airflow.example.com
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import Context, Hit, Rule

_LOCAL = ("localhost", "127.0.0.1", "0.0.0.0", "::1")


def _check(ctx: Context) -> Iterator[Hit]:
    for opt in ctx.options:
        if opt.name != "base_url" or opt.section not in ("api", "webserver") or not opt.value:
            continue
        if not opt.value.lower().startswith("http://"):
            continue
        from urllib.parse import urlsplit  # only a plain-HTTP URL gets here

        try:
            host = urlsplit(opt.value).hostname or ""
        except ValueError:
            continue
        if host not in _LOCAL:
            yield Hit(
                opt.at, f"{opt.label} serves the UI and API over plain HTTP ({opt.value}); use https://"
            )


RULE = Rule(
    id="AS106",
    name="plain-http-base-url",
    severity="warning",
    category="security",
    spec=_check,
    files={"airflow.cfg": _check, "helm-values": _check, "compose": _check},
)
