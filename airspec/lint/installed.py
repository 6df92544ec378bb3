"""Which Airflow providers a deployment installs, when its folder says so completely: a Dockerfile built on a slim
Airflow image (core Airflow only, by the image's documentation) or on a plain Python image, or a pip-installed
Airflow (a requirements file that pins `apache-airflow` itself), with the packages its requirements files and
`pip install` lines name. None when the folder cannot tell (the regular `apache/airflow` image ships a set of
providers airspec has no facts about; an extra it cannot place). Read as text, only when a rule asks.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

# Extras of apache-airflow that install none of the remote-log providers (checked against apache-airflow 3.3.2's
# own metadata by tests/test_lint_installed.py); an extra named after a provider installs that provider.
QUIET_EXTRAS = frozenset(
    [
        "apache-spark",
        "async",
        "celery",
        "cncf-kubernetes",
        "common-sql",
        "docker",
        "fab",
        "git",
        "github",
        "graphviz",
        "http",
        "kerberos",
        "ldap",
        "mysql",
        "odbc",
        "openlineage",
        "otel",
        "pandas",
        "postgres",
        "rabbitmq",
        "redis",
        "sentry",
        "sftp",
        "slack",
        "smtp",
        "ssh",
        "standard",
        "statsd",
    ]
)
_MAX = 512 * 1024


class Installed(NamedTuple):
    providers: frozenset[str]  # "amazon", "microsoft-azure": normalised names, as extras are
    extras: frozenset[str]
    source: str  # how the folder installs Airflow, for messages


def normalise(name: str) -> str:
    """PEP 503/685: `Microsoft.Azure` -> `microsoft-azure`."""
    return re.sub(r"[-_.]+", "-", name).lower().strip("-")


def _read(path: str) -> str:
    try:
        if os.path.getsize(path) > _MAX:
            return ""
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _packages(text: str) -> list[tuple[str, frozenset[str]]]:
    """(package, extras) of every apache-airflow requirement in requirement lines or `pip install` arguments."""
    found = []
    for match in re.finditer(
        r"(?<![\w./-])(apache[-_.]airflow(?:[-_.]providers[-_.][\w.-]+)?)(\[[^\]]*\])?", text, re.I
    ):
        extras = frozenset(normalise(e) for e in (match.group(2) or "").strip("[]").split(",") if e.strip())
        found.append((normalise(match.group(1)), extras))
    return found


def of_folder(folder: str, image: str | None = None) -> Installed | None:
    """What the deployment in `folder` installs. `image`: the Airflow image the linted file runs, if it names one
    (a compose service's, Helm's `images.airflow`)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    dockerfiles = [n for n in names if n.lower().startswith(("dockerfile", "containerfile"))]
    requirements = [n for n in names if n.lower().startswith("requirements") and n.endswith((".txt", ".in"))]
    texts = [_read(os.path.join(folder, n)) for n in requirements]
    base = image
    source = ""
    if dockerfiles and (image is None or "apache/airflow" not in image):
        docker = _read(os.path.join(folder, dockerfiles[0]))
        froms = re.findall(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)", docker, re.M | re.I)
        base, source = (
            (froms[-1] if froms else None),
            f"{dockerfiles[0]} (FROM {froms[-1] if froms else '?'})",
        )
        texts.append("\n".join(line for line in docker.splitlines() if "install" in line))
    packages = [p for text in texts for p in _packages(text)]
    airflow = [extras for name, extras in packages if name == "apache-airflow"]
    if base is not None and "apache/airflow" in base:
        tag = base.rpartition(":")[2] if ":" in base.rpartition("/")[2] else ""
        if not tag.startswith("slim"):
            return None  # the regular image's providers are not known here
        source = source or f"the image {base}"
    elif not airflow:
        return None  # Airflow comes from somewhere this folder does not show
    else:
        source = source or f"{', '.join(requirements)} (pip-installed Airflow)"
    extras = frozenset(e for group in airflow for e in group)
    providers = frozenset(
        name.removeprefix("apache-airflow-providers-") for name, _ in packages if name != "apache-airflow"
    )
    return Installed(providers, extras, source)


def provides(installed: Installed, provider: str, quiet: frozenset[str] = frozenset()) -> bool | None:
    """Whether `provider` ("microsoft.azure") is installed: True, False, or None when an extra could install it
    (one neither in QUIET_EXTRAS nor in `quiet`, the caller's extras known not to)."""
    name = normalise(provider)
    if name in installed.providers or name in installed.extras:
        return True
    if installed.extras - QUIET_EXTRAS - quiet:
        return None
    return False
