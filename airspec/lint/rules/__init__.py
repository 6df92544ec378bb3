"""Every lint rule: one module each, `asNNN_<name>.py`, declaring `RULE = Rule(...)` with the check for each kind
of input it reads. The modules are found by their file names when the rules are first asked for (never by an
import's side effect); adding a rule is its module and its cases (CONTRIBUTING.md). Ids are stable and never
reused: a retired rule keeps its module, with no checks, so its id stays taken.
"""

from __future__ import annotations

import functools
import importlib
import os

from airspec.lint.model import Rule


def modules() -> list[str]:
    """The rule modules' names, in id order."""
    # The folder listed directly: importing pkgutil (and importlib.util) was ~1.5 ms of every raw-file lint.
    return sorted(
        n[:-3] for n in os.listdir(os.path.dirname(__file__)) if n.startswith("as") and n.endswith(".py")
    )


@functools.cache
def rules() -> tuple[Rule, ...]:
    """The rules, in id order. Each module is imported on first use, once per process."""
    found: list[Rule] = []
    for name in modules():
        module = importlib.import_module(f"{__name__}.{name}")
        rule = module.RULE
        if not isinstance(rule, Rule):
            raise TypeError(f"{name}.RULE is not a Rule")
        found.append(rule._replace(doc=module.__doc__ or "", module=module.__name__))
    return tuple(found)
