"""airflow.cfg compared by meaning.

Section and option names are compared as written: Airflow reads only lower-case ones, so a deployed `[CORE]` or
`Parallelism` is never read (`airspec lint` reports it as AS406) and is drift here, not the spec's option; order, comments and blank lines do
not count; values are read as Airflow's get() returns them (cfgfile: `%%` is `%`, `%(name)s` the named option's
value, [DEFAULT]'s options in every section); `True`/`true` and `64`/`64.0` are the same value (booleans by Airflow's words for
boolean options: t/true/1, f/false/0). An option moved between versions is matched at the place the target version
reads it (catalog `change()`), and reported there with where it was deployed.

What counts as drift among the options the spec does not set:
- an option at Airflow's default for the version (catalog; `{AIRFLOW_HOME}`-style variables in a default match any
  value) is not drift;
- a sensitive option written into a file is drift (airspec never writes one; its value is masked);
- in a complete configuration (the REST API: every option, defaults included) an option the catalog does not know,
  or one of a provider the spec does not use, is not compared: the server shows Airflow's fallback defaults for
  providers that are not installed, and airspec has no facts to tell a default from a setting there;
- a value the server hides (`< hidden >`) is unverifiable, and only reported for options the spec sets.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from airspec.catalog import Catalog
from airspec.diff.model import Change
from airspec.errors import ContentError, InputError
from airspec.mask import MASK, Masker
from airspec.model.types import SecretRef
from airspec.resolve import Resolved

Place = tuple[str, str]
HIDDEN = "< hidden >"
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_BOOLEAN_WORDS = {"t": True, "true": True, "1": True, "f": False, "false": False, "0": False}


@dataclass(frozen=True)
class Cfg:
    """Deployed airflow.cfg options: {(section, option): value}, names and values as Airflow reads them."""

    options: dict[Place, str]
    complete: bool = False  # the whole effective configuration (REST API), defaults included
    chart_filled: frozenset[Place] = field(default_factory=frozenset)  # options the Helm chart fills in


def parse(text: str, name: str) -> dict[Place, str]:
    """Deployed airflow.cfg text -> {(section, option): value}, read by cfgfile exactly as Airflow reads the file
    (a file Airflow refuses raises ContentError at the line, never quoting it), each section with the [DEFAULT]
    options it does not set itself, values interpolated (where Airflow cannot interpolate one, its text with `%%`
    read as `%`). Names stay as written: see the module docstring."""
    from airspec import cfgfile

    parsed = cfgfile.read(text, name)
    inherited = cfgfile.inherited_count(parsed)
    if inherited > cfgfile.MAX_INHERITED:
        raise ContentError(
            f"[DEFAULT] would give the other sections {inherited} options; airspec compares at most "
            f"{cfgfile.MAX_INHERITED}",
            parsed.sections[cfgfile.DEFAULT],
        )
    out: dict[Place, str] = {}
    for section in parsed.sections:
        if section == cfgfile.DEFAULT:
            continue
        for entry in [*parsed.section(section).values(), *parsed.inherited(section)]:
            value = parsed.value(section, entry.name)
            out[(section, entry.name)] = value if value is not None else entry.value.replace("%%", "%")
    return out


def from_api(payload: Any, name: str) -> dict[Place, str]:
    """The JSON of GET /api/v2/config (3.x) or /api/v1/config (2.x): {"sections": [{"name", "options": [...]}]}."""
    sections = payload.get("sections") if isinstance(payload, dict) else None
    if not isinstance(sections, list):
        raise InputError(f"{name}: not an Airflow configuration response (no 'sections' list)")
    out: dict[Place, str] = {}
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("name"), str):
            raise InputError(f"{name}: not an Airflow configuration response (a section without a name)")
        options = section.get("options") or []
        if not isinstance(options, list):
            raise InputError(
                f"{name}: not an Airflow configuration response (a section's options are not a list)"
            )
        for option in options:
            if not isinstance(option, dict) or not isinstance(option.get("key"), str):
                continue
            value = option.get("value")
            if isinstance(value, list):  # (value, source) when the server adds sources
                value = value[0] if value else ""
            out[(section["name"], option["key"])] = "" if value is None else str(value)
    return out


def canon(value: str, type_: str | None = None) -> Any:
    """A value as its meaning: booleans and numbers by value, other text stripped."""
    text = value.strip()
    low = text.lower()
    if type_ == "boolean" and low in _BOOLEAN_WORDS:
        return _BOOLEAN_WORDS[low]
    if low in ("true", "false"):
        return low == "true"
    if _NUMBER.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return text


def same(a: str, b: str, type_: str | None = None) -> bool:
    if a == b:
        return True
    left, right = canon(a, type_), canon(b, type_)
    return type(left) is type(right) and left == right


def is_default(default: str | None, value: str, type_: str | None) -> bool:
    """Whether a deployed value is Airflow's default as the catalog records it (raw, as config.yml writes it)."""
    if default is None:
        return value.strip() == ""
    if same(default.replace("%%", "%"), value, type_):
        return True
    pattern = _default_pattern(default)
    return pattern is not None and pattern.fullmatch(value.strip()) is not None


def _default_pattern(default: str) -> re.Pattern[str] | None:
    """Airflow fills a default's `{AIRFLOW_HOME}`-style fields with str.format; here each field matches anything."""
    try:
        parts = list(string.Formatter().parse(default))
    except ValueError:
        return None
    if not any(f is not None for _, f, _, _ in parts):
        text = "".join(literal for literal, *_ in parts).replace("%%", "%")
        return re.compile(re.escape(text.strip()), re.DOTALL)
    regex = "".join(
        re.escape(literal.replace("%%", "%")) + (".*" if field_name is not None else "")
        for literal, field_name, _, _ in parts
    )
    return re.compile(regex.strip(), re.DOTALL)


def relocate(options: dict[Place, str], catalog: Catalog) -> dict[Place, tuple[str, Place | None]]:
    """Deployed options at the place the target version reads them: {place: (value, deployed place if moved)}."""
    out: dict[Place, tuple[str, Place | None]] = {}
    moved: dict[Place, tuple[str, Place]] = {}
    for place, value in options.items():
        change = catalog.change(*place) if catalog.option(*place) is None else None
        if change is not None and change.target is not None:
            new = ((change.new_section or place[0]).lower(), (change.new_option or place[1]).lower())
            if catalog.option(*new) is not None:
                moved[new] = (value, place)
                continue
        out[place] = (value, None)
    for new, (value, old) in moved.items():
        out.setdefault(new, (value, old))  # the option at its new place wins, as Airflow reads it first
    return out


def location(place: Place) -> str:
    return f"[{place[0]}] {place[1]}"


def describe_ref(ref: SecretRef, masker: Masker) -> str:
    if ref.secret is not None:
        return f"(from Secret {ref.secret.name}, key {ref.secret.key})"
    if ref.env is not None:
        return f"(from ${ref.env})"
    if ref.file is not None:
        return f"(from file {ref.file})"
    return (ref.literal or "") if masker.show else MASK


def compare(
    resolved: Resolved,
    spec: dict[Place, str],
    deployed: Cfg,
    masker: Masker,
    spec_line: Callable[[tuple[str | int, ...]], str | None],
    artifact: str = "airflow.cfg",
) -> list[Change]:
    """Changes from the spec's airflow.cfg (`spec`, as parsed from the compiled file) to the deployed one."""
    catalog = resolved.catalog
    origins = {(o.section, o.name): o.origin for o in resolved.options}
    secrets = {(s.section, s.name): s for s in resolved.secrets}
    deployed_at = relocate(deployed.options, catalog)
    changes: list[Change] = []

    def add(
        place: Place, kind: str, spec_value: Any, deployed_value: Any, note: str = "", ref: bool = False
    ) -> None:
        moved_from = deployed_at.get(place, ("", None))[1]
        if moved_from is not None:
            note = f"deployed as {location(moved_from)}" + (f"; {note}" if note else "")
        origin = origins.get(place) or (secrets[place].origin if place in secrets else None)
        changes.append(
            Change(
                artifact,
                location(place),
                kind,
                spec_value if ref else masker.option(*place, spec_value),
                masker.option(*place, deployed_value),
                spec_line(origin) if origin is not None else None,
                note,
            )
        )

    for place, spec_value in spec.items():
        type_ = _type(catalog, place)
        entry = deployed_at.get(place)
        if entry is None:
            option = catalog.option(*place)
            if option is not None and is_default(option.default, spec_value, type_):
                continue  # absent means Airflow's default, which is what the spec asks for
            add(place, "removed", spec_value, None)
        elif entry[0] == HIDDEN and deployed.complete:
            add(place, "unverifiable", spec_value, None, "the server hides this value")
        elif not same(spec_value, entry[0], type_):
            add(place, "changed", spec_value, entry[0])

    for place, secret in secrets.items():
        entry = deployed_at.get(place)
        wanted = describe_ref(secret.ref, masker)
        if entry is None:
            continue  # wired outside airflow.cfg (environment, _CMD, chart secret), as airspec writes it
        if deployed.complete:
            if entry[0].strip() == "":
                add(place, "changed", wanted, entry[0], "the spec sets this secret; it is empty", ref=True)
            else:
                add(
                    place,
                    "unverifiable",
                    wanted,
                    None,
                    "the server hides its value"
                    if entry[0] == HIDDEN
                    else "a secret: the spec names its source, not its value",
                    ref=True,
                )
        else:
            add(place, "added", None, entry[0], f"a secret written into the file; the spec takes it {wanted}")

    for place, (value, _) in sorted(deployed_at.items()):
        if place in spec or place in secrets or place in deployed.chart_filled:
            continue
        if _unset_is_fine(resolved, catalog, place, value, deployed.complete, masker):
            continue
        add(place, "added", None, value)
    return sorted(changes, key=lambda c: c.location)


def _type(catalog: Catalog, place: Place) -> str | None:
    option = catalog.option(*place)
    return option.type if option is not None else None


def _unset_is_fine(
    resolved: Resolved, catalog: Catalog, place: Place, value: str, complete: bool, masker: Masker
) -> bool:
    """Whether an option the spec does not set may be deployed with `value` (see the module docstring)."""
    option = catalog.option(*place)
    if complete:
        if value == HIDDEN or masker.option_sensitive(*place):
            return True
        if option is None or (option.provider is not None and option.provider not in providers(resolved)):
            return True
    elif masker.option_sensitive(*place) and value.strip():
        return False
    return option is not None and is_default(option.default, value, option.type)


def providers(resolved: Resolved) -> frozenset[str]:
    """Provider distributions the spec's deployment installs: those it lists, and those its executors need."""
    names = {f"apache-airflow-providers-{p.replace('.', '-')}" for p in resolved.spec.airflow.providers}
    if resolved.uses_celery:
        names.add("apache-airflow-providers-celery")
    if resolved.uses_kubernetes:
        names.add("apache-airflow-providers-cncf-kubernetes")
    return frozenset(names)
