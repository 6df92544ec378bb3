"""A `%` in an airflow.cfg value stops Airflow from reading the file.

Catches: a `%` that is not written `%%` and does not start a `%(name)s` reference; `%(name)s` references to options
the section (and [DEFAULT]) does not set, to the option itself, into a loop of references, more than 10 levels
deep, or to an option whose own value fails; in airflow.cfg and in Helm `config:` (the chart copies those values
into airflow.cfg as they are). Names are case-sensitive, as Airflow reads them: `%(Host)s` does not name `host`.
[DEFAULT]'s values are checked as each section that has them reads them.

Why: Airflow reads airflow.cfg with ConfigParser's interpolation, so a single `%` (a log format, a URL-encoded
password, a strftime pattern) raises InterpolationSyntaxError, and a reference it cannot resolve raises
InterpolationMissingOptionError or InterpolationDepthError, when the option is read: the component crashes at
start-up or when it first needs the value.

Bad:

    [logging]
    log_format = %(asctime)s %(message)s 100%
    [core]
    dags_folder = %(dags_folder)s

Good:

    [logging]
    log_format = %%(asctime)s %%(message)s 100%%
    [core]
    dags_folder = /opt/airflow/dags
"""

from __future__ import annotations

from collections.abc import Iterator

from airspec.cfgfile import DEFAULT, MAX_STEPS, Interpolation, describe
from airspec.lint.model import FileContext, Hit, Rule
from airspec.source import Span

# Readings of [DEFAULT] values in sections that set names those values refer to (each reads them differently):
# a file with many such sections and many such values would otherwise take (sections x values) work.
MAX_DEFAULT_READINGS = 100_000


def _sensitive(ctx: FileContext, section: str, name: str) -> bool:
    known = ctx.catalog.option(section, name) if ctx.catalog is not None else None
    return known is not None and known.sensitive


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    cfg = ctx.ini
    assert cfg is not None
    interpolation = cfg.interpolation
    contexts: list[str] | None = None
    readings = 0
    for entry in cfg.entries:
        if "%" not in entry.value:
            continue
        if entry.section == DEFAULT:
            if readings > MAX_DEFAULT_READINGS:
                continue
            contexts = interpolation.default_contexts() if contexts is None else contexts
            readers = [c for c in contexts if c == DEFAULT or entry.name not in cfg.section(c)]
            readings += len(readers)
            if readings > MAX_DEFAULT_READINGS:
                yield Hit(
                    entry.key,
                    f"[DEFAULT]'s values are read differently in {len(contexts)} sections, too many to check "
                    "each reading; [DEFAULT] values from here on are not checked",
                    "info",
                )
                continue
        else:
            readers = [entry.section]
        for reader in readers:
            problems = interpolation.problems(reader, entry.name)
            if interpolation.exhausted:
                break
            if not problems:
                continue
            sensitive = _sensitive(ctx, reader, entry.name)
            where = "" if reader == entry.section else f" (as [{reader}] reads it)"
            for span, problem in zip(entry.spans_at([p.offset for p in problems]), problems, strict=True):
                yield Hit(span, f"[{entry.section}] {entry.name}: {describe(problem, sensitive)}{where}")
            break  # one section that cannot read a [DEFAULT] value is enough to say so
        if interpolation.exhausted:
            yield Hit(
                entry.key,
                f"the %-references of this file take more than {MAX_STEPS} steps to follow; options from here on "
                "are not checked",
                "info",
            )
            return


def check_helm(ctx: FileContext) -> Iterator[Hit]:
    # env entries are not interpolated; Go templates are rendered by the chart first
    opts = [o for o in ctx.options if o.label.startswith("config.") and "{{" not in o.raw]
    values: dict[str, dict[str, str]] = {}
    for opt in opts:
        values.setdefault(opt.section, {})[opt.name] = opt.raw
    interpolation = Interpolation(values)
    for opt in opts:
        if "%" not in opt.raw:
            continue
        for problem in interpolation.problems(opt.section, opt.name):
            message = describe(problem, _sensitive(ctx, opt.section, opt.name))
            yield Hit(opt.at, f"{opt.label}: {message}")
        if interpolation.exhausted:
            yield Hit(Span(ctx.file, 1, 1), "the %-references of `config:` are too many to follow", "info")
            return


RULE = Rule(
    id="AS208",
    name="cfg-percent",
    severity="error",
    category="reliability",
    files={"airflow.cfg": check_cfg, "helm-values": check_helm},
)
