"""The one reading of `AIRFLOW__SECTION__OPTION` environment variable names: which airflow.cfg option a variable
sets, as Airflow 3.3 decides it (and, for import and diff, a compose `environment:` list read as a mapping).

Airflow never parses a variable's name to find an option; it builds the name from the option it is asked for
(`_env_var_name` in airflow/_shared/configuration/parser.py) and looks that name up in os.environ:

    AIRFLOW__ + section.replace(".", "_").upper() + "__" + option.upper()

then, for sensitive options only, the same name + `_CMD` (a command whose output is the value) and + `_SECRET` (a
path in the secrets backend). So a variable sets an option exactly when its name is what Airflow builds for it:

- the name is case-sensitive: `AIRFLOW__core__parallelism` is never read;
- the section is what lies between `AIRFLOW__` and the next `__` (as `airflow config list` splits it); the rest is
  the option, which may itself hold `__`; neither may be empty;
- `AIRFLOW__<TEAM>___<SECTION>__<OPTION>` (three underscores) is a multi-team override, not the option itself;
- `AIRFLOW__CORE__FERNET_KEY_CMD` names the option `fernet_key_cmd`; it sets `fernet_key` through a command only
  because fernet_key is sensitive (see `indirect`; the catalog says which options are).

No section of any Airflow version has a `.`, so a name maps back to one section.
"""

from __future__ import annotations

from typing import Any

PREFIX = "AIRFLOW__"
INDIRECT = {"_cmd": "cmd", "_secret": "secret"}


def env_name(section: str, option: str) -> str:
    """The variable Airflow reads for `[section] option` (Airflow's `_env_var_name`)."""
    return f"{PREFIX}{section.replace('.', '_').upper()}__{option.upper()}"


def env_option(name: str) -> tuple[str, str] | None:
    """`AIRFLOW__CORE__FERNET_KEY` -> ("core", "fernet_key"): the option whose lookup reads this variable; None
    when Airflow reads no option from it."""
    if not name.startswith(PREFIX):
        return None
    section, sep, option = name[len(PREFIX) :].partition("__")
    if not sep or not section or not option or option.startswith("_"):
        return None  # no option part, or a team's override (three underscores)
    place = section.lower(), option.lower()
    if env_name(*place) != name:
        return None  # lower-case letters (Airflow builds names in upper case), or characters upper() changes
    return place


def indirect(option: str) -> tuple[str, str] | None:
    """`fernet_key_cmd` -> ("fernet_key", "cmd"): the option a `_cmd` / `_secret` name supplies, when that option
    is sensitive (the caller checks); None for other names."""
    for suffix, how in INDIRECT.items():
        if option.endswith(suffix) and len(option) > len(suffix):
            return option.removesuffix(suffix), how
    return None


def compose_environment(value: Any) -> Any:
    """A compose service's `environment:` as a mapping: the list form (`- NAME=value`, or `- NAME` for a variable
    passed through from the shell: None) read as compose reads it. Anything else (a mapping, or a list holding a
    non-string, which compose refuses) is returned unchanged for the caller to judge."""
    if not isinstance(value, list):
        return value
    out: dict[str, Any] = {}
    for item in value:
        if not isinstance(item, str):
            return value
        name, sep, text = item.partition("=")
        out[name] = text if sep else None
    return out
