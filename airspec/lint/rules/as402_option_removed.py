"""An option the target Airflow version removed.

Catches: options the target version no longer has and that have no new place: those `airflow config lint`
reports as removed, and those it misses but the version's option list no longer has
(`[scheduler] schedule_after_task_execution`, `[scheduler] standalone_dag_processor`, `[core] donot_pickle` on
3.1+, ...), back to 1.10 (`[webserver] rbac` and `authenticate` are gone from 2.0 on). A section that no version
from the target's on reads is one finding at the section, naming its options and the release that dropped it:
`[mesos]` and `[ldap]` (2.0), `[smart_sensor]` (2.4), `[kubernetes]` (3.0; Airflow 2.5 ... 2.11 read it as
`[kubernetes_executor]`, so the finding says to set them there), `[webserver]` (3.1). An option of such a section
that `airflow config lint` reports keeps its own finding at its line, as do those AS401 reports (an old name
still read, a move of the option to a place of its own). The message names the release that removed it. In airflow.cfg, Helm `config:` and AIRFLOW__ variables; specs get it from
validation.

Why: Airflow ignores the option: whatever it used to control now behaves the new way, regardless of the
value written here, and the file misleads its readers.

Bad:

    [scheduler]
    standalone_dag_processor = True

Good:

    [dag_processor]
    # Airflow 3 always runs the dag-processor separately
    refresh_interval = 300
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Opt, Rule
from airspec.lint.upgrade import change_of, dropped_section, in_dropped_section, known, section_span


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    dropped: dict[str, list[Opt]] = {}  # one finding per section no version from the target's on reads
    for opt in ctx.options:
        if in_dropped_section(ctx, opt):
            dropped.setdefault(opt.section, []).append(opt)
            continue
        change = change_of(ctx, opt)
        if change is not None and change.kind == "removed" and not known(ctx, opt):
            since = change.since or ctx.catalog.line
            yield Hit(opt.key, f"{opt.label} was removed in Airflow {since} and is ignored; delete it")
    for section, opts in dropped.items():
        yield Hit(section_span(ctx, opts[0]), _dropped(ctx, section, opts))


def _dropped(ctx: FileContext, section: str, opts: list[Opt]) -> str:
    assert ctx.catalog is not None
    dropped = dropped_section(ctx.catalog, section)
    assert dropped is not None
    names = list(dict.fromkeys(o.name for o in opts))
    new = dropped.read_as
    movable = [n for n in names if new != section and ctx.catalog.reads(new, n)]
    was = f" (Airflow {dropped.last} read it as [{new}])" if new != section else ""
    ignored = f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} ignored"
    if not movable:
        advice = "delete it" if len(names) == 1 else "delete them"
    elif len(movable) == len(names):
        advice = f"set {'it' if len(names) == 1 else 'them'} in [{new}]"
    else:
        advice = f"set {', '.join(movable)} in [{new}] and delete the rest"
    return (
        f"[{section}] was removed in Airflow {dropped.since}{was}: Airflow {ctx.catalog.line} reads no "
        f"[{section}] section, so {ignored}; {advice}"
    )


RULE = Rule(
    id="AS402",
    name="option-removed",
    severity="error",
    category="upgrade",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
