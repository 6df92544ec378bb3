"""No silent drop: every leaf of the published schema, set to a non-default value, is honoured by each target
(an artifact changes) or refused by validate, or has no meaning for it (n/a, with the reason). The table is what
the README shows (tools/support_table.py; `make docs`)."""

from __future__ import annotations

from tools.support_table import table

# Silent drops that are still open (issue #12), each a cell of the README table marked `dropped`. The test fails
# when a new one appears, and when one of these is fixed without being taken off the list.
RESOURCES = [
    f"{component}.resources.{kind}.{name}"
    for component in (
        "api_server",
        "scheduler",
        "dag_processor",
        "triggerer",
        "celery.workers",
        "celery.flower",
    )
    for kind in ("requests", "limits")
    for name in ("cpu", "memory", "ephemeral-storage", "gpu")
]
KNOWN_DROPS = {
    *((path, "compose") for path in RESOURCES),
    ("celery.flower.port", "helm"),
}


def test_every_leaf_is_honoured_refused_or_not_applicable() -> None:
    cells = {(path, target): cell for path, row in table() for target, cell in row.items()}
    assert len({path for path, _ in cells}) > 150  # the walk reached the leaves, not only the sections
    bad_samples = {key: c.note for key, c in cells.items() if c.status == "bad-sample"}
    assert bad_samples == {}, "a sample value in tools/support_table.py does not validate"
    dropped = {key for key, c in cells.items() if c.status == "dropped"}
    assert dropped - KNOWN_DROPS == set(), (
        "silently dropped: honour it in the renderer or refuse it in semantic.py"
    )
    assert KNOWN_DROPS - dropped == set(), "fixed: take it off KNOWN_DROPS"
    for key, c in cells.items():
        if c.status in ("refused", "n/a"):
            assert c.note, key
