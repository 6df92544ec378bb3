"""image/Dockerfile: the reference image with the providers the spec lists, for every deployment to run.

The official image (apache/airflow:<version>-python<python>) carries a set of providers chosen per release. airspec
has no data tying that set to each Airflow release it targets, so it treats every provider the spec lists as one
to install: pip leaves one the image already has as it is, since the constraints pin the same version. The
Dockerfile installs them as Airflow's docs extend the image, `pip install "apache-airflow==<version>" <providers>
--constraint <constraints URL>`, the URL pattern of Airflow's installation docs (ci_workflow.CONSTRAINTS, which the
CI workflow installs under too). The image built is named by airflow.image (repository:tag); docker-compose builds
it from this folder, Helm values and pod templates name it.

Written from a jinja2 template shipped in the package (templates/Dockerfile.j2), in a sandbox with undefined names
as errors; spec values reach it as data only, never as template text.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from airspec.render.airflow_cfg import header
from airspec.render.ci_workflow import CONSTRAINTS, provider_packages
from airspec.resolve import Resolved

PATH = "image/Dockerfile"
FOLDER = "image"  # the build context, relative to OUT
TEMPLATE = "Dockerfile.j2"

if TYPE_CHECKING:
    import jinja2.sandbox


def applies(resolved: Resolved) -> bool:
    """Whether the spec needs an image of its own: any provider listed (see the module docstring)."""
    return bool(resolved.spec.airflow.providers)


def base_image(resolved: Resolved) -> str:
    return f"apache/airflow:{resolved.airflow_version}-python{resolved.spec.airflow.python_version}"


def constraints_url(resolved: Resolved) -> str:
    return CONSTRAINTS.format(airflow=resolved.airflow_version, python=resolved.spec.airflow.python_version)


def packages(resolved: Resolved) -> list[str]:
    """What pip installs: Airflow pinned to the image's release, then the providers' pip names."""
    return [
        f"apache-airflow=={resolved.airflow_version}",
        *provider_packages(resolved.spec.airflow.providers),
    ]


@functools.cache
def _environment() -> jinja2.sandbox.SandboxedEnvironment:
    # Imported here, not at the top: only specs with providers need it, and importing it took 0.24-0.31 s on the shared build machine.
    import jinja2
    import jinja2.sandbox

    return jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.PackageLoader("airspec.render", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(resolved: Resolved) -> str:
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            header=header(resolved),
            image=f"{resolved.image_repository}:{resolved.image_tag}",
            base=base_image(resolved),
            packages=packages(resolved),
            constraints=constraints_url(resolved),
        )
    )
