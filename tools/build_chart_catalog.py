#!/usr/bin/env python3
"""Build the committed Helm chart facts in ``airspec/catalog/charts/`` from copies of the official chart's files.

Usage::

    python tools/build_chart_catalog.py [SOURCE] [--out airspec/catalog/charts]

SOURCE (default ``../shared/upstream/helm-chart`` beside the repository) holds the chart's data files as copied from
``chart/`` of apache/airflow: ``versions/<release>/{values.schema.json,values.yaml,Chart.yaml}`` for each release in
``RELEASES``, and ``values.schema.json`` + ``values.yaml`` (no Chart.yaml) at the top for the newest one. Nothing
from the chart is executed; YAML is read with ruamel.yaml.

Per release three files are written:

* ``chart-<release>.schema.json``: the chart's own values schema, minified (sorted keys, no spaces), with the
  annotation keywords that carry upstream prose or documentation layout removed (``ANNOTATIONS``). Only keywords are
  removed, never a property *named* ``description``, and never anything inside ``enum``, ``const`` or ``default``.
  The build checks that the stripped schema reports exactly the errors the upstream schema reports, for the chart's
  default values and for a set of broken variants of them.
* ``chart-<release>.json``: facts (versions, which sections exist, the keys under ``workers`` and ``data``, the
  top-level keys, the sections that reject unknown keys, and the defaults in ``DEFAULT_PATHS``).
* ``chart-<release>.defaults.json``: the release's values.yaml as data (every default, comments dropped), minified:
  what `airspec import` compares a values file with ("equal to the chart's default").

and ``index.json`` lists the releases oldest first with the default one (the newest).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from jsonschema.validators import validator_for
from packaging.version import Version
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "upstream" / "helm-chart"
DEFAULT_OUT = REPO / "airspec" / "catalog" / "charts"


class Release(NamedTuple):
    folder: str  # under SOURCE; "" for the top-level files
    commit: str  # apache/airflow commit the files were copied from
    ref: str  # what that commit is
    exact: bool  # the files are the release's own (or its shipped release candidate's)
    released: bool  # a published chart version: `helm ... --version <name>` finds it


# Source: ../shared/upstream/helm-chart/versions/README.md (folders, commits, "how exact") and
# ../shared/upstream/README.md (the top-level files). The data files do not carry their commit.
#
# The newest files are apache/airflow main at de1e3bde, AFTER chart 1.22.0 (work toward the next release); no
# 1.21/1.22 release tree was obtainable. The README says they "stand for 1.22.x". They are catalogued as "1.22.0",
# the newest released chart, so that a `helm ... --version` pin made from the catalog names a chart that exists;
# `exact: false` records that what the catalog says about 1.22.0 was measured on main after it and may include
# changes 1.22.0 does not have.
RELEASES = {
    "1.16.0": Release("versions/1.16.0", "29041bd5195a7b6358e4bdfbb0921cb5d585b62e", "main before 1.16.0 release", True, True),
    "1.17.0": Release("versions/1.17.0", "7c74b2a4203bf44bbff135bde5a071833d5a3500", "main before 1.17.0 release", True, True),
    "1.18.0": Release("versions/1.18.0", "48ae6af196270e51ee9e9af853cacf474633c60b", "release notes for 1.18.0rc2", True, True),
    "1.19.0": Release("versions/1.19.0", "5dc0143e7df3d7d0985aaffdfd96df9905432150", "1.19.0rc3 (shipped)", True, True),
    "1.20.0-dev": Release("versions/1.20.0-dev", "dda8d2786710c72791b821f70c8b6f43c19e0b1e", "main, unreleased", True, False),
    "1.22.0": Release("", "de1e3bde0df8ae18b4cc526741c9ac7b388429bd", "main after 1.22.0", False, True),
}  # fmt: skip

# Facts that no data file holds, from the READMEs above (which cite the chart's public release notes).
# app_version: Chart.yaml appVersion of the published 1.22.0 (its values.yaml copy here is main's, default 3.3.2).
# min_helm_version: "1.22.0 ... needs Helm >= 3.19.0"; not stated for the other releases (null).
# min_airflow_version: "1.20.0-dev supports Airflow 2.11.0 and newer" (the chart refuses to render older ones); the
# build checks it against what the schema's airflowVersion says. Not known for 1.16-1.19 (null).
README_FACTS: dict[str, dict[str, str]] = {
    "1.20.0-dev": {"min_airflow_version": "2.11.0"},
    "1.22.0": {"app_version": "3.2.2", "min_helm_version": "3.19.0"},
}

# Annotation keywords removed from the shipped schemas: upstream prose and docs layout, none of which constrains.
ANNOTATIONS = frozenset(
    {"title", "description", "examples", "$comment", "x-docsSection", "x-docsSectionOrder"}
)
# Keywords whose value maps names to subschemas, holds a list of subschemas, or is one subschema.
NAMED_SUBSCHEMAS = frozenset({"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"})
SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
SUBSCHEMA = frozenset(
    {
        "not",
        "if",
        "then",
        "else",
        "items",
        "additionalItems",
        "additionalProperties",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contains",
        "propertyNames",
    }
)
# Keywords whose values are data or plain facts (not subschemas); anything else is refused, so a new keyword
# in a future schema is looked at before it is shipped.
LEAF_KEYWORDS = frozenset(
    {
        "$schema",
        "$ref",
        "type",
        "enum",
        "const",
        "default",
        "required",
        "format",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "multipleOf",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-list-type",
        "x-kubernetes-map-type",
        "x-kubernetes-patch-merge-key",
        "x-kubernetes-patch-strategy",
        "x-kubernetes-unions",
    }
)

# Chart defaults airspec reads (dotted paths into values.yaml); a path a release does not have is left out.
DEFAULT_PATHS = (
    "airflowHome",
    "defaultAirflowRepository",
    "executor",
    "images",
    "ports",
    "enableBuiltInSecretEnvVars",
    "dagProcessor.enabled",
    "triggerer.enabled",
    "statsd.enabled",
    "redis.enabled",
    "postgresql.enabled",
    "pgbouncer.enabled",
    "flower.enabled",
    "workers.replicas",
    "workers.celery.replicas",
)
ROOT_KEYWORDS = frozenset({"$schema", "type", "properties", "definitions"})
DATA_SECRET_KEYS = ("metadataSecretKey", "brokerUrlSecretKey", "resultBackendSecretKey")
MIN_AIRFLOW = re.compile(r"Version (\d+\.\d+\.\d+) and above is supported")
Json = dict[str, Any]


def strip(schema: Any, where: str = "#") -> Any:
    """A copy of a (sub)schema without the ANNOTATIONS keywords."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict):
        raise ValueError(f"{where}: a schema must be an object or a boolean")
    out: Json = {}
    for key, value in schema.items():
        at = f"{where}/{key}"
        if key in ANNOTATIONS:
            continue
        if key in NAMED_SUBSCHEMAS:
            out[key] = {name: strip(sub, f"{at}/{name}") for name, sub in value.items()}
        elif key in SUBSCHEMA_LISTS or (key == "items" and isinstance(value, list)):
            out[key] = [strip(sub, f"{at}/{i}") for i, sub in enumerate(value)]
        elif key in SUBSCHEMA:
            out[key] = strip(value, at)
        elif key in LEAF_KEYWORDS:
            if key == "$ref" and not value.startswith("#/definitions/"):
                raise ValueError(f"{at}: only local #/definitions references are expected, got {value!r}")
            out[key] = copy.deepcopy(value)
        else:
            raise ValueError(f"{at}: keyword {key!r} is not known to this tool; classify it first")
    return out


def errors(validator: Any, instance: Any) -> list[tuple[str, str, str, str]]:
    found = [
        (
            "/".join(str(p) for p in e.absolute_path),
            "/".join(str(p) for p in e.absolute_schema_path),
            str(e.validator),
            e.message,
        )
        for e in validator.iter_errors(instance)
    ]
    return sorted(found)


def broken_variants(values: Json) -> list[Json]:
    """Documents that break the schema in one place each: an unknown top-level key, and for each top-level key a
    value of the wrong type, an unknown key inside it, and each of its own keys given a value of the wrong type.
    Each holds only the key it breaks: the root constrains nothing but each property (see ``ROOT_KEYWORDS``)."""
    variants: list[Json] = [{"zzUnknownTopLevel": 1}]
    for key, value in sorted(values.items()):
        variants.append({key: [] if not isinstance(value, list) else "text"})
        if isinstance(value, dict):
            variants.append({key: dict(value, zzUnknown={"x": 1})})
            for sub, sub_value in sorted(value.items()):
                wrong: Any = {"x": 1} if not isinstance(sub_value, dict) else 12
                variants.append({key: dict(value, **{sub: wrong})})
    return variants


def check_stripped(upstream: Json, stripped: Json, values: Json) -> tuple[int, int]:
    """The stripped schema must report exactly what the upstream one reports: same instance paths, schema paths,
    keywords and messages. Returns (documents compared, errors compared)."""
    if set(upstream) - ANNOTATIONS != ROOT_KEYWORDS:
        raise SystemExit(
            f"the schema root has keywords {sorted(upstream)}; broken_variants assumes {ROOT_KEYWORDS}"
        )
    validator_for(stripped).check_schema(stripped)
    before, after = validator_for(upstream)(upstream), validator_for(stripped)(stripped)
    documents = [values, *broken_variants(values)]
    compared = 0
    for doc in documents:
        found = errors(before, doc)
        if found != errors(after, doc):
            raise SystemExit(f"the stripped schema does not validate {sorted(doc)} like the upstream one")
        compared += len(found)
    return len(documents), compared


def get(values: Json, dotted: str) -> tuple[bool, Any]:
    node: Any = values
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def resolve(schema: Json, node: Json) -> Json:
    while "$ref" in node:
        node = schema["definitions"][node["$ref"].removeprefix("#/definitions/")]
    return node


def strict(schema: Json, node: Json) -> bool:
    return resolve(schema, node).get("additionalProperties") is False


def facts(name: str, spec: Release, source: Path, schema: Json, values: Json) -> Json:
    props = schema["properties"]
    folder = source / spec.folder
    chart: Json | None = None
    if (folder / "Chart.yaml").exists():
        chart = YAML(typ="safe", pure=True).load((folder / "Chart.yaml").read_text(encoding="utf-8"))
    readme = README_FACTS.get(name, {})
    stated = MIN_AIRFLOW.search(props["airflowVersion"].get("description", ""))
    min_airflow = stated.group(1) if stated else None
    if "min_airflow_version" in readme and readme["min_airflow_version"] != min_airflow:
        raise SystemExit(
            f"{name}: README says Airflow {readme['min_airflow_version']}+, schema {min_airflow}"
        )
    if chart is not None and "app_version" in readme:
        raise SystemExit(f"{name}: has a Chart.yaml; its appVersion is not taken from the README table")
    workers = resolve(schema, props["workers"]).get("properties", {})
    celery = resolve(schema, workers["celery"]).get("properties", {}) if "celery" in workers else {}
    data = resolve(schema, props["data"]).get("properties", {})
    defaults = {}
    for path in DEFAULT_PATHS:
        present, value = get(values, path)
        if present:
            defaults[path] = value
    return {
        "version": name,
        "released": spec.released,
        "exact": spec.exact,
        "source": {
            "commit": spec.commit,
            "ref": spec.ref,
            "schema_sha256": hashlib.sha256((folder / "values.schema.json").read_bytes()).hexdigest(),
            "values_sha256": hashlib.sha256((folder / "values.yaml").read_bytes()).hexdigest(),
        },
        "chart_yaml_version": None if chart is None else str(chart["version"]),
        "app_version": str(chart["appVersion"]) if chart is not None else readme["app_version"],
        "default_airflow_version": str(values["airflowVersion"]),
        "default_airflow_tag": str(values["defaultAirflowTag"]),
        "min_airflow_version": min_airflow,
        "min_helm_version": readme.get("min_helm_version"),
        "dependencies": None
        if chart is None
        else {d["name"]: str(d["version"]) for d in chart["dependencies"]},
        "schema_draft": schema["$schema"],
        "has_webserver": "webserver" in props,
        "has_api_server": "apiServer" in props,
        "has_dag_processor": "dagProcessor" in props,
        "has_workers_celery": "celery" in workers,
        "workers_keys": sorted(workers),
        "workers_celery_keys": sorted(celery),
        "data_keys": sorted(data),
        "data_secret_keys": [k for k in DATA_SECRET_KEYS if k in data],
        "builtin_secret_env_vars": sorted(
            resolve(schema, props["enableBuiltInSecretEnvVars"]).get("properties", {})
        ),
        "top_level_keys": sorted(props),
        "strict_sections": sorted(k for k, v in props.items() if strict(schema, v)),
        "defaults": defaults,
    }


def dump(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")


def build(source: Path, out: Path) -> None:
    names = sorted(RELEASES, key=Version)
    out.mkdir(parents=True, exist_ok=True)
    suffixes = (".json", ".schema.json", ".defaults.json")
    wanted = {f"chart-{n}{suffix}" for n in names for suffix in suffixes} | {"index.json"}
    for stale in {p.name for p in out.glob("*.json")} - wanted:
        (out / stale).unlink()
    for name in names:
        folder = source / RELEASES[name].folder
        upstream = json.loads((folder / "values.schema.json").read_text(encoding="utf-8"))
        values = YAML(typ="safe", pure=True).load((folder / "values.yaml").read_text(encoding="utf-8"))
        if set(values) != set(upstream["properties"]):
            raise SystemExit(f"{name}: values.yaml's top-level keys differ from the schema's properties")
        stripped = strip(upstream)
        documents, compared = check_stripped(upstream, stripped, values)
        if errors(validator_for(stripped)(stripped), values):
            raise SystemExit(f"{name}: the chart's own values.yaml does not validate against its schema")
        print(
            f"{name}: the stripped schema reports the upstream's {compared} errors in {documents} documents"
        )
        minified = json.dumps(stripped, separators=(",", ":"), sort_keys=True)
        dump(out / f"chart-{name}.schema.json", minified + "\n")
        defaults = json.dumps(values, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        dump(out / f"chart-{name}.defaults.json", defaults + "\n")
        record = facts(name, RELEASES[name], source, upstream, values)
        dump(out / f"chart-{name}.json", json.dumps(record, sort_keys=True, indent=1) + "\n")
    index = {"releases": names, "default": names[-1], "generated_by": "tools/build_chart_catalog.py"}
    dump(out / "index.json", json.dumps(index, sort_keys=True, indent=1) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Build airspec/catalog/charts from the official chart's files."
    )
    parser.add_argument(
        "source", type=Path, nargs="?", default=DEFAULT_SOURCE, help=f"default: {DEFAULT_SOURCE}"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.source / "values.schema.json").exists():
        raise SystemExit(f"{args.source} does not hold the chart's values.schema.json")
    build(args.source, args.out)


if __name__ == "__main__":
    main()
