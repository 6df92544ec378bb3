"""What compile writes for a spec: every Airflow option of its artifacts. airflow.cfg and Helm `config:` hold the
resolved options (`Resolved.sections()`, what both renderers write); a compose file adds the options only compose
knows (the bundled services' connections, the execution API URL, the scheduler's health check), read from the
environment its renderer builds. (Read as data, not by rendering the artifacts and reading the text back: that cost
an import ~15-25 ms, a YAML dump and parse of the values and of the compose file.)"""

from __future__ import annotations

from typing import Any

from airspec.envopt import env_option
from airspec.lint.inputs import env_ref


def written(resolved: Any) -> dict[tuple[str, str], str]:
    out = {(o.section, o.name): o.value for o in resolved.options}
    if "compose" not in resolved.spec.targets:
        return out
    from airspec.render.compose import base_document

    for service in base_document(resolved)["services"].values():
        for name, value in (service.get("environment") or {}).items():
            place = env_option(name)
            if place is None or not isinstance(value, str) or env_ref(value):
                continue  # not an option, or a `${VAR}` whose value is not in the file
            out.setdefault(place, value.replace("$$", "$"))
    return out
