"""Whether Airflow can read an option's value as the type its config.yml declares: the one check that validate
(a spec's `config:`) and lint (AS210: airflow.cfg, Helm `config:`, AIRFLOW__ variables) share.

What Airflow 3.3's getters accept (`getboolean`, `getint`, `getfloat` in airflow/_shared/configuration/parser.py),
applied to the text get() returns:

- boolean: the text lower-cased and stripped, cut at the first `#` and stripped again, is `t`, `true` or `1`
  (True) or `f`, `false` or `0` (False). So `True`, ` TRUE `, `t`, `1`, `false # note` are read; `yes`, `on`, `2`
  and the empty text are not.
- integer: `int(text)` works (white space around it, a sign, `_` between digits, any Unicode decimal digits:
  `16`, ` -3 `, `1_000`, `٣`), or `float(text)` works and is a whole number (`16.0`, `1e3`, `-0.0`); `16.5`,
  `inf`, `nan`, `0x10` and the empty text are not.
- float: `float(text)` works: `1.5`, `1e-3`, `1_000.5`, `inf`, `-Infinity`, `nan` too; `1,5` and `` are not.

A spec value is judged as the text airspec writes into airflow.cfg (resolve.config_value): `true` as `True`, `16.0`
as `16`. The `string` type takes anything.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airspec.catalog import Option

Value = str | int | float | bool
EXPECTED = {
    "boolean": "expected true or false (or t/f, 1/0)",
    "integer": "expected an integer",
    "float": "expected a number",
}
_TRUE = ("t", "true", "1")
_FALSE = ("f", "false", "0")


def cfg_text(value: Value) -> str:
    """A spec value as airflow.cfg holds it (what resolve.config_value writes)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def boolean(text: str) -> bool | None:
    """What Airflow's getboolean returns for `text`; None where it raises."""
    val = text.lower().strip()
    if "#" in val:
        val = val.split("#")[0].strip()
    if val in _TRUE:
        return True
    if val in _FALSE:
        return False
    return None


def reads_as(kind: str, text: str) -> bool:
    """Whether Airflow's getter for `kind` returns (rather than raises) on `text`, the value get() returned."""
    if kind == "boolean":
        return boolean(text) is not None
    if kind == "integer":
        try:
            int(text)
            return True
        except ValueError:
            pass
        try:
            number = float(text)
            return number == int(number)
        except (ValueError, OverflowError):
            return False
    if kind == "float":
        try:
            float(text)
            return True
        except ValueError:
            return False
    return True


def problem(type: str, value: Value) -> str | None:
    """What is wrong with `value` for an option of catalog type `type` ("string", "boolean", "integer", "float"),
    as Airflow would find it on reading; None when Airflow reads it. The message never quotes the value."""
    if type not in EXPECTED:
        return None
    try:
        text = cfg_text(value)
    except ValueError:  # an int with more digits than Python converts to text (sys.get_int_max_str_digits)
        return f"{EXPECTED[type]} of at most {sys.get_int_max_str_digits()} digits"
    return None if reads_as(type, text) else EXPECTED[type]


def check(option: Option, value: Value) -> str | None:
    """problem() for a catalog option, with the value quoted unless the option is sensitive. An empty value where
    the default is empty too means "unset", which Airflow's code reads with a fallback: not a problem."""
    if value == "" and not option.default:
        return None
    found = problem(option.type, value)
    if found is None or option.sensitive:
        return found
    return f"{found}, got {shown(value)}"


def shown(value: Value, limit: int = 60) -> str:
    """The value for a message: repr (one line), cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
