"""Resolved model -> artifacts (kind, path under OUT, text), and writing them all or nothing."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from airspec.errors import Diagnostic, InputError, SpecInvalid, UsageError
from airspec.loader import Loaded
from airspec.resolve import Resolved

if TYPE_CHECKING:
    from airspec.render.yamltext import Document

KINDS = (
    "airflow.cfg",
    "local-settings",
    "helm-values",
    "compose",
    "compose-env",
    "pod-template",
    "pod-profile",
    "statsd-mappings",
    "prometheus-scrape",
    "prometheus-rules",
    "ci-workflow",
)
# Kinds whose text is not YAML (every other artifact is a YAML document).
NOT_YAML_KINDS = frozenset({"airflow.cfg", "local-settings", "compose-env"})


class Artifact(NamedTuple):
    kind: str
    path: str  # relative to OUT, POSIX separators
    text: str


class _Made(NamedTuple):
    """An artifact as its renderer made it: its text, or what writes the text once it is wanted. Renderers check
    while they decide what goes in (validate needs that), not while the YAML is written out."""

    kind: str
    path: str
    content: str | Callable[[], str]


def _yaml(document: Document) -> Callable[[], str]:
    from airspec.render.yamltext import dump

    return lambda: dump(*document)


def _airflow_cfg(resolved: Resolved) -> list[_Made]:
    from airspec.render import airflow_cfg

    return [_Made("airflow.cfg", "airflow.cfg", airflow_cfg.render(resolved))]


def _local_settings(resolved: Resolved) -> list[_Made]:
    from airspec.render import local_settings

    if not local_settings.applies(resolved):
        return []
    return [_Made("local-settings", local_settings.PATH, local_settings.render(resolved))]


def _helm_values(resolved: Resolved) -> list[_Made]:
    if "helm" not in resolved.spec.targets:
        return []
    from airspec.render import helm_values

    return [_Made("helm-values", "helm/values.yaml", _yaml(helm_values.document(resolved)))]


def _compose(resolved: Resolved) -> list[_Made]:
    if "compose" not in resolved.spec.targets:
        return []
    from airspec.render import compose

    return [
        _Made("compose", "compose/docker-compose.yaml", _yaml(compose.document(resolved))),
        _Made("compose-env", "compose/.env.example", compose.render_env_example(resolved)),
    ]


def _pod_templates(resolved: Resolved) -> list[_Made]:
    if not resolved.uses_kubernetes:
        return []
    from airspec.render import pod_template

    profiles = sorted(resolved.kubernetes_executor.profiles)
    return [
        _Made("pod-template", "kubernetes/pod-template.yaml", _yaml(pod_template.document(resolved))),
        *(
            _Made(
                "pod-profile",
                f"kubernetes/profiles/{name}.yaml",
                _yaml(pod_template.profile_document(resolved, name)),
            )
            for name in profiles
        ),
    ]


def _monitoring(resolved: Resolved) -> list[_Made]:
    if not resolved.spec.metrics.statsd.enabled:
        return []
    from airspec.render import prometheus, statsd

    return [
        _Made("statsd-mappings", "monitoring/statsd-mappings.yaml", _yaml(statsd.document(resolved))),
        _Made("prometheus-scrape", "monitoring/prometheus.yml", _yaml(prometheus.document(resolved))),
        _Made("prometheus-rules", "monitoring/alert-rules.yml", _yaml(prometheus.rules_document(resolved))),
    ]


def _ci_workflow(resolved: Resolved) -> list[_Made]:
    if resolved.spec.ci is None:
        return []
    from airspec.render import ci_workflow

    write = _yaml(ci_workflow.document(resolved))
    return [
        _Made("ci-workflow", "ci/github/airflow-ci.yml", lambda: ci_workflow.pin_comments(resolved, write()))
    ]


# The artifact builders, in manifest order. Each decides from the resolved model whether it applies.
BUILDERS: tuple[Callable[[Resolved], list[_Made]], ...] = (
    _airflow_cfg,
    _local_settings,
    _helm_values,
    _compose,
    _pod_templates,
    _monitoring,
    _ci_workflow,
)


def _make(resolved: Resolved) -> list[_Made]:
    made = [m for builder in BUILDERS for m in builder(resolved)]
    for m in made:
        _confined(m.path)
    return made


def build(resolved: Resolved, only: frozenset[str] | None = None) -> list[Artifact]:
    """Every artifact the spec calls for (those of the kinds in `only`), as text. Raises SpecInvalid for what a
    renderer cannot write, whatever `only` holds."""
    return [
        Artifact(m.kind, m.path, m.content if isinstance(m.content, str) else m.content())
        for m in _make(resolved)
        if only is None or m.kind in only
    ]


def check(resolved: Resolved) -> None:
    """Raise SpecInvalid for whatever `build` would refuse, without writing the YAML out."""
    _make(resolved)


SPEC_FILE_NAMES = ("airflow-spec.yaml", "airflow-spec.yml")


def expand_specs(paths: Sequence[str]) -> list[str]:
    """Spec paths as given, with each folder replaced by the airflow-spec.yaml files below it (sorted)."""
    out: list[str] = []
    for given in paths:
        folder = Path(given)
        if folder.is_dir():
            found = sorted(
                {f.as_posix() for name in SPEC_FILE_NAMES for f in folder.rglob(name) if f.is_file()}
            )
            if not found:
                raise InputError(f"{given}: no {SPEC_FILE_NAMES[0]} below this folder")
            out += found
        else:
            out.append(given)
    return list(dict.fromkeys(out))


class Job(NamedTuple):
    """One spec compiled in memory, and the folder its artifacts belong in."""

    spec: str
    out: str
    resolved: Resolved
    artifacts: list[Artifact]


def plan(specs: Sequence[str], out: str, env: str | None, only: frozenset[str] | None) -> list[Job]:
    """Load, validate, resolve and render every spec before anything is written. One spec compiles into OUT;
    several compile into OUT/<spec name>. Every invalid spec's problems are reported together."""
    from airspec.loader import load_file
    from airspec.resolve import resolve
    from airspec.validate import validate

    compiled: list[tuple[str, Resolved, list[Artifact]]] = []
    problems: list[Diagnostic] = []
    for spec in specs:
        try:
            # Headers name the spec; a path that is not UTF-8 is shown with escapes rather than breaking the write.
            shown = spec.replace("\\", "/").encode("utf-8", "backslashreplace").decode("utf-8")
            resolved = resolve(validate(load_file(spec), env), spec_file=shown)
            compiled.append((spec, resolved, build(resolved, only)))
        except SpecInvalid as exc:
            problems += exc.diagnostics
    if problems:
        raise SpecInvalid(problems)
    if len(compiled) == 1:
        spec, resolved, artifacts = compiled[0]
        return [Job(spec, out, resolved, artifacts)]
    owners: dict[str, str] = {}
    for spec, resolved, _ in compiled:
        name = resolved.spec.name
        if name in owners:
            raise UsageError(
                f"error: {owners[name]} and {spec} are both named {name!r}; OUT/{name} would hold both"
            )
        owners[name] = spec
    return [Job(spec, f"{out}/{r.spec.name}", r, artifacts) for spec, r, artifacts in compiled]


def problems(loaded: Loaded, env: str | None = None) -> list[Diagnostic]:
    """Everything `compile` would refuse, without writing: validation, then the checks that resolving and
    rendering make (e.g. what docker-compose needs), for `env` or else the base and every environment."""
    from airspec.resolve import resolve
    from airspec.validate import validate, validate_all

    def attempt(loaded: Loaded, name: str | None) -> None:
        check(resolve(validate(loaded, name), spec_file=loaded.source.file))

    if env is None:
        return validate_all(loaded, attempt)
    try:
        attempt(loaded, env)
    except SpecInvalid as exc:
        return list(exc.diagnostics)
    return []


def _confined(path: str) -> None:
    """An artifact path never leaves OUT, whatever names the spec holds."""
    parts = Path(path).parts
    if Path(path).is_absolute() or ".." in parts or not parts:
        raise ValueError(f"artifact path escapes the output directory: {path!r}")


def stale(out: str, artifacts: list[Artifact]) -> list[str]:
    """Artifacts whose file under OUT is missing or differs, as 'missing PATH' / 'stale PATH'."""
    problems = []
    for a in artifacts:
        target = Path(out) / a.path
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            problems.append(f"missing {a.path}")
            continue
        except OSError as exc:
            raise InputError(f"cannot read {target}: {exc.strerror or exc}") from None
        if current != a.text.encode("utf-8"):
            problems.append(f"stale {a.path}")
    return problems


def write_all(out: str, artifacts: list[Artifact]) -> None:
    """Write one spec's artifacts under OUT, all or nothing (see write_jobs)."""
    write_jobs([(out, artifacts)])


def _stage(target: Path) -> tuple[int, Path]:
    """A new file beside `target` to write it into first: `.<name>.<pid>.<n>.airspec-tmp`, created exclusively.
    Its mode is what any new file gets (0666 less the umask): after the rename it is the artifact, which other
    users and containers read (compose mounts the StatsD mappings into the exporter's container)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for n in itertools.count():
        name = target.parent / f".{target.name}.{os.getpid()}.{n}.airspec-tmp"
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


def _holds(target: Path, data: bytes) -> bool:
    """Whether `target` is a regular file that already holds exactly `data`."""
    try:
        if target.is_symlink():
            return False
        with open(target, "rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False


def write_jobs(jobs: Sequence[tuple[str, list[Artifact]]]) -> set[Path]:
    """Stage every file of every job beside its target first, then rename them all into place: an error while
    staging leaves every OUT as it was (staged files and directories this call made are removed). A file that
    already holds what it would be written with is left alone (its mtime too; replacing a file by rename is
    also what costs most on a journaling filesystem). Returns the files left alone."""
    made_dirs: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    unchanged: set[Path] = set()
    current = ""
    try:
        for out, artifacts in jobs:
            current = out
            for a in artifacts:
                target = Path(out) / a.path
                if _holds(target, a.text.encode("utf-8")):
                    unchanged.add(target)
                    continue
                for parent in reversed(target.parents):
                    if not parent.exists():
                        parent.mkdir()
                        made_dirs.append(parent)
                fd, name = _stage(target)
                staged.append((name, target))
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                    fh.write(a.text)
        for tmp, target in staged:
            current = str(target)
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for d in reversed(made_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise InputError(f"cannot write {current}: {exc.strerror or exc}") from None
    return unchanged
