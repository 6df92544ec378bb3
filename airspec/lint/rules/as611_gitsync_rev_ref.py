"""git-sync is given two different revisions: `rev`/`branch` (git-sync v3) and `ref` (git-sync v4).

Catches: Helm values whose `dags.gitSync` sets `ref` and also `rev` (or, with `rev` at `HEAD`, `branch`) to
another revision. The chart passes both; the chart's values say `ref` is read by git-sync v4 only, so which one is
checked out depends on the git-sync image (`images.gitSync.tag`, the chart's default when unset): the message
names it.

Why: one file says two things about which commit the DAGs come from; the one the running git-sync ignores is the
one a reader of the file is likely to trust (a pinned `rev` while v4 follows `ref`'s branch), and a later image
upgrade from v3 to v4 silently switches between them.

Bad:

    dags:
      gitSync:
        rev: 4f2a9c1
        ref: main

Good:

    dags:
      gitSync:
        ref: 4f2a9c1
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.inputs import version_in
from airspec.lint.model import FileContext, Hit, Rule


def _image_tag(ctx: FileContext) -> str | None:
    tag = ctx.get("images", "gitSync", "tag")
    if isinstance(tag, str):
        return tag
    if ctx.version is None:
        return None
    from airspec.catalog import charts

    named = tuple(str(ctx.get(k)) for k in ("airflowVersion", "defaultAirflowTag") if version_in(ctx.get(k)))
    try:
        default = charts.release(charts.release_for(ctx.version, named)[0]).default("images.gitSync.tag")
    except KeyError:
        return None
    return str(default)


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    sync = ctx.get("dags", "gitSync")
    if not isinstance(sync, dict) or "ref" not in sync or sync.get("ref") is None:
        return
    rev = sync.get("rev")
    old, key = (rev, "rev") if rev is not None and str(rev) != "HEAD" else (sync.get("branch"), "branch")
    if old is None or str(old) == str(sync["ref"]):
        return
    tag = _image_tag(ctx)
    reads = ""
    if tag and tag.lstrip("v")[:1] in ("3", "4"):
        used = "ref" if tag.lstrip("v")[:1] == "4" else key
        reads = f"; the git-sync image here ({tag}) reads {used}, so {'rev/branch' if used == 'ref' else 'ref'} is ignored"
    yield Hit(
        ctx.key("dags", "gitSync", key),
        f"dags.gitSync.{key} {str(old)!r} and dags.gitSync.ref {str(sync['ref'])!r} name different revisions: "
        f"git-sync v3 reads {key}, v4 reads ref{reads}; keep one",
    )


RULE = Rule(
    id="AS611",
    name="gitsync-rev-ref",
    severity="warning",
    category="consistency",
    files={"helm-values": check_helm},
)
