"""Which values are secrets, and masking them (`***`): the one module that lint, validate, diff and error messages
ask. A secret leaves airspec only through `diff --show-secrets`; every other message names the field, never the value.

A value is sensitive when the catalog marks its airflow.cfg option sensitive, or when the name that holds it says so:
password, secret, token, fernet_key, sql_alchemy_conn, broker_url, result_backend, connection, key, ... A name that
ends in `name`, `ref`, `file` or `path` holds a reference (`fernetKeySecretName`), not the secret, and an entry under
`valueFrom`/`secretKeyRef` names a Kubernetes Secret without holding it. Passwords inside URLs
(`postgresql://user:pw@host`) are masked wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from airspec.envopt import env_option

if TYPE_CHECKING:
    from airspec.catalog import Catalog

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
    "keytab",
    "webhook",
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
# A URL's userinfo (`user:password@`, or a token alone: `https://TOKEN@host`), for collecting secrets.
_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?P<userinfo>[^/?#@\s]*)@")


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


def option_sensitive(section: str, name: str, catalog: Catalog | None = None) -> bool:
    """Whether an airflow.cfg option holds a secret: by its name, as the catalog of its line says, or as any line
    airspec knows says (a spec that did not validate has no line yet; 1.10 did not mark `[webserver] secret_key`,
    which holds a secret all the same)."""
    if sensitive_name(name):
        return True
    if catalog is not None:
        option = catalog.option(section, name)
        if option is not None and option.sensitive:
            return True
    from airspec.catalog import sensitive_anywhere

    return sensitive_anywhere(section.lower(), name.lower())


def leaves(value: Any) -> Iterator[str]:
    """Every scalar inside `value`, as text: what a secret field holds, however deep."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    elif value is not None and value != "":
        yield str(value)


def url_secrets(text: str) -> Iterator[str]:
    """The userinfo of every URL in `text`, and the password in it."""
    for match in _USERINFO.finditer(text):
        userinfo = match.group("userinfo")
        if userinfo:
            yield userinfo
            if ":" in userinfo:
                yield userinfo.split(":", 1)[1]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret in it (as written, or as repr() escapes it) replaced by the mask, and URL passwords
    masked. The last line of defence: messages should not name secret values in the first place."""
    forms: set[str] = set()
    for secret in secrets:
        for form in (secret, repr(secret)[1:-1], secret.strip()):
            if len(form) >= _SCRUB_MIN:
                forms.add(form)
    for form in sorted(forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, MASK)
    return redact_urls(text)


# Shorter values are not searched for in text (a 2-character "secret" would mask every word holding it); the
# messages themselves never quote a sensitive value.
_SCRUB_MIN = 4


class Masker(NamedTuple):  # not a dataclass: see loader.Loaded
    show: bool
    catalog: Catalog | None = None

    def option_sensitive(self, section: str, name: str) -> bool:
        return option_sensitive(section, name, self.catalog)

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
        if not isinstance(value, str):
            return value
        return MASK if embeds_secret(value) else redact_urls(value)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNED = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[:=]")


def embeds_secret(text: str) -> bool:
    """Text that sets a sensitive name: a block of variables or YAML (`extraEnv`, a ConfigMap's data) naming
    one (`AWS_SECRET_ACCESS_KEY`), or a line assigning one (`password=...`)."""
    names = _NAME.findall(text) if "\n" in text else _ASSIGNED.findall(text)
    return any(sensitive_name(n) or _sets_sensitive_option(n) for n in names)


def _sets_sensitive_option(env_name: str) -> bool:
    place = env_option(env_name.upper())
    return place is not None and option_sensitive(*place)


def tree_secrets(data: Any, sensitive: Callable[[tuple[Any, ...]], bool]) -> Iterator[str]:
    """Every secret value in a YAML tree: whatever is at or below a path `sensitive` says holds one, text that
    embeds one, and the userinfo of every URL. A list item with a `name` (an env entry) is stepped into by it."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if path and sensitive(path):
            yield from leaves(node)
        elif isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            for i, item in enumerate(node):
                name = item.get("name") if isinstance(item, dict) else None
                if isinstance(item, dict) and isinstance(name, str):
                    stack.extend(((*path, name, k), v) for k, v in item.items() if k != "name")
                else:
                    stack.append(((*path, i), item))
        elif isinstance(node, str):
            if embeds_secret(node):
                yield node
            yield from url_secrets(node)
