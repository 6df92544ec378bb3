"""`airspec diff`: what is deployed, compared with what the spec compiles to.

The spec is compiled in memory (`artifacts.build`); each artifact is compared with its deployed copy after both are put
in one normal form, so that only differences of meaning are reported:
- airflow.cfg by option (`cfg.py`): names case-insensitive, values by meaning, Airflow's defaults not drift, moved
  options at their new place, hidden values unverifiable;
- YAML artifacts by structure (`tree.py`, deepdiff), with set-like lists compared as sets;
- the compose `.env`: only that every variable the compose file needs is set (values are the deployment's own).
Where the deployed copies come from is `sources.py` (files, manifests, saved output) and `live.py` (k8s://, http(s)://).
Every value is masked (`mask.py`) before it leaves here unless the user asks for secrets.

Built-in choices, so that a plain deployment shows no drift:
- a ConfigMap's airflow.cfg holds the chart's own defaults (`sources.CHART_CONFIG`): not drift unless the spec sets
  the option;
- `helm get values --all` (computed values) is compared on the keys airspec writes only;
- the REST API's complete configuration: options outside airspec's catalog, and those of providers the spec does not
  use, are not compared; hidden values are unverifiable (not drift).
`--ignore` takes locations as reported (`[core] parallelism`, `scheduler.replicas`), optionally prefixed with an
artifact kind (`helm-values:podTemplate`); a location ignores everything below it, and `*`/`?` are wildcards.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import PurePosixPath

from airspec.artifacts import NAMES, YAML_KINDS, Artifact, build
from airspec.diff import cfg, live, origins, plain, sources, tree
from airspec.diff.mask import Masker
from airspec.diff.model import Change, Compared, Report
from airspec.diff.sources import Deployed
from airspec.errors import ContentError, InputError
from airspec.loader import load_text
from airspec.pipeline import resolved as resolve_spec
from airspec.resolve import Resolved
from airspec.terminal import printable


def run(
    spec: str,
    source: str,
    env: str | None = None,
    ignore: Iterable[str] = (),
    show_secrets: bool = False,
    environ: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Report:
    """Compile `spec`, read `source`, compare. Raises AirspecError for anything the user must fix. `timeout` bounds
    reading a live source, in seconds (live.HTTP_TIMEOUT, live.K8S_TIMEOUT by default)."""
    # A folder of compiled artifacts: name the spec as compile named it there.
    resolved = resolve_spec(spec, env, source if os.path.isdir(source) else None)
    artifacts = build(resolved)
    try:
        if live.is_live(source):
            environ = os.environ if environ is None else environ
            deployed = live.read(
                source, artifacts, resolved.catalog.runtime.rest_api_versions, environ, timeout
            )
        else:
            deployed = sources.read_path(source, artifacts)
    except ContentError as exc:
        # What is deployed could not be read: an error (exit 2), never drift (exit 1).
        raise InputError(exc.bare, exc.span) from None
    return compare(resolved, artifacts, deployed, source, tuple(ignore), show_secrets)


def compare(
    resolved: Resolved,
    artifacts: list[Artifact],
    deployed: list[Deployed],
    source: str,
    ignore: tuple[str, ...] = (),
    show_secrets: bool = False,
) -> Report:
    masker = Masker(show_secrets, resolved.catalog)
    changes: list[Change] = []
    compared: list[Compared] = []
    missing: list[str] = []
    used: set[int] = set()
    for artifact in artifacts:
        index = _match(artifact, deployed, used)
        if index is None:
            missing.append(artifact.path)
            continue
        used.add(index)
        found = deployed[index]
        compared.append(Compared(artifact.kind, artifact.path, masker.text(found.label)))
        found_changes = [
            replace(c, path=artifact.path)
            for c in _compare_one(resolved, artifact, found, masker)
            if not ignored(c, ignore)
        ]
        changes += tree.collapse_services(found_changes) if artifact.kind == "compose" else found_changes
    if not compared:
        held = ", ".join(sorted({d.kind for d in deployed})) or "nothing recognisable"
        made = ", ".join(a.kind for a in artifacts)
        raise InputError(
            f"{printable(source)}: holds none of the artifacts the spec makes ({made}); it holds: {held}"
        )
    return Report(
        resolved.source.file,
        masker.text(source),
        resolved.env,
        tuple(changes),
        tuple(compared),
        tuple(missing),
    )


def _match(artifact: Artifact, deployed: list[Deployed], used: set[int]) -> int | None:
    name = PurePosixPath(artifact.path).name
    fits = [
        i
        for i, d in enumerate(deployed)
        if i not in used and d.kind == artifact.kind and (artifact.kind != "pod-profile" or d.name == name)
    ]
    exact = [i for i in fits if deployed[i].name == name]
    chosen = exact or fits
    return chosen[0] if chosen else None


def _compare_one(resolved: Resolved, artifact: Artifact, found: Deployed, masker: Masker) -> list[Change]:
    if artifact.kind == "airflow.cfg":
        return cfg.compare(
            resolved,
            cfg.parse(artifact.text, artifact.path),
            found.data,
            masker,
            lambda origin: origins.spec_line(resolved, origin),
        )
    if artifact.kind == "compose-env":
        return plain.compare_env(resolved, artifact, found.data)
    if artifact.kind not in YAML_KINDS:
        return plain.compare_text(artifact, str(found.data), masker)
    spec_tree = tree.normalize(artifact.kind, load_text(artifact.text, artifact.path).data, masker)
    deployed_tree = tree.normalize(artifact.kind, found.data, masker)
    return tree.compare(
        artifact.kind,
        spec_tree,
        deployed_tree,
        masker,
        lambda path: origins.spec_line(
            resolved, origins.tree_origin(resolved, artifact.kind, artifact.path, path)
        ),
        only_spec_keys=found.only_spec_keys,
    )


def ignored(change: Change, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        kind, sep, rest = pattern.partition(":")
        if sep and kind in NAMES:
            if change.artifact != kind:
                continue
            pattern = rest
        if _location_matches(change.location, pattern.strip(), change.artifact == "airflow.cfg"):
            return True
    return False


def _location_matches(location: str, pattern: str, fold: bool) -> bool:
    if fold:
        location, pattern = location.lower(), pattern.lower()
    if not pattern:
        return False
    if location == pattern or location.startswith((pattern + ".", pattern + "[", pattern + " ")):
        return True
    if "*" not in pattern and "?" not in pattern:
        return False
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex + r"([.\[ ].*)?", location, re.DOTALL) is not None
