"""Ask the real Airflow (3.3.2, `.venv-airflow`) how it reads values and environment variable names, in one process.

Run by the python of ``.venv-airflow``, never by the project's own venv, on a throwaway AIRFLOW_HOME with an
empty airflow.cfg and no ``AIRFLOW__*`` variables of the caller.

stdin: ``{"env": {NAME: value}, "reads": [[section, option], ...], "typed": [[type, value], ...]}``
stdout: ``{"reads": [value or null, ...], "typed": [true when Airflow's getter accepts the value, ...]}``

- ``env`` is put into os.environ before the reads; ``reads`` is ``conf.get(section, option)`` for each pair (null
  when Airflow has no value), so a test learns which option each variable sets;
- ``typed`` sets each value on an option of its own and reads it back with ``conf.getboolean`` (type
  ``boolean``), ``conf.getint`` (``integer``) or ``conf.getfloat`` (``float``): true when that returns, false when
  it raises AirflowConfigException. Values go in with ``%`` doubled, so the getter sees them exactly; a value
  with ``$`` or ``~`` would be expanded by Airflow first (callers leave those out).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings


def main() -> int:
    request = json.load(sys.stdin)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything Airflow prints goes to stderr
    sys.stdout = sys.stderr
    for key in list(os.environ):
        if key.startswith("AIRFLOW__"):
            del os.environ[key]
    with tempfile.TemporaryDirectory(prefix="airspec-values-") as home:
        cfg = os.path.join(home, "airflow.cfg")
        open(cfg, "w").close()
        os.environ.update({"AIRFLOW_HOME": home, "AIRFLOW_CONFIG": cfg, "_AIRFLOW__AS_LIBRARY": "1"})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from airflow.configuration import conf
            from airflow.exceptions import AirflowConfigException

            os.environ.update(request.get("env", {}))
            reads = []
            for section, option in request.get("reads", []):
                reads.append(conf.get(section, option, fallback=None, suppress_warnings=True))
            getters = {"boolean": conf.getboolean, "integer": conf.getint, "float": conf.getfloat}
            typed = []
            conf.add_section("airspec_probe")
            for index, (kind, value) in enumerate(request.get("typed", [])):
                option = f"airspec_probe_{index}"
                conf.set("airspec_probe", option, value.replace("%", "%%"))
                try:
                    getters[kind]("airspec_probe", option)
                    typed.append(True)
                except AirflowConfigException:
                    typed.append(False)
    json.dump({"reads": reads, "typed": typed}, out)
    out.write("\n")
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
