"""The Fernet key is set to an empty string, so connections and variables are stored unencrypted.

Catches: `[core] fernet_key =` with nothing after it (and no `fernet_key_cmd` or `fernet_key_secret`) in
airflow.cfg; `AIRFLOW__CORE__FERNET_KEY: ''` in compose (as the quick-start file has it) or in Helm `env`.

Why: with an empty key Airflow writes connection passwords and variable values into the metadata database in
clear text (it only logs a warning), and a key added later does not encrypt what is already stored.

Bad:

    AIRFLOW__CORE__FERNET_KEY: ''

Good:

    AIRFLOW__CORE__FERNET_KEY: ${AIRFLOW_FERNET_KEY:?generate one with cryptography.fernet.Fernet.generate_key()}
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule


def check(ctx: FileContext) -> Iterator[Hit]:
    if ctx.option("core", "fernet_key_cmd") or ctx.option("core", "fernet_key_secret"):
        return
    opt = ctx.option("core", "fernet_key")
    if opt is not None and opt.raw.strip().strip("'\"").strip() == "":
        yield Hit(
            opt.at if ctx.kind != "airflow.cfg" else opt.key,
            f"{opt.label} is empty: connection passwords and variables are stored unencrypted; "
            "set a Fernet key (from a secret)",
        )


RULE = Rule(
    id="AS108",
    name="empty-fernet-key",
    severity="warning",
    category="security",
    files={"airflow.cfg": check, "compose": check, "helm-values": check},
)
