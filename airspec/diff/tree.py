"""YAML artifacts compared by structure (deepdiff) after both sides are put in one normal form.

- Mapping key order does not count; numbers compare by value (`64` = `64.0`), but `true` is not `1`.
- Lists that are sets by nature become mappings keyed by what identifies an item: environment variables, volumes,
  volume mounts, containers and ports by name (`env[AIRFLOW__CORE__PARALLELISM]`), Helm `secret` entries by envName,
  Prometheus scrape configs by job name; tolerations, compose `ports`/`expose`/`profiles` and the like by their whole
  content. When names repeat, items are keyed by content instead. Other lists keep their order (commands, arguments,
  statsd mappings, where order matters).
- Values that their consumer reads as airflow.cfg text (environment variable values, Helm `config.<section>.<option>`)
  compare by meaning like airflow.cfg values (`'True'` = `true`, `'64'` = `64`); Helm `config` and `podTemplate` text
  is unescaped as the chart renders it (`{{ "{{" }}`, `%%`), and `podTemplate` is compared as the YAML it holds.
- Compose `environment` in list form (`- KEY=value`) equals the mapping form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from deepdiff import DeepDiff

from airspec.diff import cfg
from airspec.diff.model import Change
from airspec.envopt import compose_environment
from airspec.errors import ContentError
from airspec.loader import load_text
from airspec.mask import Masker

TreePath = tuple[Any, ...]

# List key -> fields that name an item, tried in order; () keys items by their whole content.
SET_LISTS: dict[str, tuple[str, ...]] = {
    "env": ("name",),
    "envFrom": (),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "containers": ("name",),
    "initContainers": ("name",),
    "ports": ("name", "containerPort"),
    "tolerations": (),
    "imagePullSecrets": ("name",),
    "secret": ("envName",),
    "extraVolumes": ("name",),
    "extraVolumeMounts": ("mountPath",),
    "extraContainers": ("name",),
    "extraInitContainers": ("name",),
    "expose": (),
    "profiles": (),
    "depends_on": (),
    "scrape_configs": ("job_name",),
    "rule_files": (),
}


class ItemKey(str):
    """The key of an item of a set-like list; shown as `[key]` in a location."""

    display: str
    by_content: bool  # keyed by the item's whole content, not by a name

    def __new__(cls, value: str, display: str | None = None) -> ItemKey:
        made = super().__new__(cls, value)
        made.display = value if display is None else display
        made.by_content = display is not None
        return made


def tpl_unescape(text: str) -> str:
    """What the chart's `tpl` makes of airspec's `{{ "{{" }}` escape."""
    return text.replace('{{ "{{" }}', "{{")


def normalize(kind: str, data: Any, masker: Masker) -> Any:
    return _Normalizer(kind, masker).node(data, ())


class _Normalizer:
    def __init__(self, kind: str, masker: Masker) -> None:
        self.kind = kind
        self.masker = masker

    def node(self, value: Any, path: TreePath) -> Any:
        if isinstance(value, dict):
            return {k: self.child(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            items = [self.child(v, (*path, i)) for i, v in enumerate(value)]
            key = path[-1] if path else None
            if isinstance(key, str) and key in SET_LISTS:
                return self.keyed(items, SET_LISTS[key], path)
            return items
        return self.scalar(value, path)

    def child(self, value: Any, path: TreePath) -> Any:
        if self.kind == "compose" and _is_compose_env(path) and isinstance(value, list):
            value = compose_environment(value)
        if self.kind == "helm-values" and path == ("podTemplate",) and isinstance(value, str):
            value = _pod_template(value)
        return self.node(value, path)

    def scalar(self, value: Any, path: TreePath) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return cfg.canon(repr(value)) if isinstance(value, float) else value
        if not isinstance(value, str):
            return value
        if self.kind == "helm-values" and len(path) == 3 and path[0] == "config":
            return cfg.canon(tpl_unescape(value).replace("%%", "%"))
        if _read_as_cfg_text(self.kind, path):
            return cfg.canon(value)
        return value

    def keyed(self, items: list[Any], fields: tuple[str, ...], path: TreePath) -> dict[str, Any]:
        for name in fields:
            keys = [item.get(name) if isinstance(item, dict) else None for item in items]
            if all(isinstance(k, str | int) for k in keys) and len(set(map(str, keys))) == len(keys):
                return {ItemKey(str(k)): item for k, item in zip(keys, items, strict=True)}
        out: dict[str, Any] = {}
        for item in items:
            raw = item if isinstance(item, str) else json.dumps(item, sort_keys=True, default=str)
            shown = self.masker.tree(path, item)
            display = shown if isinstance(shown, str) else json.dumps(shown, sort_keys=True, default=str)
            out[ItemKey(raw, display)] = item
        return out


def _is_compose_env(path: TreePath) -> bool:
    return len(path) == 3 and path[0] == "services" and path[2] == "environment"


def _read_as_cfg_text(kind: str, path: TreePath) -> bool:
    if kind == "compose" and len(path) == 4 and _is_compose_env(path[:3]):
        return True
    # env[NAME].value in a container, a pod template or Helm's env list
    return len(path) >= 3 and path[-1] == "value" and path[-3] == "env"


def _pod_template(text: str) -> Any:
    try:
        return load_text(tpl_unescape(text), "podTemplate").data
    except ContentError:
        return text  # compared as text; a template that does not parse differs from airspec's anyway


def compare(
    kind: str,
    spec: Any,
    deployed: Any,
    masker: Masker,
    spec_line: Callable[[TreePath], str | None],
    only_spec_keys: bool = False,
) -> list[Change]:
    """Changes from the spec's artifact to the deployed one, both already normalised."""
    # threshold_to_diff_deeper=0: DeepDiff (8+) otherwise reports a mapping that shares under a third of its keys
    # as one "changed" value (a full copy of the chart's values.yaml beside the values airspec writes, "(whole
    # file)"), instead of key by key.
    found = DeepDiff(spec, deployed, view="tree", verbose_level=2, threshold_to_diff_deeper=0)
    changes: list[Change] = []
    for report, items in found.items():
        change_kind = _KINDS.get(report)
        if change_kind is None:
            continue
        for item in items:
            path = tuple(item.path(output_format="list"))
            if only_spec_keys and change_kind == "added":
                continue
            spec_value = None if change_kind == "added" else item.t1
            deployed_value = None if change_kind == "removed" else item.t2
            changes.append(
                Change(
                    kind,
                    format_location(path),
                    change_kind,
                    _plain(masker.tree(path, spec_value)),
                    _plain(masker.tree(path, deployed_value)),
                    spec_line(path),
                )
            )
    return sorted(changes, key=lambda c: c.location)


_KINDS = {
    "values_changed": "changed",
    "type_changes": "changed",
    "dictionary_item_added": "added",
    "iterable_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_removed": "removed",
}


def format_location(path: TreePath) -> str:
    out = ""
    for part in path:
        if isinstance(part, ItemKey):
            out += f"[{part.display}]"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(whole file)"


def _plain(value: Any) -> Any:
    """Keyed lists back as plain JSON-able data (keys as text)."""
    if isinstance(value, dict):
        return {(k.display if isinstance(k, ItemKey) else str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def collapse_services(changes: list[Change]) -> list[Change]:
    """One compose change made in many services (an env var in every Airflow service) is reported once."""
    groups: dict[tuple[str, str, str, str], list[Change]] = {}
    order: list[tuple[str, str, str, str]] = []
    for change in changes:
        head, _, rest = change.location.partition(".")
        _service, dot, tail = rest.partition(".")
        if change.artifact != "compose" or head != "services" or not dot:
            key = (change.location, change.kind, "", str(id(change)))
        else:
            values = json.dumps([change.spec_value, change.deployed_value], sort_keys=True, default=str)
            key = (tail, change.kind, values, "")
        if key not in groups:
            order.append(key)
        groups.setdefault(key, []).append(change)
    out = []
    for key in order:
        group = groups[key]
        if len(group) == 1:
            out.append(group[0])
            continue
        services = ",".join(sorted(c.location.split(".", 2)[1] for c in group))
        out.append(replace(group[0], location=f"services.{{{services}}}.{key[0]}"))
    return out
