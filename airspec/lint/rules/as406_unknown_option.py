"""An option the target Airflow version does not have.

Catches: options in sections the version knows (core and the bundled providers' sections) that are not options
of that version and not a known move or removal, with the closest known option as a suggestion; sections that
look like a misspelt known section (`[schedular]`). `<option>_cmd` and `<option>_secret` forms of sensitive
options are known. In airflow.cfg, Helm `config:` and AIRFLOW__ variables; specs get it from validation.

Why: Airflow ignores unknown options without a word, so a typo leaves the setting at its default.

Bad:

    [core]
    paralellism = 64

Good:

    [core]
    parallelism = 64
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.lint.model import FileContext, Hit, Opt, Rule
from airspec.source import Span


def _indirect(ctx: FileContext, opt: Opt) -> bool:
    """`fernet_key_cmd`, `sql_alchemy_conn_secret`: Airflow reads a sensitive option from a command or backend."""
    assert ctx.catalog is not None
    for suffix in ("_cmd", "_secret"):
        if opt.name.endswith(suffix):
            base = ctx.catalog.option(opt.section, opt.name.removesuffix(suffix))
            if base is not None and base.sensitive:
                return True
    return False


def _section_span(ctx: FileContext, opt: Opt) -> Span:
    if ctx.ini is not None and opt.section in ctx.ini.sections:
        return ctx.ini.sections[opt.section]
    if ctx.kind == "helm-values" and ctx.has("config", opt.section):
        return ctx.key("config", opt.section)
    return opt.key


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    catalog = ctx.catalog
    assert catalog is not None
    sections = set(catalog.sections())
    for opt in ctx.options:
        later = catalog.added_after(opt.section, opt.name, ctx.version)
        if later is not None:
            yield Hit(
                opt.key,
                f"{opt.label} is not an option of Airflow {ctx.version} (Airflow {later} added it), so it is "
                "ignored until you upgrade",
            )
            continue
        if opt.section == "DEFAULT" or catalog.reads(opt.section, opt.name):
            continue
        if catalog.change(opt.section, opt.name) is not None or _indirect(ctx, opt):
            continue
        if opt.section not in sections:
            import difflib

            close = difflib.get_close_matches(opt.section, sorted(sections), n=1, cutoff=0.8)
            if close:
                yield Hit(
                    _section_span(ctx, opt),
                    f"[{opt.section}] is not a section of Airflow {catalog.line}; did you mean [{close[0]}]?",
                )
            continue  # another provider's section, perhaps: not ours to judge
        hint = catalog.suggest(opt.section, opt.name)
        advice = ""
        if hint:
            section, _, name = hint.partition("] ")
            advice = f"; did you mean {ctx.spell(section.lstrip('['), name)}?"
        yield Hit(
            opt.key, f"{opt.label} is not an option of Airflow {catalog.line}, so it is ignored{advice}"
        )


RULE = Rule(
    id="AS406",
    name="unknown-option",
    severity="warning",
    category="upgrade",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
