"""An option the target Airflow version moved or renamed.

Catches: every option that the target version reads under another section or name, as `airflow config lint`
reports them (`[webserver] expose_config` -> `[api] expose_config`, `[scheduler] processor_poll_interval` ->
`[scheduler] scheduler_idle_sleep_time`, ...), plus the renames Airflow still reads with a deprecation warning
(reported as warnings), back to 1.10 (`[core] remote_logging` -> `[logging] remote_logging` in 2.0; 1.10's
`[celery] celery_result_backend`, which 2.0 no longer reads). The message names the release that made the
move. In airflow.cfg, Helm `config:` and AIRFLOW__ variables; specs get it from validation.

Why: at the old place the option is ignored (or read only until the next release): the deployment silently
runs with the default, which for settings like `expose_config`, `secret_key` or ports changes behaviour.

Bad:

    [webserver]
    web_server_port = 8080

Good:

    [api]
    port = 8080
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Rule
from airspec.lint.upgrade import change_of, final_place, in_dropped_section, known


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    assert ctx.catalog is not None
    for opt in ctx.options:
        change = change_of(ctx, opt)
        if change is None or change.kind not in ("moved", "renamed") or known(ctx, opt):
            continue
        if in_dropped_section(ctx, opt):
            continue  # AS402's one finding for the section ([kubernetes] on Airflow 3) names where it went
        section, name = final_place(ctx.catalog, opt.section, opt.name)
        verb = "moved" if section != opt.section else "renamed"
        since = change.since or ctx.catalog.line
        message = f"{opt.label} {verb} to [{section}] {name} in Airflow {since}; set {ctx.spell(section, name)} instead"
        later = ctx.catalog.added_after(section, name, ctx.version)
        if later is not None:  # the release the file is for does not have the new name yet
            message = (
                f"{opt.label} {verb} to [{section}] {name}, which Airflow {later} added; {ctx.version} reads "
                f"the old name: keep it until you upgrade to {later} or later"
            )
            yield Hit(opt.key, message, "info")
            continue
        if change.still_read:
            yield Hit(opt.key, message + " (the old name still works, with a deprecation warning)", "warning")
        else:
            yield Hit(opt.key, message + " (the old name is ignored)")


RULE = Rule(
    id="AS401",
    name="option-moved",
    severity="error",
    category="upgrade",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
