"""Load airflow.cfg files with the real Airflow and report lint messages and option values.

Run by the python of ``.venv-airflow`` (``apache-airflow==3.3.2``), never by the project's own venv.
One process handles many files, since importing Airflow takes about a second.

stdin: a JSON list ``[{"cfg": "/path/airflow.cfg", "read": [["section", "option"], ...]}, ...]``;
an entry may also give ``"airflow_home"`` (default ``/opt/airflow``, as in the official image), which
fills ``{AIRFLOW_HOME}`` in defaults such as ``core.dags_folder``.
stdout: a JSON list with one entry per input, in order::

    {"cfg": path,
     "lint": [message, ...],          # what `airflow config lint` reports for this file
     "lint_keys": ["section.option", ...],          # the rule behind each lint message, same order
     "values": {"section.option": value or null},   # conf.get() with interpolation, as Airflow reads it
     "type_errors": ["[section] option: ...", ...],  # set options that getboolean/getint/getfloat reject
     "warnings": ["Category: message", ...],        # warnings while loading, validating, reading
     "error": null or "ExceptionType: message"}     # first failure (parse error, conf.validate() refusal, ...)

Each file is read into a fresh ``AirflowConfigParser`` by ``airflow.configuration.initialize_config()``
with ``AIRFLOW_CONFIG`` pointed at it, then ``validate()`` runs as at Airflow start-up. Lint calls the
real ``lint_config`` of ``airflow/cli/commands/config_command.py`` with its module-level ``conf`` swapped
for the per-file parser and its console swapped for one that records the messages. ``type_errors``
converts every option the file sets whose config.yml type is boolean, integer or float (core and the
installed providers only) with Airflow's own getters, which is what Airflow's code does on use. The
declared types are incomplete: e.g. ``[logging] remote_logging`` is typed string yet read with
getboolean (a bad value there crashes every CLI start), so such options are not checked.

The caller's ``AIRFLOW__*`` variables are removed before Airflow is imported and again after each file
(``validate()`` writes upgraded values back into ``os.environ``). Airflow still expands ``$VARS`` and
``~`` in values, and runs ``*_cmd`` options of sensitive settings, exactly as it would in production.
Nothing touches a database: ``_AIRFLOW__AS_LIBRARY`` skips ``settings.initialize()``, so start-up
steps beyond the config parser (logging set-up, ORM) are not run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings
from typing import Any

_LINT_PREFIX = "  - [yellow]"
_LINT_SUFFIX = "[/yellow]"
# The other lines lint_config prints around the issues (verbose is off).
_LINT_FRAME = ("Found issues in your airflow.cfg", "Please update your configuration", "No issues found")
DEFAULT_AIRFLOW_HOME = "/opt/airflow"  # AIRFLOW_HOME of the official image, so defaults are stable


def _clear_airflow_env() -> None:
    for key in list(os.environ):
        if key.startswith("AIRFLOW__"):
            del os.environ[key]


_lint_lines: list[str] = []


class _RecordingConsole:
    """Stands in for ``AirflowConsole`` inside ``lint_config``: keeps the lines, prints nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def print(self, *objects: Any, **kwargs: Any) -> None:
        _lint_lines.append(" ".join(str(o) for o in objects))


def _lint(config_command: Any, parser: Any) -> tuple[list[str], list[str]]:
    """Return (messages, "section.option" of each message) from the real ``lint_config``."""
    saved_conf, saved_console = config_command.conf, config_command.AirflowConsole
    config_command.conf = parser
    config_command.AirflowConsole = _RecordingConsole
    _lint_lines.clear()
    try:
        with warnings.catch_warnings():
            # lint's own lookups of old names warn; those warnings say nothing about the file.
            warnings.simplefilter("ignore")
            config_command.lint_config(
                argparse.Namespace(
                    section=None, option=None, ignore_section=None, ignore_option=None, verbose=False
                )
            )
            # Same loop as lint_config, kept only to name the rule behind each message.
            keys, expected = [], []
            for change in config_command.CONFIGS_CHANGES:
                section, option = change.config.section, change.config.option
                if parser.has_option(section, option, lookup_from_deprecated=False):
                    message = change.message
                    if message is not None:
                        keys.append(f"{section}.{option}")
                        expected.append(message)
    finally:
        config_command.conf, config_command.AirflowConsole = saved_conf, saved_console
    messages = []
    for line in _lint_lines:
        if line.startswith(_LINT_PREFIX) and line.endswith(_LINT_SUFFIX):
            messages.append(line[len(_LINT_PREFIX) : -len(_LINT_SUFFIX)])
        elif not any(known in line for known in _LINT_FRAME):
            raise RuntimeError(f"unexpected line from lint_config (has Airflow changed it?): {line!r}")
    if messages != expected:
        raise RuntimeError(f"lint_config said {messages!r} but its rules give {expected!r}")
    return messages, keys


def _type_errors(parser: Any) -> list[str]:
    """Convert each option the file sets with the getter its declared config.yml type implies."""
    from airflow.exceptions import AirflowConfigException

    getters = {"boolean": parser.getboolean, "integer": parser.getint, "float": parser.getfloat}
    description = parser.configuration_description
    errors = []
    for section in parser.sections():
        known = description.get(section, {}).get("options", {})
        for option in parser.options(section):
            spec = known.get(option) or {}
            getter = getters.get(str(spec.get("type")))
            if getter is None:
                continue
            if not spec.get("default") and parser.get(section, option) == "":
                continue  # empty means unset where the default is empty too (default_task_execution_timeout)
            try:
                getter(section, option)
            except AirflowConfigException as exc:
                errors.append(f"[{section}] {option}: {exc}")
    return errors


def _probe_one(configuration: Any, config_command: Any, request: dict[str, Any]) -> dict[str, Any]:
    from airflow.exceptions import AirflowConfigException

    cfg = str(request["cfg"])
    reads = [(str(s), str(o)) for s, o in request.get("read", [])]
    airflow_home = str(request.get("airflow_home", DEFAULT_AIRFLOW_HOME))
    result: dict[str, Any] = {
        "cfg": cfg,
        "lint": [],
        "lint_keys": [],
        "values": {},
        "type_errors": [],
        "warnings": [],
        "error": None,
    }

    def fail(exc: BaseException) -> None:
        if result["error"] is None:
            result["error"] = f"{type(exc).__name__}: {exc}"

    saved = configuration.AIRFLOW_CONFIG, configuration.AIRFLOW_HOME
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if not os.path.isfile(cfg):
                # ConfigParser.read() skips missing files silently; Airflow would write a default one.
                raise FileNotFoundError(f"no such file: {cfg}")
            os.environ["AIRFLOW_CONFIG"] = cfg
            os.environ["AIRFLOW_HOME"] = airflow_home
            configuration.AIRFLOW_CONFIG = cfg
            configuration.AIRFLOW_HOME = airflow_home
            parser = configuration.initialize_config()
        except Exception as exc:
            fail(exc)
            parser = None
        if parser is not None:
            try:
                parser.validate()
            except Exception as exc:
                fail(exc)
            try:
                result["lint"], result["lint_keys"] = _lint(config_command, parser)
            except Exception as exc:
                fail(exc)
            try:
                result["type_errors"] = _type_errors(parser)
            except Exception as exc:
                fail(exc)
            for section, option in reads:
                try:
                    value = parser.get(section, option, suppress_warnings=True)
                except AirflowConfigException:
                    value = None
                except Exception as exc:
                    fail(exc)
                    value = None
                result["values"][f"{section}.{option}"] = value
    configuration.AIRFLOW_CONFIG, configuration.AIRFLOW_HOME = saved
    # dict.fromkeys: one get() may warn twice with the same text.
    result["warnings"] = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    _clear_airflow_env()
    return result


def main() -> int:
    requests = json.load(sys.stdin)
    if not isinstance(requests, list):
        print("airflow_probe: stdin must be a JSON list", file=sys.stderr)
        return 2
    # Anything Airflow prints goes to stderr; fd 1 carries only the JSON answer.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    _clear_airflow_env()
    with tempfile.TemporaryDirectory(prefix="airspec-probe-") as home:
        # The global conf that importing Airflow builds reads an empty file, not ~/airflow/airflow.cfg.
        empty_cfg = os.path.join(home, "airflow.cfg")
        open(empty_cfg, "w").close()
        os.environ["AIRFLOW_HOME"] = home
        os.environ["AIRFLOW_CONFIG"] = empty_cfg
        os.environ["_AIRFLOW__AS_LIBRARY"] = "1"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from airflow import configuration
            from airflow.cli.commands import config_command

        results = [_probe_one(configuration, config_command, req) for req in requests]
    json.dump(results, out, indent=1)
    out.write("\n")
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
