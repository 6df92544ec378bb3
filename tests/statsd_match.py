"""statsd_exporter's mapping semantics, rebuilt in Python so tests can ask which mapping a StatsD name meets and
what Prometheus name and labels it becomes.

Followed from prometheus/statsd_exporter, pkg/mapper/ (mapper.go, fsm/fsm.go, fsm/formatter.go, escape.go) and
pkg/exporter/exporter.go:

- Loading (`InitFromYAMLString`): every mapping needs a `name` matching metricNameRE (drop mappings too), label
  keys match labelNameRE, a glob `match` must match metricLineRE, a regex must compile, `action` is `map` or
  `drop`, `match_type` `glob` (the default) or `regex`.
- Matching (`GetMapping`): globs first. A `*` stands for exactly one dot-separated field (the FSM splits on `.`),
  and with ordering on (the default) the earliest matching glob wins. Only when no glob matches are the regex
  mappings tried, in file order, unanchored (`FindStringSubmatchIndex`), skipping one whose `match_metric_type`
  differs.
- Names and labels: globs substitute `$n` / `${n}` (1-based captures; any other reference becomes empty, as
  fsm.TemplateFormatter does); regexes expand like Go's `Regexp.ExpandString` (`$1`, `${1}`, `$name`, `$$`,
  the longest `[A-Za-z0-9_]` run is the reference). The exporter then escapes the name (`EscapeMetricName`); an
  unmapped StatsD name is exported under its escaped self.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_FIRST = r"[a-zA-Z_](-?[a-zA-Z0-9_])*"
_NEXT = r"[a-zA-Z0-9_](-?[a-zA-Z0-9_])*"
METRIC_LINE = re.compile(rf"^(\*|{_FIRST})(\.\*|\.{_NEXT})*$")
_TEMPLATE_REF = r"(\$\{?\d+\}?)"
METRIC_NAME = re.compile(rf"^([a-zA-Z_]|{_TEMPLATE_REF})([a-zA-Z0-9_]|{_TEMPLATE_REF})*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]+$")
_GLOB_REF = re.compile(r"\$\{?([a-zA-Z0-9_$]+)\}?")
_GO_NAME = re.compile(r"[A-Za-z0-9_]+")


class MappingError(ValueError):
    """A mapping statsd_exporter would refuse to load."""


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per mapping of a file
class Mapping:
    index: int
    match: str
    name: str
    labels: dict[str, str]
    match_type: str
    action: str
    match_metric_type: str | None
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Result:
    mapping: Mapping | None  # None: no mapping matched
    name: str  # escaped Prometheus name ("" when dropped)
    labels: dict[str, str]

    @property
    def dropped(self) -> bool:
        return self.mapping is not None and self.mapping.action == "drop"


def escape_metric_name(name: str) -> str:
    """pkg/mapper/escape.go: invalid characters become `_`, a leading digit gets `_` before it, and the second of
    two dashes in a row is dropped."""
    if not name:
        return ""
    out = ["_"] if name[0].isdigit() else []
    prev = ""
    for c in name:
        if c.isascii() and (c.isalnum() or c == "_"):
            out.append(c)
        elif not (c == "-" and prev == "-"):
            out.append("_")
        prev = c
    return "".join(out)


def _glob_format(template: str, captures: list[str]) -> str:
    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.isdigit() and 1 <= int(ref) <= len(captures):
            return captures[int(ref) - 1]
        return ""

    return _GLOB_REF.sub(one, template)


def _go_expand(template: str, m: re.Match[str]) -> str:
    """Go's Regexp.ExpandString."""
    out: list[str] = []
    i = 0
    while i < len(template):
        c = template[i]
        if c != "$":
            out.append(c)
            i += 1
            continue
        rest = template[i + 1 :]
        if rest.startswith("$"):
            out.append("$")
            i += 2
            continue
        if rest.startswith("{"):
            end = rest.find("}")
            ref = rest[1:end] if end > 1 else ""
            if not ref or not _GO_NAME.fullmatch(ref):
                out.append("$")
                i += 1
                continue
            i += 2 + end
        else:
            found = _GO_NAME.match(rest)
            if not found:
                out.append("$")
                i += 1
                continue
            ref = found.group(0)
            i += 1 + len(ref)
        out.append(_group(m, ref))
    return "".join(out)


def _group(m: re.Match[str], ref: str) -> str:
    try:
        value = m.group(int(ref)) if ref.isdigit() else m.group(ref)
    except IndexError:  # no such group: Go expands it to nothing
        return ""
    return value or ""


def _type_ok(mapping: Mapping, metric_type: str | None) -> bool:
    return not (mapping.match_metric_type and metric_type and mapping.match_metric_type != metric_type)


class Mapper:
    """A loaded mapping file, as statsd_exporter's MetricMapper with its defaults (glob, ordering on)."""

    def __init__(self, config: dict[str, Any]) -> None:
        defaults = config.get("defaults") or {}
        default_type = defaults.get("match_type") or "glob"
        self.mappings: list[Mapping] = []
        for i, raw in enumerate(config.get("mappings") or []):
            self.mappings.append(self._load(i, raw, default_type))

    @staticmethod
    def _load(i: int, raw: dict[str, Any], default_type: str) -> Mapping:
        labels = {str(k): "" if v is None else str(v) for k, v in (raw.get("labels") or {}).items()}
        for key in labels:
            if not LABEL_NAME.match(key):
                raise MappingError(f"invalid label key: {key}")
        name = raw.get("name") or ""
        if not name:
            raise MappingError(f"line {i}: metric mapping didn't set a metric name")
        if not METRIC_NAME.match(name):
            raise MappingError(f"metric name '{name}' doesn't match regex")
        match_type = raw.get("match_type") or default_type
        action = raw.get("action") or "map"
        if action not in ("map", "drop"):
            raise MappingError(f"invalid action type {action!r}")
        match = str(raw["match"])
        if match_type == "glob":
            if not METRIC_LINE.match(match):
                raise MappingError(f"invalid match: {match}")
            regex = re.compile("^" + match.replace(".", r"\.").replace("*", "([^.]*)") + "$")
        elif match_type == "regex":
            try:
                regex = re.compile(match)
            except re.error as exc:
                raise MappingError(f"invalid regex {match} in mapping: {exc}") from None
        else:
            raise MappingError(f"invalid match type {match_type!r}")
        return Mapping(i, match, name, labels, match_type, action, raw.get("match_metric_type"), regex)

    def get(self, metric: str, metric_type: str | None = None) -> Result:
        for mapping in self.mappings:
            if mapping.match_type != "glob" or not _type_ok(mapping, metric_type):
                continue
            m = mapping.regex.match(metric)
            if m:
                captures = list(m.groups())
                name = _glob_format(mapping.name, captures)
                labels = {k: _glob_format(v, captures) for k, v in mapping.labels.items()}
                return self._result(mapping, name, labels)
        for mapping in self.mappings:
            if mapping.match_type != "regex":
                continue
            m = mapping.regex.search(metric)
            if not m:
                continue
            if not _type_ok(mapping, metric_type):
                continue
            labels = {k: _go_expand(v, m) for k, v in mapping.labels.items()}
            return self._result(mapping, _go_expand(mapping.name, m), labels)
        return Result(None, escape_metric_name(metric), {})

    @staticmethod
    def _result(mapping: Mapping, name: str, labels: dict[str, str]) -> Result:
        if mapping.action == "drop":
            return Result(mapping, "", {})
        return Result(mapping, escape_metric_name(name), labels)
