"""`airspec import`: the files a team already has (airflow.cfg, Helm values, compose, .env) -> one spec that
validates, and a report of where every setting went.

    read (lint's readers) -> options: supersede, migrate, route (importer.options)
                          -> chart and compose structure (importer.chart)
                          -> checked against what compile writes, validated (importer.settle)
                          -> the rest into helm.values / compose.overrides (importer.values, importer.services)
                          -> what compile still writes differently, reported (importer.differs)
                          -> spec text with a TODO per decision (importer.emit)

Files given with `--env NAME=FILE` are imported the same way, as a spec of their own for the same Airflow
version, and written as `environments.NAME`: what differs from the base (importer.overlay).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, get_args

from airspec.catalog import UnknownVersion
from airspec.errors import ContentError, InputError, UsageError
from airspec.importer import chart, dotenv, overlay
from airspec.importer.draft import DROPPED, MODELLED, Draft, Row
from airspec.importer.options import migrated, remote_provider, route, same, setting_at
from airspec.lint.inputs import executors_of
from airspec.lint.model import FileContext, Opt
from airspec.model.spec import Executor

_NAME = re.compile(r"[a-z0-9_]{1,128}")
_ENV_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
EXECUTORS = frozenset(get_args(Executor))  # what the spec's `executor` takes

if TYPE_CHECKING:
    from airspec.catalog import Catalog


class Imported(NamedTuple):
    text: str  # the spec, validated
    rows: list[Row]
    todos: list[str]
    version: str


class _Part(NamedTuple):
    """The base, or one environment, imported as a spec of its own."""

    draft: Draft
    version: str
    text: str  # the spec, validated as written ("" for an environment: it is written as an overlay)


def run(
    paths: list[str],
    version: str | None,
    name: str | None,
    kind: str | None,
    envs: Sequence[tuple[str, str]] = (),
) -> Imported:
    """Import `paths` (the base) and each `(environment, file)` of `envs` (files of one environment together)."""
    from airspec.importer.emit import spec_text
    from airspec.pipeline import from_text

    groups: dict[str, list[str]] = {}
    for env, path in envs:
        if not _ENV_NAME.match(env):
            raise UsageError(
                f"--env {env[:64]!r}: an environment is named in lower case letters, digits and '-'"
            )
        groups.setdefault(env, []).append(path)
    base = _part(paths, version, name, kind, "")
    parts = [_part(files, version, name, kind, env, base.version) for env, files in groups.items()]
    if not parts:
        return Imported(base.text, base.draft.rows, base.draft.todos, base.version)
    draft = overlay.combined(base.draft, [p.draft for p in parts])
    text = spec_text(draft)
    from_text(text, "imported.yaml")  # what is written validates as it is written, in every environment
    from airspec.loader import load_text
    from airspec.validate import validate

    loaded = load_text(text, "imported.yaml")
    for env in groups:
        validate(loaded, env)
    return Imported(text, draft.rows, draft.todos, base.version)


def _part(
    paths: list[str],
    stated: str | None,
    name: str | None,
    kind: str | None,
    env: str,
    fallback: str | None = None,
) -> _Part:
    from airspec.catalog import exact_version, load
    from airspec.lint.engine import read_files

    draft = Draft(env)
    dotenv_options: list[Opt] = []
    dotenvs: list[str] = []
    for path in paths:
        if kind is None and dotenv.is_dotenv(path):
            found, named = dotenv.read(path, draft)
            dotenv_options += found
            dotenvs.append(path)
            stated = stated or named
    others = [p for p in paths if kind is not None or not dotenv.is_dotenv(p)]
    try:
        files = read_files(others, kind, stated) if others else []
    except ContentError as exc:  # a parser may quote the line, and the line may hold a secret: not repeated
        raise InputError(exc.bare.split(", got ")[0], exc.span) from None
    files = [f for f in files if f.kind in ("airflow.cfg", "helm-values", "compose")]
    for ctx in files:
        _said_wrapped(ctx, draft)
    if not files and not dotenv_options and not dotenvs:
        raise InputError("nothing to import: give airflow.cfg, Helm values, compose or .env files")
    target = stated or next((f.stated_version for f in files if f.stated_version), None)
    target = target or next((f.version for f in files if f.version), None) or fallback
    if target is None:
        raise UsageError(
            "cannot tell which Airflow version these files are for; pass --airflow-version (e.g. 3.3)"
        )
    try:
        catalog = load(target)
    except UnknownVersion as exc:
        raise UsageError(str(exc)) from None
    kinds = {f.kind for f in files}
    style = "helm" if "helm-values" in kinds else "compose"
    draft.put(("name",), name or _name(files, draft))
    draft.put(("airflow",), {"version": target})
    compose_only = kinds & {"helm-values", "compose"} == {"compose"} or not kinds
    draft.put(("targets",), ["compose"] if compose_only else ["helm"])
    if {"helm-values", "compose"} <= kinds:
        draft.todos.append(
            "targets: the compose file's settings were read into the Helm deployment; compose is not a target "
            "(one spec's secrets cannot reach both): import it as an environment instead, --env local=FILE"
        )
    releases: list[str] = []
    if "helm-values" in kinds:
        from airspec.catalog import charts
        from airspec.importer import values

        _, releases = values.chart_release(files, draft, exact_version(target))
        draft.chart_config = charts.defaults(releases[0]).get("config")
        for ctx in files:
            if ctx.kind == "helm-values":
                values.drop_default_config(ctx, draft, releases)
    executor = chart.executor_of(files)
    if executor is None and releases:
        executor = _chart_executor(files, draft, releases[0])
    if executor is not None and set(executor if isinstance(executor, list) else [executor]) <= EXECUTORS:
        draft.put(("executor",), executor)
    api_server = catalog.runtime.web_command == "api-server"
    for ctx in files:
        if ctx.kind == "helm-values":
            chart.helm(ctx, draft, api_server)
        elif ctx.kind == "compose":
            chart.compose(ctx, draft)
    kept = _options(dotenv_options, files, catalog, draft, style)
    if "compose" in draft.data["targets"]:
        _compose_secrets(draft, catalog)
    if draft.get(("database", "kind")) == "external" and draft.get(("database", "url")) is None:
        ref = (
            {"secret": {"name": "airflow-metadata", "key": "connection"}}
            if style == "helm"
            else {"env": "AIRFLOW_DATABASE_URL"}
        )
        draft.put(("database", "url"), ref)
        draft.todos.append(
            "database.url: an external database and no connection in the files; create the reference"
        )
    opts = [*dotenv_options, *(o for f in files for o in f.options)]
    set_by_files = {
        s for s in (setting_at(o.section, o.name) for o in opts) if s is not None
    } - draft.defaulted
    text = _rest(files, dotenvs, draft, kept, releases, set_by_files)
    return _Part(draft, target, text)


def _rest(
    files: list[FileContext],
    dotenvs: list[str],
    draft: Draft,
    kept: list[Opt],
    releases: list[str],
    set_by_files: set[str],
) -> str:
    """Settle the draft; carry what the spec does not model; report what compile still writes differently. The
    spec text, validated as written (the base's; "" for an environment's, written later as an overlay)."""
    from airspec.importer import differs, services, settle, values
    from airspec.mask import Masker

    resolved = settle.settled(draft, kept)
    if settle.unset_defaults(draft, resolved, set_by_files, draft.chart_config):
        resolved = settle.valid(draft)
    masker = Masker(False, resolved.catalog)
    targets = resolved.spec.targets
    carried = False
    if "helm" in targets and any(f.kind == "helm-values" for f in files):
        from airspec.render.helm_values import airspec_values

        if any([values.own_policy(f, draft, resolved) for f in files if f.kind == "helm-values"]):
            resolved = settle.valid(draft)
        ours = airspec_values(resolved)
        for ctx in files:
            if ctx.kind == "helm-values":
                values.passthrough(ctx, draft, ours, [resolved.chart_version, *releases], masker)
                values.refused(draft, ctx.file, resolved.chart_version, ours)
        carried = True
    for ctx in files:
        if ctx.kind != "compose":
            continue
        if "compose" not in targets:
            _not_a_target(ctx, draft)
            continue
        from airspec.render.compose import base_document

        document = base_document(resolved)
        services.passthrough(ctx, draft, document, masker)
        services.refused(draft, ctx.file, document)
        carried = True
    text = ""
    if not draft.env:
        resolved, text = settle.final(draft)  # validated as written: the last validation of the base
    elif carried:
        resolved = settle.valid(draft)
    differs.rows(files, dotenvs, draft, resolved)
    return text


def _not_a_target(ctx: FileContext, draft: Draft) -> None:
    data: dict[str, Any] = ctx.data if isinstance(ctx.data, dict) else {}
    services = data.get("services")
    keys = [(k,) for k in data if k != "services"] + [("services", s) for s in services or {}]
    for path in keys:
        draft.row(
            ctx.key(*path),
            ".".join(str(p) for p in path),
            DROPPED,
            "",
            "compose is not a target of this spec: import the file as an environment (--env NAME=FILE)",
        )


def _chart_executor(files: list[FileContext], draft: Draft, release: str) -> str | list[str] | None:
    """A values file that names no executor runs the chart's default one."""
    from airspec.catalog import charts

    named = charts.release(release).defaults.get("executor")
    found = executors_of(named) if isinstance(named, str) else []
    if not found:
        return None
    ctx = next(f for f in files if f.kind == "helm-values")
    draft.row(ctx.key(), "executor", MODELLED, "executor", f"not in the file: chart {release}'s default")
    return found[0] if len(found) == 1 else found


def _said_wrapped(ctx: FileContext, draft: Draft) -> None:
    """lint reads a wrapper chart's nested values (`airflow:`) at their own positions: say so, and list the
    wrapper's own keys (airspec writes the official chart's values only)."""
    if ctx.kind != "helm-values" or not ctx.root:
        return
    from airspec.loader import load_text

    outer = load_text(ctx.text, ctx.file)
    root = str(ctx.root[0])
    draft.row(
        outer.source.key((root,)), root, "read", "", "a wrapper chart's values: the official chart's, nested"
    )
    for key in outer.data if isinstance(outer.data, dict) else {}:
        if key != root:
            draft.person(
                outer.source.key((key,)),
                str(key),
                "a wrapper chart's own value; airspec writes the official chart's",
            )


def _compose_secrets(draft: Draft, catalog: Catalog) -> None:
    """Compose runs several Airflow processes that must share these; validation refuses the spec without them."""
    needed = [(("database", "password"), "POSTGRES_PASSWORD")]
    if catalog.option("api_auth", "jwt_secret") is not None:
        needed.append((("secrets", "jwt_secret"), "AIRFLOW_JWT_SECRET"))
    needed.append((("secrets", "api_secret_key"), "AIRFLOW_API_SECRET_KEY"))
    for path, variable in needed:
        if path == ("database", "password") and draft.get(("database", "kind")) == "external":
            continue
        if draft.get(path) is None:
            draft.put(path, {"env": variable})
            draft.todos.append(f"{'.'.join(path)}: not in the files; put it in {variable} (.env)")


def _name(files: list[FileContext], draft: Draft) -> str:
    for ctx in files:
        for key in ("fullnameOverride", "name"):
            value = ctx.get(key) if ctx.data is not None else None
            if isinstance(value, str) and value:
                if key == "name":
                    draft.row(ctx.key("name"), "name", MODELLED, "name")
                return value
    return "airflow"


def _options(
    dotenv_options: list[Opt], files: list[FileContext], catalog: Catalog, draft: Draft, style: str
) -> list[Opt]:
    """Every option, later settings winning (a later file, env over config; a compose file's `environment:` over
    a .env); returns the ones in `config:`."""
    last: dict[tuple[str, str], Opt] = {}
    ordered: list[Opt] = []
    for opt in dotenv_options:
        ordered.append(opt)
        last[(opt.section, opt.name)] = opt
    for ctx in files:
        for opt in ctx.options:
            ordered.append(opt)
            last[(opt.section, opt.name)] = opt
    configured: list[Opt] = []
    remote: dict[str, Opt] = {}
    for opt in ordered:
        if not _NAME.fullmatch(opt.name) or not _NAME.fullmatch(opt.section):
            # `fernet_key SECRET=` reads as an option named after the secret: never repeat such a name
            draft.person(
                opt.key, f"[{opt.section[:40]}] (not an option name)", "a malformed line; fix it by hand"
            )
            continue
        winner = last[(opt.section, opt.name)]
        if winner is not opt:
            draft.row(opt.key, opt.label, DROPPED, "", f"superseded by {winner.key.file}:{winner.key.line}")
            continue
        moved = migrated(opt, catalog, draft)
        if moved is None:
            continue
        setting = setting_at(moved.section, moved.name)
        if setting == "executor":
            named = set(executors_of(moved.value))
            if named <= EXECUTORS:
                draft.row(moved.key, moved.label, MODELLED, "executor")
            else:
                why = f"not an executor the spec has ({', '.join(sorted(EXECUTORS))}); the spec runs its default"
                draft.person(moved.key, moved.label, why)
        elif setting == "dags_folder":
            _dags_folder(moved, draft)
        elif setting in ("remote_logging", "remote_base_log_folder", "remote_log_conn_id", "encrypt_s3_logs"):
            remote[setting] = moved
        elif route(moved, catalog, draft, style) is not None:
            configured.append(moved)
    _remote(remote, catalog, draft, style)
    return configured


def _dags_folder(opt: Opt, draft: Draft) -> None:
    folder = opt.value or ""
    git = draft.get(("dags", "git_sync"))
    if isinstance(git, dict):
        suffix = "/".join(p for p in ("repo", str(git.get("sub_path", "")).strip("/")) if p)
        if folder.rstrip("/").endswith("/" + suffix):
            folder = folder.rstrip("/")[: -len(suffix) - 1]
    if folder:
        draft.put(("dags", "folder"), folder)
        draft.opts["dags.folder"] = opt
        draft.row(opt.key, opt.label, MODELLED, "dags.folder")
    else:
        draft.person(opt.key, opt.label, "its value is not in the file; set dags.folder")


def _remote(found: dict[str, Opt], catalog: Catalog, draft: Draft, style: str) -> None:
    """Remote logging is a spec section: on only when the files turn it on and its URL names the provider.
    Otherwise its options go to `config:` (settle moves modelled keys that compile would not write)."""
    on = found.get("remote_logging")
    folder = found.get("remote_base_log_folder")
    provider = remote_provider(folder.value if folder else None)
    enabled = on is not None and on.value is not None and same(on.value, "True")
    if on is not None:
        if enabled and provider is None:
            draft.person(
                on.key, on.label, "remote logging is on but its provider is unclear; set logging.remote"
            )
        else:
            draft.row(on.key, on.label, MODELLED, "logging.remote" if enabled else "logging.remote (none)")
    for key in ("remote_base_log_folder", "remote_log_conn_id", "encrypt_s3_logs"):
        if key in found:
            route(found[key], catalog, draft, style)
    if enabled and provider is not None:
        draft.put(("logging", "remote", "provider"), provider)
    else:
        draft.drop(("logging", "remote"))
