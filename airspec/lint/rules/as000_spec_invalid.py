"""The spec does not validate; each validation error is reported here.

Catches: everything `airspec validate` reports for a spec: unknown or misspelt keys, wrong types, options the
target Airflow version does not have, literal secrets outside development_only specs.

Why: a spec that does not validate cannot be compiled or checked further; the other rules run only on specs
that validate. This rule cannot be turned off and its findings cannot be suppressed: fix the spec.

Bad:

    name: demo
    airflow:
      version: "3.3"
    scheduler:
      replica: 2          # unknown key

Good:

    name: demo
    airflow:
      version: "3.3"
    scheduler:
      replicas: 2
"""

from __future__ import annotations

from airspec.lint.model import Rule

RULE = Rule(
    id="AS000",
    name="spec-invalid",
    severity="error",
    category="meta",
)
