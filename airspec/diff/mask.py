"""Which values are secrets, and masking them (`***`) before anything leaves the diff.

A value is sensitive when the catalog marks its airflow.cfg option sensitive, or when the name that holds it says so:
password, secret, token, fernet_key, sql_alchemy_conn, broker_url, result_backend, connection, key, ... A name that
ends in `name`, `ref`, `file` or `path` holds a reference (`fernetKeySecretName`), not the secret, and an entry under
`valueFrom`/`secretKeyRef` names a Kubernetes Secret without holding it. Passwords inside URLs
(`postgresql://user:pw@host`) are masked wherever they appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from airspec.catalog import Catalog
from airspec.envopt import env_option

MASK = "***"

# Substrings of the normalised name (lower case, `_` between words) that make it sensitive.
_WORDS = (
    "password",
    "passwd",
    "secret",
    "token",
    "fernet_key",
    "sql_alchemy_conn",
    "broker_url",
    "result_backend",
    "connection",
    "credential",
    "private_key",
)
# Whole words that make it sensitive (`api_key`, `AIRFLOW_CONN_X`, `data.metadataConnection.pass`).
_TOKENS = frozenset({"key", "pass", "pwd", "conn"})
# A last word that makes it a reference to a secret rather than the secret.
_REFERENCE_ENDS = frozenset({"name", "names", "ref", "file", "path", "id"})
# Keys under which Kubernetes names a Secret (or ConfigMap) without holding its value.
_REFERENCES = frozenset({"valueFrom", "secretKeyRef", "configMapKeyRef", "secretRef", "configMapRef"})

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SPLIT = re.compile(r"[^a-z0-9]+")
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@")


def words(name: str) -> list[str]:
    return [w for w in _SPLIT.split(_CAMEL.sub(r"\1_\2", name).lower()) if w]


def sensitive_name(name: str) -> bool:
    parts = words(name)
    if not parts or parts[-1] in _REFERENCE_ENDS:
        return False
    joined = "_".join(parts)
    return any(w in joined for w in _WORDS) or any(p in _TOKENS for p in parts)


def redact_urls(text: str) -> str:
    return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK + "@", text)


@dataclass(frozen=True)
class Masker:
    show: bool
    catalog: Catalog

    def option_sensitive(self, section: str, name: str) -> bool:
        option = self.catalog.option(section, name)
        return (option is not None and option.sensitive) or sensitive_name(name)

    def option(self, section: str, name: str, value: Any) -> Any:
        if self.show or value is None or value == "":  # an empty value hides nothing, and says a lot
            return value
        if self.option_sensitive(section, name):
            return MASK
        return self._scrub(value)

    def tree(self, path: tuple[Any, ...], value: Any) -> Any:
        """Mask `value`, found at `path` in a YAML artifact, and anything sensitive inside it."""
        if self.show or value is None or value == "":
            return value
        if self.path_sensitive(path):
            return MASK
        if isinstance(value, dict):
            return {k: self.tree((*path, k), v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.tree((*path, i), v) for i, v in enumerate(value)]
        return self._scrub(value)

    def path_sensitive(self, path: tuple[Any, ...]) -> bool:
        # Items keyed by their content (tolerations, ports) are not names; a named item (env) is.
        names = [p for p in path if isinstance(p, str) and not getattr(p, "by_content", False)]
        if any(n in _REFERENCES for n in names):
            return False
        if len(names) >= 3 and names[0] == "config" and len(path) == 3:
            # Helm values `config.<section>.<option>`: the catalog knows which options are secret.
            return self.option_sensitive(names[1], names[2])
        if not names:
            return False
        leaf = names[-1]
        # `env[NAME].value`: the variable's name says what the value is.
        if leaf == "value" and len(names) >= 2:
            leaf = names[-2]
        # Read leniently (any case): a variable Airflow ignores may still hold a secret worth masking.
        place = env_option(leaf.upper())
        return sensitive_name(leaf) or (place is not None and self.option_sensitive(*place))

    def text(self, value: str) -> str:
        return value if self.show else redact_urls(value)

    def _scrub(self, value: Any) -> Any:
        return redact_urls(value) if isinstance(value, str) else value
