"""Small readings of option values that several rules share: Airflow's booleans and numbers, URL credentials,
durations, CPU quantities, and an option's effective value (what the input sets, else the version's default)."""

from __future__ import annotations

import re

from airspec.lint.model import Context, Opt, SpecContext, dig
from airspec.source import Span

PLACEHOLDER = re.compile(
    r"(your[_-].*[_-]here|change[_-]?me|replace[_-]?me|<[^>]+>|^x{3,}$|^todo$|^secret$|^password$)", re.I
)
DEFAULT_PASSWORDS = frozenset(
    {"airflow", "admin", "postgres", "password", "changeme", "root", "secret", "insecure"}
)


def airflow_bool(value: str | None) -> bool | None:
    """What Airflow's getboolean makes of a value (it drops a `#...` tail); None when it would refuse it."""
    from airspec.optvalue import boolean

    return None if value is None else boolean(value)


def parse_number(value: str | None) -> float | None:
    """An option's text as the number Airflow's getfloat reads, or None."""
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


def cpu(value: object) -> float | None:
    """A Kubernetes CPU quantity in cores: "500m" -> 0.5, "2" -> 2.0."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    try:
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        return None


def url_credentials(url: str | None) -> tuple[str, str] | None:
    """(user, password) of a URL that carries a password; None otherwise."""
    if not url or "://" not in url or "@" not in url:  # no user info, no password
        return None
    from urllib.parse import urlsplit  # only URLs that may carry credentials get here

    try:
        parts = urlsplit(url.strip())
        password = parts.password
    except ValueError:
        return None
    if not password:
        return None
    return parts.username or "", password


def effective(ctx: Context, section: str, name: str) -> tuple[str | None, Opt | None]:
    """The value Airflow would use, and the option that sets it (None when the version's default applies)."""
    opt = ctx.option(section, name)
    if opt is not None:
        return opt.value, opt
    known = None
    if ctx.catalog is not None:  # an old line may keep the option elsewhere (1.10: [core] remote_logging)
        places = [(section, name), *ctx.catalog.aliases(section, name)]
        known = next((o for o in (ctx.catalog.option(*p) for p in places) if o is not None), None)
    return (known.default if known else None), None


def logs_leave_pods(ctx: Context) -> bool:
    """Task logs are kept off the worker: remote logging on, or (Helm values) a log volume, or the chart's
    `elasticsearch.enabled`/`opensearch.enabled`, which turn on remote logging to that store."""
    value, _ = effective(ctx, "logging", "remote_logging")
    if airflow_bool(value) is True:
        return True
    if getattr(ctx, "kind", None) != "helm-values":
        return False
    data = getattr(ctx, "data", None)
    return any(dig(data, path) is True for path in _HELM_LOG_STORES)


_HELM_LOG_STORES = (
    ("logs", "persistence", "enabled"),
    ("elasticsearch", "enabled"),
    ("opensearch", "enabled"),
)


def first_place(ctx: Context, *places: tuple[str, str]) -> tuple[str, str] | None:
    """The first (section, option) of `places` that the target version knows."""
    if ctx.catalog is None:
        return None
    return next((p for p in places if ctx.catalog.option(*p) is not None), None)


def spec_span(ctx: SpecContext, *path: str | int) -> Span:
    """The value at `path` when the spec writes it, else the nearest key above it."""
    return ctx.value(*path) if ctx.has(*path) else ctx.key(*path)


_SUBSTITUTION_DEFAULT = re.compile(r"\$\{(?P<var>\w+):?-(?P<default>[^}]+)\}")


def secret_option(ctx: Context, section: str, name: str) -> bool:
    """Whether an option holds a secret: sensitive in the target version's catalog or in any line airspec knows
    (1.10 did not mark `[webserver] secret_key`; a literal one is a secret there too); for an option that version
    does not have (`[ldap] bind_password` of an older Airflow, another provider's), also when its name says so. A
    secret in the file is a secret whether or not Airflow reads it. `<option>_cmd` and `<option>_secret` name
    where the secret comes from, not the secret."""
    from airspec.catalog import sensitive_anywhere

    known = ctx.catalog.option(section, name) if ctx.catalog is not None else None
    if known is not None:
        return known.sensitive or sensitive_anywhere(section, name)
    if name.endswith(("_cmd", "_secret")):
        return False
    from airspec.mask import sensitive_name

    return sensitive_name(name) or sensitive_anywhere(section, name)


def weak_secret(value: str | None) -> str | None:
    """Why a secret value is a known default or a placeholder, or None."""
    if not value:
        return None
    text = value.strip()
    if PLACEHOLDER.search(text) and "://" not in text:
        return f"the placeholder {text!r}"
    creds = url_credentials(text)
    if creds is not None:
        user, password = creds
        if password.lower() in DEFAULT_PASSWORDS or (user and user == password):
            return f"the default credentials {user}:{password}"
        return None
    if text.lower() in DEFAULT_PASSWORDS:
        return f"the default password {text!r}"
    return None


def substitution_default(value: str | None) -> tuple[str, str] | None:
    """`${JWT:-airflow_jwt_secret}` -> ("JWT", "airflow_jwt_secret"): what compose uses when JWT is unset."""
    if not value:
        return None
    match = _SUBSTITUTION_DEFAULT.search(value)
    return (match.group("var"), match.group("default")) if match else None


def executors(ctx: Context) -> list[str]:
    """The executors a deployment runs; empty when the input does not say."""
    if isinstance(ctx, SpecContext):
        return list(ctx.resolved.executors)
    return ctx.executors


def same_value(a: str | None, b: str | None) -> bool:
    """Equal as Airflow would read them: booleans and numbers by meaning, text exactly (trimmed)."""
    if a is None or b is None:
        return True
    if airflow_bool(a) is not None and airflow_bool(b) is not None and a.strip().lower() not in ("0", "1"):
        return airflow_bool(a) == airflow_bool(b)
    if parse_number(a) is not None and parse_number(b) is not None:
        return parse_number(a) == parse_number(b)
    return a.strip() == b.strip()
