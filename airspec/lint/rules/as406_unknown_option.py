"""An option the target Airflow version does not have.

Catches: options in sections the version knows (core and the bundled providers' sections) that are not options
of that version and not a known move or removal, with the closest known option as a suggestion; sections that
look like a misspelt known section (`[schedular]`); in airflow.cfg, a section or option name written with capitals
(`[Core]`, `Executor`): Airflow looks names up in lower case only and its parser keeps them as written, so it
never reads those. A section that a later Airflow line reads and the target does not (`[dag_processor]` on 2.x)
is one finding at the section, naming its options and the release that added it; a section no version from the
target's on reads (`[mesos]`, `[kubernetes]` on Airflow 3) is AS402's. `<option>_cmd` and `<option>_secret` forms of sensitive options are known. In airflow.cfg,
Helm `config:` and AIRFLOW__ variables; specs get it from validation.

The closest known name is looked up for the first 1,000 unknown names of a file (each look-up compares it with
every name of the section); later findings of a generated file with more say what is wrong without the hint.

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
from typing import TYPE_CHECKING

from airspec.lint.model import FileContext, Hit, Opt, Rule
from airspec.lint.upgrade import dropped_section, section_span

if TYPE_CHECKING:
    from airspec.catalog import Catalog

MAX_SUGGESTIONS = 1000  # look-ups of a close name per file: ~0.3 ms each (difflib)


def _indirect(ctx: FileContext, opt: Opt) -> bool:
    """`fernet_key_cmd`, `sql_alchemy_conn_secret`: Airflow reads a sensitive option from a command or backend."""
    assert ctx.catalog is not None
    for suffix in ("_cmd", "_secret"):
        if opt.name.endswith(suffix):
            base = ctx.catalog.option(opt.section, opt.name.removesuffix(suffix))
            if base is not None and base.sensitive:
                return True
    return False


def _known(ctx: FileContext, section: str, name: str) -> bool:
    assert ctx.catalog is not None
    return ctx.catalog.option(section, name) is not None or ctx.catalog.change(section, name) is not None


class _Hints:
    """Close-name look-ups (difflib), each once, at most MAX_SUGGESTIONS per file."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.sections = sorted(catalog.sections())
        self.found: dict[tuple[str, str], str | None] = {}

    def section(self, name: str) -> str | None:
        key = ("[section]", name)
        if key not in self.found:
            import difflib

            close = difflib.get_close_matches(name, self.sections, n=1, cutoff=0.8) if self._left() else []
            self.found[key] = close[0] if close else None
        return self.found[key]

    def option(self, section: str, name: str) -> str | None:
        key = (section, name)
        if key not in self.found:
            self.found[key] = self.catalog.suggest(section, name) if self._left() else None
        return self.found[key]

    def _left(self) -> bool:
        return len(self.found) < MAX_SUGGESTIONS


def check_cfg(ctx: FileContext) -> Iterator[Hit]:
    catalog = ctx.catalog
    assert catalog is not None
    sections = set(catalog.sections())
    hints = _Hints(catalog)
    told: set[str] = set()  # sections already reported
    unread: dict[str, list[Opt]] = {}  # sections other lines read and this one does not: one finding each
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
        lower = opt.section.lower()
        if lower != opt.section and (lower in sections or _known(ctx, lower, opt.name.lower())):
            yield Hit(
                section_span(ctx, opt),
                f"[{opt.section}] is never read: Airflow looks sections up in lower case; write [{lower}]",
            )
            continue
        if opt.name.lower() != opt.name and _known(ctx, opt.section, opt.name.lower()):
            yield Hit(
                opt.key,
                f"{opt.label} is never read: Airflow looks options up in lower case; write {opt.name.lower()}",
            )
            continue
        if opt.section not in sections:
            if dropped_section(catalog, opt.section) is not None:
                continue  # AS402's: one finding for the section, naming the release that dropped it
            if _read_by_other_lines(opt.section):
                unread.setdefault(opt.section, []).append(opt)
                continue
            close = hints.section(opt.section)
            if close and opt.section not in told:
                told.add(opt.section)
                yield Hit(
                    section_span(ctx, opt),
                    f"[{opt.section}] is not a section of Airflow {catalog.line}; did you mean [{close}]?",
                )
            continue  # another provider's section, perhaps: not ours to judge
        hint = hints.option(opt.section, opt.name)
        advice = ""
        if hint:
            section, _, name = hint.partition("] ")
            advice = f"; did you mean {ctx.spell(section.lstrip('['), name)}?"
        yield Hit(
            opt.key, f"{opt.label} is not an option of Airflow {catalog.line}, so it is ignored{advice}"
        )
    for section, opts in unread.items():
        yield Hit(section_span(ctx, opts[0]), _unread_section(ctx, section, opts))


def _read_by_other_lines(section: str) -> bool:
    from airspec.catalog.names import sections

    return section in sections()


def _unread_section(ctx: FileContext, section: str, opts: list[Opt]) -> str:
    """`[kubernetes]` on Airflow 3: which line last read the section (or first will), and where this one reads
    its options, if at all."""
    from airspec.catalog.names import line_key, sections

    assert ctx.catalog is not None
    line = ctx.catalog.line
    read_by = sections()[section]
    names = ", ".join(dict.fromkeys(o.name for o in opts))
    one = len({o.name for o in opts}) == 1
    ignored = f"{names} {'is' if one else 'are'} ignored"
    before = sorted((ln for ln in read_by if line_key(ln) < line_key(line)), key=line_key)
    head = f"[{section}] is not a section of Airflow {line}"
    if not before:
        first = min(read_by, key=line_key)
        return f"{head} (Airflow {first} added it): {ignored} until you upgrade"
    last = before[-1]
    new = read_by[last]
    if new == section:
        return f"{head} (Airflow {last} read it): {ignored}; remove {'it' if one else 'them'}"
    readable = all(ctx.catalog.reads(new, o.name) for o in opts)
    advice = f"set {'it' if one else 'them'} in [{new}]" if readable else f"remove {'it' if one else 'them'}"
    return f"{head} (Airflow {last} read it as [{new}]): {ignored}; {advice}"


RULE = Rule(
    id="AS406",
    name="unknown-option",
    severity="warning",
    category="upgrade",
    files={"airflow.cfg": check_cfg, "helm-values": check_cfg, "compose": check_cfg},
)
