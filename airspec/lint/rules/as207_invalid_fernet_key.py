"""The fernet key is not a valid Fernet key.

Catches: a literal `[core] fernet_key` (spec `secrets.fernet_key` in development_only specs, airflow.cfg,
Helm `fernetKey`/`config:`, compose variables) that is not 32 bytes of URL-safe base64 (44 characters).

Why: Airflow encrypts connection passwords and variables with this key. An invalid key makes every start,
connection save and variable read fail with "Fernet key must be 32 url-safe base64-encoded bytes".

Bad:

    [core]
    fernet_key = my-secret-key

Good:

    [core]
    fernet_key_cmd = cat /run/secrets/fernet-key    # python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule, SpecContext


def valid_fernet_key(value: str) -> bool:
    import base64
    import binascii

    try:
        return len(base64.urlsafe_b64decode(value.strip().encode("ascii"))) == 32
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False


def _problem(value: str) -> str:
    return f"the fernet key {value[:12] + '...' if len(value) > 12 else value!r} is not 32 url-safe base64-encoded bytes; Airflow cannot encrypt or decrypt with it"


def check_spec(ctx: SpecContext) -> Iterator[Hit]:
    ref = ctx.resolved.spec.secrets.fernet_key
    if ref is not None and ref.literal is not None and ref.literal and not valid_fernet_key(ref.literal):
        yield Hit(ctx.value("secrets", "fernet_key"), _problem(ref.literal))


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    for opt in ctx.options:
        if (
            (opt.section, opt.name) == ("core", "fernet_key")
            and opt.value
            and not valid_fernet_key(opt.value)
        ):
            yield Hit(opt.at, _problem(opt.value))
    if ctx.kind == "helm-values":
        key = ctx.get("fernetKey")
        if isinstance(key, str) and key.strip() and "{{" not in key and not valid_fernet_key(key):
            yield Hit(ctx.value("fernetKey"), _problem(key))


RULE = Rule(
    id="AS207",
    name="invalid-fernet-key",
    severity="error",
    category="reliability",
    spec=check_spec,
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
