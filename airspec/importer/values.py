"""Helm values beyond what the spec models. Every leaf of the file that the component pass and the option readers
did not read is, in this order:
- dropped when it equals the chart release's default (the release the file is a copy of, or the one compile writes
  for): the chart fills it in anyway;
- dropped when compile writes the same value, listed for a person when compile writes another one (from the spec:
  `helm.values` may not change a key airspec sets);
- never copied when it is a secret (by its name, or text that sets one): listed for a person with a TODO, or, for a
  variable of the chart's `env:`, turned into a `secret:` entry that reads it from a Kubernetes Secret to create;
- otherwise carried into `helm.values`, and refused (listed for a person, with the schema's words) when the chart
  release's strict values schema or its templates would refuse the merged values.
"""

from __future__ import annotations

from typing import Any

from airspec.catalog import charts
from airspec.envopt import env_option
from airspec.importer import tree
from airspec.importer.draft import DROPPED, MODELLED, PASSTHROUGH, SECRET, Draft
from airspec.lint.inputs import version_in
from airspec.lint.model import FileContext
from airspec.mask import Masker, tree_secrets
from airspec.source import Span

# The parts of a connection the chart builds itself when no Secret names one: with a Secret reference in the spec
# (database.url, celery.result_backend.url), they go there, never into helm.values.
CONNECTIONS = {
    ("data", "metadataConnection"): "database.url",
    ("data", "resultBackendConnection"): "celery.result_backend.url",
}


def named_releases(ctx: FileContext) -> list[str]:
    """The chart releases (newest first) whose values.yaml this file may be a copy of: it names their own Airflow
    version."""
    named = {str(ctx.get(k)) for k in ("airflowVersion", "defaultAirflowTag") if version_in(ctx.get(k))}
    return [
        version
        for version in reversed(charts.releases())
        if named
        & {charts.release(version).default_airflow_version, charts.release(version).default_airflow_tag}
    ]


def chart_release(files: list[FileContext], draft: Draft, target: str) -> tuple[str, list[str]]:
    """The release the spec's values are for, and the releases whose defaults a value may equal: the newest
    published release the files may be a copy of pins `helm.chart_version` when the target is the Airflow version
    that release ships (an upgrade gets the release airspec picks for the target)."""
    default = charts.default_for(target) or charts.default_release()
    copies = [(ctx, v) for ctx in files if ctx.kind == "helm-values" for v in named_releases(ctx)]
    chosen = default
    for ctx, version in copies:
        facts = charts.release(version)
        same = target in (facts.default_airflow_version, facts.default_airflow_tag)  # not an upgrade
        if same and facts.released and charts.unsupported(version, target) is None:
            chosen = version
            if version != default:
                draft.put(("helm", "chart_version"), version)
                draft.row(
                    ctx.key("airflowVersion") if ctx.has("airflowVersion") else ctx.key("defaultAirflowTag"),
                    "airflowVersion",
                    MODELLED,
                    "helm.chart_version",
                    f"the file is chart {version}'s values.yaml (its Airflow version)",
                )
            break
    return chosen, list(dict.fromkeys([chosen, *(v for _, v in copies)]))


def default_of(releases: list[str], path: tree.Path, value: Any) -> str | None:
    """The first release whose default at `path` equals `value`."""
    for version in releases:
        found = tree.at(charts.defaults(version), path)
        if found is not tree.MISSING and found == value and type(found) is type(value):
            return version
    return None


def drop_default_config(ctx: FileContext, draft: Draft, releases: list[str]) -> None:
    """Before the options are routed: `config:` entries equal to the chart's own default `config:` (a copied
    values.yaml holds the chart's templates, `{{ .Values.executor }}`) are the chart's, not settings to import."""
    config = ctx.get("config")
    dropped: set[str] = set()
    for section, options in config.items() if isinstance(config, dict) else []:
        for name, value in options.items() if isinstance(options, dict) else []:
            version = default_of(releases, ("config", section, name), value)
            if version is not None:
                label = f"config.{section}.{name}"
                draft.row(
                    ctx.key("config", section, name),
                    label,
                    DROPPED,
                    "",
                    f"equal to chart {version}'s default",
                )
                dropped.add(label)
    if dropped:
        ctx.options = [o for o in ctx.options if o.label not in dropped]


def own_policy(ctx: FileContext, draft: Draft, resolved: Any) -> bool:
    """`airflowLocalSettings` that is the cluster policy airspec writes for task_defaults.retry_exponential_backoff
    (values airspec compiled): read back as that key. Returns whether the draft changed."""
    from airspec.render import local_settings

    text = ctx.get("airflowLocalSettings")
    if not isinstance(text, str) or draft.get(("task_defaults", "retry_exponential_backoff")) is not None:
        return False
    spec = resolved.spec
    policy = spec.task_defaults.model_copy(update={"retry_exponential_backoff": True})
    if text != local_settings.render(
        resolved._replace(spec=spec.model_copy(update={"task_defaults": policy}))
    ):
        return False
    draft.put(("task_defaults", "retry_exponential_backoff"), True)
    draft.row(
        ctx.key("airflowLocalSettings"),
        "airflowLocalSettings",
        MODELLED,
        "task_defaults.retry_exponential_backoff",
        "airspec's own cluster policy for it",
    )
    return True


def passthrough(
    ctx: FileContext, draft: Draft, ours: dict[str, Any], releases: list[str], masker: Masker
) -> None:
    """Carry what the spec does not model into `helm.values` (`ours`: the values compile writes without it)."""
    data = ctx.data if isinstance(ctx.data, dict) else {}
    read = {tuple(r.setting.split(".")) for r in draft.rows if r.at.file == ctx.file}
    out: dict[str, Any] = draft.get(("helm", "values")) or {}
    for path, value in tree.leaves(data):
        if path[0] in ("config", "env", "secret") or any(tree.covers(p, path) for p in read if p):
            continue
        where, setting = _span(ctx, path), tree.dotted(path)
        version = default_of(releases, path, value)
        if version is not None:
            draft.row(where, setting, DROPPED, "", f"equal to chart {version}'s default")
            continue
        connection = next((key for prefix, key in CONNECTIONS.items() if tree.covers(prefix, path)), None)
        if connection is not None and isinstance(draft.get(tuple(connection.split("."))), dict):
            why = f"part of a connection: the Secret {connection} names holds the whole URL (see its TODO)"
            draft.row(where, setting, DROPPED, "", why)
            continue
        if not _fits(ctx, draft, ours, path, value, where, setting):
            continue
        if _secret(masker, path, value):
            draft.person(
                where,
                setting,
                "a secret: not copied; put it in a Kubernetes Secret and point the chart at it",
            )
            continue
        tree.put(out, path, value)
        draft.row(where, setting, PASSTHROUGH, f"helm.values.{setting}")
    _env(ctx, draft, ours, out, masker)
    _secrets(ctx, draft, ours, out)
    if out:
        draft.put(("helm", "values"), out)


def _fits(
    ctx: FileContext,
    draft: Draft,
    ours: dict[str, Any],
    path: tree.Path,
    value: Any,
    where: Span,
    setting: str,
) -> bool:
    """Whether `path` is a key compile leaves alone; if not, the row says what compile writes there."""
    section = ours.get(str(path[0]))
    off = isinstance(section, dict) and section.get("enabled") is False
    # not off in the file, off as compiled: what configures the section has no effect (one the file turned off
    # itself is carried as the file has it)
    if (
        off
        and len(path) > 1
        and path[1] != "enabled"
        and tree.at(ctx.data, (path[0], "enabled")) is not False
    ):
        draft.row(where, setting, DROPPED, "", f"compile turns {path[0]} off ({path[0]}.enabled): no effect")
        return False
    for end in range(1, len(path) + 1):
        written = tree.at(ours, path[:end])
        if written is tree.MISSING:
            return True
        if end == len(path) or not isinstance(written, dict):
            if end == len(path) and tree.equal(written, value, path):
                draft.row(where, setting, DROPPED, "", "compile writes the same value")
            else:
                draft.person(
                    where,
                    setting,
                    f"compile writes {tree.dotted(path[:end])} itself (from the spec); not carried",
                )
            return False
    return True


def _secret(masker: Masker, path: tree.Path, value: Any) -> bool:
    """Whether `value`, at `path`, is or holds a secret (by a name on the way, text that sets one, a URL's
    userinfo): what the diff masks."""
    if isinstance(value, bool) or value is None:
        return False  # a switch (enableBuiltInSecretEnvVars.AIRFLOW__CORE__FERNET_KEY: true) holds no secret
    if masker.path_sensitive(path):
        return True
    return any(True for _ in tree_secrets(value, lambda p: masker.path_sensitive((*path, *p))))


def _env(ctx: FileContext, draft: Draft, ours: dict[str, Any], out: dict[str, Any], masker: Masker) -> None:
    """The chart's `env:` items that are not Airflow options (those are read as options): carried as a list, a
    secret one as a `secret:` entry reading a Kubernetes Secret to create."""
    items = ctx.get("env")
    carried: list[Any] = []
    secret_entries: list[dict[str, str]] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and env_option(name) is not None:
            continue
        where = ctx.key("env", index)
        setting = f"env[{name}]" if isinstance(name, str) else f"env[{index}]"
        if not isinstance(name, str):
            draft.person(where, setting, "an env item without a name")
            continue
        secret = _secret(masker, ("env", name), item.get("value"))
        if ("secret" if secret else "env") in ours:
            draft.person(
                where, setting, "compile writes env and secret itself (secret references); not carried"
            )
        elif secret:
            name_of = "airflow-" + name.lower().replace("_", "-")
            secret_entries.append({"envName": name, "secretName": name_of, "secretKey": "value"})
            draft.row(where, setting, SECRET, "helm.values.secret", "a literal secret was not copied")
            draft.todos.append(
                f"helm.values.secret: the value of {name} at {where.file}:{where.line} was not copied; create "
                f"Kubernetes Secret {name_of} with key `value` holding it"
            )
        else:
            carried.append(item)
            draft.row(where, setting, PASSTHROUGH, "helm.values.env")
    if carried:
        out["env"] = carried
    if secret_entries:
        out["secret"] = [*out.get("secret", []), *secret_entries]


def _secrets(ctx: FileContext, draft: Draft, ours: dict[str, Any], out: dict[str, Any]) -> None:
    """The chart's `secret:` entries the spec does not model (the modelled ones have their rows): references to
    Kubernetes Secrets, carried as they are."""
    items = ctx.get("secret")
    read = {r.setting for r in draft.rows if r.at.file == ctx.file}
    for index, item in enumerate(items if isinstance(items, list) else []):
        setting = f"secret.{index}"
        if setting in read or f"secret[{index}]" in read:
            continue
        where = ctx.key("secret", index)
        if "secret" in ours:
            draft.person(where, setting, "compile writes secret itself (secret references); not carried")
            continue
        out["secret"] = [*out.get("secret", []), item]
        draft.row(where, setting, PASSTHROUGH, "helm.values.secret")


def refused(draft: Draft, file: str, version: str, ours: dict[str, Any]) -> None:
    """Take out of `helm.values` what chart `version` refuses once merged with `ours` (its strict schema, its
    templates); each refused row is listed for a person with the schema's words (never the value)."""
    from airspec.render.helm_values import merge

    out = draft.get(("helm", "values"))
    for _ in range(50):
        if not out:
            break
        merged = merge(ours, out)
        # what validation asks of helm.values (semantic.helm_values), each problem at the key it is about
        found = [(p.path, p.message) for p in charts.values_problems(version, merged)]
        found += charts.render_refusals(version, merged)
        if not found:
            break
        owners = [(_owner(out, path), message) for path, message in found]
        owners = [(owner, message) for owner, message in owners if tree.at(out, owner) is not tree.MISSING]
        if not owners:
            break  # a problem of the values compile writes itself: validation reports it
        for owner, message in owners:
            tree.remove(out, owner)
            key = "helm.values." + tree.dotted(owner) if owner else "helm.values"
            draft.to_person(file, key, f"chart {version} refuses it: {message}"[:200])
    if out:
        draft.put(("helm", "values"), out)
    else:
        draft.drop(("helm", "values"))  # and `helm:` when it is left empty


def _owner(out: dict[str, Any], path: tuple[str | int, ...]) -> tree.Path:
    """The part of `out` a problem at `path` is about: the longest prefix `out` holds (the whole of what it holds
    below `path` when the problem is about a mapping that `out` only adds to)."""
    held: tree.Path = ()
    for end in range(1, len(path) + 1):
        if tree.at(out, path[:end]) is tree.MISSING:
            break
        held = path[:end]
    return held or path[:1]


def _span(ctx: FileContext, path: tree.Path) -> Span:
    assert ctx.source is not None
    for end in range(len(path), 0, -1):
        if path[:end] in ctx.source.keys:
            return ctx.source.keys[path[:end]]
    return ctx.key(*path)
