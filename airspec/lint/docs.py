"""A rule's documentation, read from its docstring: the summary line, then `Catches:`, `Why:`, `Bad:` and `Good:`
sections (the examples indented under Bad and Good). How to suppress it follows from the kinds it checks."""

from __future__ import annotations

import re
import textwrap

from airspec.lint.model import NO_COMMENTS, Rule

HEADINGS = ("catches", "why", "bad", "good")
_HEADING = re.compile(r"^(Catches|Why|Bad|Good):\s*(.*)$")


def sections(rule: Rule) -> dict[str, str]:
    lines = textwrap.dedent(rule.doc).strip("\n").splitlines()
    out: dict[str, str] = {"summary": lines[0].strip() if lines else ""}
    current: str | None = None
    body: dict[str, list[str]] = {}
    for line in lines[1:]:
        match = _HEADING.match(line)
        if match:
            current = match.group(1).lower()
            body[current] = [match.group(2)] if match.group(2) else []
        elif current is not None:
            body[current].append(line)
    for key, parts in body.items():
        text = "\n".join(parts).strip("\n")
        if key in ("bad", "good"):
            out[key] = textwrap.dedent(text)
        else:
            out[key] = " ".join(text.split())
    out["suppress"] = suppress_text(rule)
    return out


def suppress_text(rule: Rule) -> str:
    if rule.id == "AS000":
        return "Cannot be suppressed: fix the spec."
    ways = []
    yaml_kinds = [k for k in rule.kinds if k != "airflow.cfg" and k not in NO_COMMENTS]
    if yaml_kinds:
        ways.append(
            f"in {', '.join(yaml_kinds)} files, end the reported line with `# airspec: ignore[{rule.id}] reason`"
        )
    if "airflow.cfg" in rule.kinds:
        ways.append(
            f"in airflow.cfg, put a comment line `# airspec: ignore[{rule.id}] reason` directly above the reported line"
        )
    if any(k in NO_COMMENTS for k in rule.kinds):
        shown = ", ".join(k for k in rule.kinds if k in NO_COMMENTS)
        ways.append(f"{shown} files hold no comments: use a baseline (`--baseline FILE --write-baseline`)")
    ways.append(
        f'everywhere: `--ignore {rule.id}`, or `ignore = ["{rule.id}"]` under [tool.airspec.lint] in pyproject.toml'
    )
    return "; ".join(ways) + "."


def explain(rule: Rule) -> str:
    doc = sections(rule)
    out = [f"{rule.id} {rule.name} ({rule.category}, {rule.severity})", "", doc["summary"], ""]
    out.append(f"Checks: {', '.join(rule.kinds) or 'specs (validation)'}")
    for key, title in (("catches", "What it catches"), ("why", "Why it matters")):
        if key in doc:
            out += [
                "",
                f"{title}:",
                textwrap.fill(doc[key], 100, initial_indent="  ", subsequent_indent="  "),
            ]
    for key, title in (("bad", "Bad"), ("good", "Good")):
        if key in doc:
            out += ["", f"{title}:", textwrap.indent(doc[key], "    ")]
    out += [
        "",
        "How to suppress:",
        textwrap.fill(doc["suppress"], 100, initial_indent="  ", subsequent_indent="  "),
    ]
    return "\n".join(out) + "\n"


def table(rules: tuple[Rule, ...]) -> str:
    rows = [f"{r.id}  {r.severity:<7}  {r.category:<13}  {r.name:<30}  {r.summary}" for r in rules]
    return "\n".join(rows) + "\n"
