"""The published JSON Schema of airflow-spec.yaml, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from airspec.model import Spec

SCHEMA_ID = "https://airspec.dev/schema/airflow-spec.schema.json"


def spec_schema() -> dict[str, Any]:
    body = Spec.model_json_schema(mode="validation")
    # A bare string is a literal secret (SecretRef's before-validator); the generated schema cannot know that.
    ref = body["$defs"]["SecretRef"]
    body["$defs"]["SecretRef"] = {
        "anyOf": [{"type": "string", "description": "A literal value (development_only specs only)"}, ref]
    }
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **body}


def schema_text() -> str:
    return json.dumps(spec_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
