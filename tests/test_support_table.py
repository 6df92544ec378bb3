"""No silent drop: every leaf of the published schema, set to a non-default value, is honoured by each target
(an artifact changes) or refused by validate, or has no meaning for it (n/a, with the reason). The table is what
the README shows (tools/support_table.py; `make docs`)."""

from __future__ import annotations

from tools.support_table import table


def test_every_leaf_is_honoured_refused_or_not_applicable() -> None:
    cells = {(path, target): cell for path, row in table() for target, cell in row.items()}
    assert len({path for path, _ in cells}) > 150  # the walk reached the leaves, not only the sections
    bad_samples = {key: c.note for key, c in cells.items() if c.status == "bad-sample"}
    assert bad_samples == {}, "a sample value in tools/support_table.py does not validate"
    dropped = {key for key, c in cells.items() if c.status == "dropped"}
    assert dropped == set(), "silently dropped: honour it in the renderer or refuse it in semantic.py"
    for key, c in cells.items():
        if c.status in ("refused", "n/a"):
            assert c.note, key
