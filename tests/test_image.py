"""image/Dockerfile, read by real consumers: hadolint (which runs ShellCheck on the RUN line), BuildKit's own
Dockerfile parser (the `dockerfile` package wraps moby/buildkit's Go parser), pip's own option parser for the
install command, and `packaging` for each requirement. The constraints URL and the pip command are compared with
the install command Airflow documents. No Docker engine is here, so the image is never built: what is proven is
that the file parses as Docker would parse it, lints clean, and asks pip for what the spec lists."""

from __future__ import annotations

import posixpath
import shlex
from pathlib import Path
from typing import Any

import dockerfile
import jinja2
import jinja2.sandbox
import pytest
from packaging.requirements import Requirement
from ruamel.yaml import YAML

from airspec import pipeline
from airspec.artifacts import Artifact, build
from airspec.errors import SpecInvalid
from airspec.render import image
from airspec.resolve import Resolved
from tests.conftest import EXAMPLES, ROOT
from tests.validators import run_tool, tool

# Airflow's installation docs (docs/apache-airflow/installation/installing-from-pypi.rst, "Installation tools"),
# the recipe every Airflow release documents; the docker-stack docs ("Building the image") extend the image with
# the same `pip install "apache-airflow==${AIRFLOW_VERSION}" ...` and `--no-cache-dir`.
DOCUMENTED_URL = "https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt"
DOCUMENTED_INSTALL = 'pip install "apache-airflow==${AIRFLOW_VERSION}" --constraint "${CONSTRAINT_URL}"'

SPECS = {
    "helm-3.3": """\
name: img
airflow:
  version: "3.3"
  image: {repository: registry.example.com/team/airflow, tag: "2024-06-01"}
  providers: [google, cncf.kubernetes, apache-airflow-providers-postgres]
  python_version: "3.11"
targets: [helm]
ci: {}
""",
    "compose-2.11": """\
name: img2
development_only: true
airflow:
  version: "2.11"
  image: {repository: local/airflow}
  providers: [amazon]
targets: [compose, helm]
""",
}


def _example(name: str) -> Resolved:
    return pipeline.resolved(str(ROOT / "examples" / name / "airflow-spec.yaml"))


def cases() -> dict[str, Resolved]:
    out = {name: _example(name) for name in EXAMPLES}
    out.update({name: pipeline.from_text(text, "variant.yaml") for name, text in SPECS.items()})
    return out


CASES = cases()
WITH_PROVIDERS = sorted(name for name, r in CASES.items() if r.spec.airflow.providers)
WITH_CI = [name for name in WITH_PROVIDERS if CASES[name].spec.ci is not None]


def artifacts(resolved: Resolved) -> dict[str, Artifact]:
    return {a.kind: a for a in build(resolved)}


def dockerfile_of(case: str) -> str:
    return artifacts(CASES[case])["image"].text


def documented(resolved: Resolved) -> tuple[str, str]:
    """The documented constraints URL and install command, with this spec's release and Python substituted."""
    values = {
        "AIRFLOW_VERSION": resolved.airflow_version,
        "PYTHON_VERSION": resolved.spec.airflow.python_version,
    }
    url = DOCUMENTED_URL
    for name, value in values.items():
        url = url.replace("${" + name + "}", value)
    command = DOCUMENTED_INSTALL.replace("${AIRFLOW_VERSION}", values["AIRFLOW_VERSION"])
    return url, command.replace("${CONSTRAINT_URL}", url)


def test_every_spec_with_providers_gets_an_image_and_no_other() -> None:
    assert WITH_PROVIDERS, "no case lists providers"
    for name, resolved in CASES.items():
        kinds = artifacts(resolved)
        assert ("image" in kinds) == bool(resolved.spec.airflow.providers), name
        if "image" in kinds:
            assert kinds["image"].path == "image/Dockerfile"


@pytest.mark.parametrize("case", WITH_PROVIDERS)
def test_hadolint_finds_nothing(case: str, tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile_of(case), encoding="utf-8")
    proc = run_tool([tool("hadolint"), "--no-color", path])
    assert proc.returncode == 0 and not proc.stdout, proc.stdout + proc.stderr


def test_hadolint_reads_the_run_line(tmp_path: Path) -> None:
    """Without its --constraint, the same command gets DL3013 (pin versions in pip): so hadolint did read the pip
    command, and takes the constraints file for the pins it is."""
    text = dockerfile_of("kubernetes-helm")
    start = text.index("    --constraint")
    path = tmp_path / "Dockerfile"
    path.write_text(text[:start].rstrip(" \\\n") + "\n", encoding="utf-8")
    proc = run_tool([tool("hadolint"), "--no-color", path])
    assert proc.returncode == 1, proc.stdout
    assert {line.split()[1] for line in proc.stdout.splitlines()} == {"DL3013"}


def install_words(text: str) -> list[str]:
    """The instructions as BuildKit parses them: one FROM, one RUN; the RUN line split as /bin/sh splits it."""
    commands = dockerfile.parse_string(text)
    assert [c.cmd for c in commands] == ["FROM", "RUN"]
    run = commands[1]
    assert not run.json and not run.flags and len(run.value) == 1
    return shlex.split(run.value[0])


@pytest.mark.parametrize("case", WITH_PROVIDERS)
def test_buildkit_reads_the_base_image_and_the_install(case: str) -> None:
    resolved = CASES[case]
    commands = dockerfile.parse_string(dockerfile_of(case))
    assert commands[0].value == (
        f"apache/airflow:{resolved.airflow_version}-python{resolved.spec.airflow.python_version}",
    )
    words = install_words(dockerfile_of(case))
    assert words[:3] == ["pip", "install", "--no-cache-dir"]


def pip_parse(words: list[str]) -> tuple[list[str], list[str], Any]:
    """pip's own option parser: (requirements, constraints the command adds, options)."""
    from pip._internal.commands import create_command

    def parse(args: list[str]) -> tuple[Any, list[str]]:
        options, rest = create_command("install", isolated=True).parse_args(args)
        return options, rest

    baseline, _ = parse([])  # the machine's pip configuration may add constraints of its own
    options, requirements = parse(words)
    added = [c for c in options.constraints if c not in baseline.constraints]
    return requirements, added, options


@pytest.mark.parametrize("case", WITH_PROVIDERS)
def test_pip_installs_airflow_pinned_and_every_provider_under_the_documented_constraints(case: str) -> None:
    resolved = CASES[case]
    words = install_words(dockerfile_of(case))
    requirements, constraints, options = pip_parse(words[2:])
    url, command = documented(resolved)
    assert constraints == [url]
    assert options.cache_dir is False
    parsed = [Requirement(r) for r in requirements]
    assert parsed[0].name == "apache-airflow" and str(parsed[0].specifier) == f"=={resolved.airflow_version}"
    providers = sorted(r.name for r in parsed[1:])
    assert providers == sorted(image.provider_packages(resolved.spec.airflow.providers))
    assert all(r.name.startswith("apache-airflow-providers-") and not r.specifier for r in parsed[1:])
    # The documented command, with --no-cache-dir and the providers after the pinned Airflow requirement.
    documented_words = shlex.split(command)
    assert words == [
        *documented_words[:2],
        "--no-cache-dir",
        documented_words[2],
        *requirements[1:],
        *documented_words[3:],
    ]


@pytest.mark.parametrize("case", WITH_CI)
def test_ci_workflow_installs_the_same_providers(case: str) -> None:
    kinds = artifacts(CASES[case])
    requirements, _, _ = pip_parse(install_words(kinds["image"].text)[2:])
    for requirement in requirements:
        assert f'"{requirement}"' in kinds["ci-workflow"].text


@pytest.mark.parametrize("case", WITH_PROVIDERS)
def test_deployments_run_the_image_built_from_it(case: str) -> None:
    resolved = CASES[case]
    kinds = artifacts(resolved)
    name = f"{resolved.image_repository}:{resolved.image_tag}"
    assert not name.startswith("apache/airflow:")
    assert f"docker build -t {name} ." in kinds["image"].text
    yaml = YAML(typ="safe", pure=True)
    if "helm-values" in kinds:
        values = yaml.load(kinds["helm-values"].text)
        assert (values["defaultAirflowRepository"], values["defaultAirflowTag"]) == (
            resolved.image_repository,
            resolved.image_tag,
        )
    if "compose" in kinds:
        compose = yaml.load(kinds["compose"].text)
        folder = posixpath.dirname(kinds["compose"].path)
        airflow = [s for s in compose["services"].values() if "command" in s and "build" in s]
        assert len(airflow) >= 3
        for service in airflow:
            assert service["image"] == name
            context = posixpath.normpath(posixpath.join(folder, service["build"]["context"]))
            assert posixpath.join(context, "Dockerfile") == kinds["image"].path
        assert {n for n, s in compose["services"].items() if "build" in s} == {
            n for n, s in compose["services"].items() if s["image"] == name
        }
    if "pod-template" in kinds:
        pod = yaml.load(kinds["pod-template"].text)
        assert pod["spec"]["containers"][0]["image"] == name


def test_without_providers_compose_pulls_the_stock_image() -> None:
    kinds = artifacts(CASES["minimal"])
    assert "image" not in kinds
    compose = YAML(typ="safe", pure=True).load(kinds["compose"].text)
    assert all("build" not in s for s in compose["services"].values())


def refusal(text: str) -> str:
    with pytest.raises(SpecInvalid) as caught:
        pipeline.from_text(text, "variant.yaml")
    return str(caught.value)


def test_providers_on_the_stock_image_name_are_refused_where_they_are_written() -> None:
    base = 'name: x\nairflow:\n  version: "3.3"\n  providers: [amazon]\n'
    message = refusal(base)
    assert message.count("\n") == 0
    assert message.startswith("variant.yaml:4:3: error: airflow.providers: the providers go into an image")
    assert "set airflow.image.repository" in message
    explicit = refusal(base + "  image: {repository: apache/airflow, tag: custom}\n")
    assert explicit.startswith("variant.yaml:5:11: error: airflow.image.repository: ")
    workers = (
        base + "  image: {repository: reg/airflow}\nexecutor: KubernetesExecutor\nkubernetes_executor:\n"
    )
    message = refusal(workers + "  worker:\n    image: {repository: apache/airflow}\n")
    assert message == (
        "variant.yaml:9:5: error: kubernetes_executor.worker.image: task pods would run the stock apache/airflow, "
        "without airflow.providers: leave it out (the pods run airflow.image) or name an image that has them"
    )


def test_the_template_is_sandboxed_strict_and_spec_text_stays_data() -> None:
    env = image._environment()
    assert isinstance(env, jinja2.sandbox.SandboxedEnvironment)
    assert env.undefined is jinja2.StrictUndefined and env.autoescape is False
    with pytest.raises(jinja2.UndefinedError):
        env.get_template(image.TEMPLATE).render(header=[], image="x", base="y", packages=[])
    # A spec named like template code reaches the header as the text it is.
    resolved = pipeline.from_text(SPECS["helm-3.3"], "{{ 7 * 7 }}{% raw %}.yaml")
    text = artifacts(resolved)["image"].text
    assert "# Generated by airspec from {{ 7 * 7 }}{% raw %}.yaml." in text
    assert "49" not in text


def test_the_template_ships_in_the_package() -> None:
    loader = image._environment().loader
    assert isinstance(loader, jinja2.PackageLoader) and loader.package_name == "airspec.render"
    assert (ROOT / "airspec" / "render" / "templates" / image.TEMPLATE).is_file()


def test_the_stock_image_follows_an_explicit_python_version() -> None:
    """Without providers the deployments run the stock image: for airflow.python_version, its `-python` tag."""
    spec = 'name: x\ndevelopment_only: true\nairflow:\n  version: "3.3"\n{extra}targets: [compose, helm]\n'
    chosen = pipeline.from_text(spec.format(extra='  python_version: "3.11"\n'), "variant.yaml")
    assert f"{chosen.image_repository}:{chosen.image_tag}" == "apache/airflow:3.3.2-python3.11"
    kinds = artifacts(chosen)
    yaml = YAML(typ="safe", pure=True)
    assert yaml.load(kinds["helm-values"].text)["defaultAirflowTag"] == "3.3.2-python3.11"
    services = yaml.load(kinds["compose"].text)["services"]
    assert services["airflow-scheduler"]["image"] == "apache/airflow:3.3.2-python3.11"
    default = pipeline.from_text(spec.format(extra=""), "variant.yaml")
    assert default.image_tag == "3.3.2"  # the release's own tag, whose Python is the image's default
    built = CASES["helm-3.3"]  # providers: the built image keeps its tag, the Dockerfile picks the Python
    assert built.image_tag == "2024-06-01" and "-python3.11" in artifacts(built)["image"].text
