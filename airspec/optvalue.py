"""Whether a value is one Airflow can read for an option of a given type (the catalog's `type`).

One checker for validate (`config:` values) and lint (AS210), so that both agree with what Airflow accepts.
"""

from __future__ import annotations


def problem(kind: str, value: str | int | float | bool, shown: bool = True) -> str | None:
    """Why Airflow could not read `value` as `kind`, or None. `shown=False` (a sensitive option) keeps the value
    out of the message."""
    what = repr(value) if shown else "a value of another type"
    if kind == "boolean":
        if isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false")):
            return None
        return f"expected true or false, got {what}"
    if kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return None
        return f"expected an integer, got {what}"
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None
        try:
            float(str(value))
        except ValueError:
            return f"expected a number, got {what}"
    return None
