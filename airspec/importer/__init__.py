"""`airspec import`: the files a team already has (airflow.cfg, Helm values, compose) -> one spec that validates,
and a report of where every setting went.

    read (lint's readers) -> options: supersede, migrate, route (importer.options)
                          -> chart and compose structure (importer.chart)
                          -> check against what compile writes (the pipeline and the artifact registry)
                          -> spec text with a TODO per decision (importer.emit)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from airspec.catalog import UnknownVersion
from airspec.errors import ContentError, InputError, UsageError
from airspec.importer import chart, dotenv
from airspec.importer.draft import DROPPED, MODELLED, Draft, Row
from airspec.importer.options import migrated, remote_provider, route, same, setting_at
from airspec.importer.settle import settled
from airspec.lint.model import FileContext, Opt

_NAME = re.compile(r"[a-z0-9_]{1,128}")

if TYPE_CHECKING:
    from airspec.catalog import Catalog


class Imported(NamedTuple):
    text: str  # the spec, validated
    rows: list[Row]
    todos: list[str]
    version: str


def run(paths: list[str], version: str | None, name: str | None, kind: str | None) -> Imported:
    from airspec.catalog import load
    from airspec.lint.engine import read_files

    draft = Draft()
    dotenv_options: list[Opt] = []
    stated = version
    for path in paths:
        if kind is None and dotenv.is_dotenv(path):
            found, named = dotenv.read(path, draft)
            dotenv_options += found
            stated = stated or named
    others = [p for p in paths if kind is not None or not dotenv.is_dotenv(p)]
    try:
        files = read_files(others, kind, stated) if others else []
    except ContentError as exc:  # a parser may quote the line, and the line may hold a secret: not repeated
        raise InputError(exc.bare.split(", got ")[0], exc.span) from None
    files = [f for f in files if f.kind in ("airflow.cfg", "helm-values", "compose")]
    for ctx in files:
        _said_wrapped(ctx, draft)
    if not files and not dotenv_options:
        raise InputError("nothing to import: give airflow.cfg, Helm values, compose or .env files")
    target = stated or next((f.stated_version for f in files if f.stated_version), None)
    target = target or next((f.version for f in files if f.version), None)
    if target is None:
        raise UsageError(
            "cannot tell which Airflow version these files are for; pass --airflow-version (e.g. 3.3)"
        )
    try:
        catalog = load(target)
    except UnknownVersion as exc:
        raise UsageError(str(exc)) from None
    style = "helm" if any(f.kind == "helm-values" for f in files) else "compose"
    kinds = {f.kind for f in files}
    draft.put(("name",), name or _name(files))
    draft.put(("airflow",), {"version": target})
    compose_only = kinds & {"helm-values", "compose"} == {"compose"} or (not kinds and bool(dotenv_options))
    draft.put(("targets",), ["compose"] if compose_only else ["helm"])
    if {"helm-values", "compose"} <= kinds:
        draft.todos.append(
            "targets: the compose file's settings were read into the Helm deployment; compose is not a target "
            "(one spec's secrets cannot reach both; a compose environment overlay is not imported yet)"
        )
    executor = chart.executor_of(files)
    if executor is not None:
        draft.put(("executor",), executor)
    for ctx in files:
        if ctx.kind == "helm-values":
            chart.helm(ctx, draft)
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
    return Imported(settled(draft, kept), draft.rows, draft.todos, target)


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


def _name(files: list[FileContext]) -> str:
    for ctx in files:
        for key in ("fullnameOverride", "name"):
            value = ctx.get(key) if ctx.data is not None else None
            if isinstance(value, str) and value:
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
            draft.row(moved.key, moved.label, MODELLED, "executor")
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
