"""A compose file beyond what the spec models. Every key of the file is compared with the compose file compile
writes for the spec (before `compose.overrides`):
- a key compile writes with the same value is dropped (reported), one it writes with another value is dropped and
  said so (`compose.overrides` may not change a key airspec sets: the health checks, commands and volumes of the
  services airspec generates are its own);
- anything else goes into `compose.overrides`: services airspec does not generate, extra keys and variables of the
  ones it does, top-level volumes and networks;
- a secret is never copied: a variable holding one becomes `${NAME}` (compose substitutes it from .env) with a
  TODO, and `${VAR}` stays a reference; Airflow options (`AIRFLOW__*`) are read into the spec's keys and `config:`,
  and are never overrides (validation refuses them there);
- what the Compose Specification's schema refuses once merged is taken out and listed for a person.
"""

from __future__ import annotations

from typing import Any

from airspec.envopt import compose_environment, env_option
from airspec.importer import tree
from airspec.importer.draft import DROPPED, PASSTHROUGH, SECRET, Draft
from airspec.importer.options import env_reference
from airspec.lint.model import FileContext
from airspec.mask import Masker, tree_secrets
from airspec.source import Span


class _Carry:
    def __init__(self, ctx: FileContext, draft: Draft, ours: dict[str, Any], masker: Masker) -> None:
        self.ctx, self.draft, self.ours, self.masker = ctx, draft, ours, masker
        self.out: dict[str, Any] = draft.get(("compose", "overrides")) or {}

    def span(self, path: tree.Path) -> Span:
        assert self.ctx.source is not None
        for end in range(len(path), 0, -1):
            found = self.ctx.source.keys.get(path[:end]) or self.ctx.source.values.get(path[:end])
            if found is not None:
                return found
        return self.ctx.key(*path)

    def sensitive(self, path: tree.Path, value: Any) -> bool:
        # `secrets:` is compose's own key for references to secret files, not a secret itself.
        named = tuple("s" if p == "secrets" else p for p in path)
        if self.masker.path_sensitive(named):
            return True
        return any(True for _ in tree_secrets(value, lambda p: self.masker.path_sensitive((*named, *p))))

    def key(self, path: tree.Path, value: Any) -> None:
        """One key of the file: compared with what compile writes there, carried when compile leaves it alone."""
        written = tree.at(self.ours, path)
        where, setting = self.span(path), tree.dotted(path)
        if written is tree.MISSING:
            self.carry(path, value)
        elif isinstance(written, dict) and isinstance(value, dict) and value:
            for key, item in value.items():
                self.key((*path, key), item)
        elif tree.equal(written, value, path) or (written == {} and value is None):
            self.draft.row(where, setting, DROPPED, "", "compile writes the same value")
        else:
            self.draft.row(where, setting, DROPPED, "", f"compile writes its own {path[-1]} (from the spec)")

    def carry(self, path: tree.Path, value: Any) -> None:
        where, setting = self.span(path), tree.dotted(path)
        if self.sensitive(path, value):
            self.draft.person(
                where, setting, "a secret: not copied; put it in .env and reference it as ${NAME}"
            )
            return
        tree.put(self.out, path, value)
        self.draft.row(where, setting, PASSTHROUGH, f"compose.overrides.{setting}")

    def variables(self, service: str, value: Any) -> None:
        """A service's environment, variable by variable."""
        base: tree.Path = ("services", service, "environment")
        env = compose_environment(value)
        if not isinstance(env, dict):
            self.draft.person(self.span(base), tree.dotted(base), "an environment compose cannot read")
            return
        written = tree.at(self.ours, base)
        options = [name for name in env if env_option(str(name)) is not None]
        if options and written is tree.MISSING:  # a service airspec does not generate
            self.draft.person(
                self.span(base),
                tree.dotted(base),
                f"{len(options)} Airflow option variable(s) of a service airspec does not generate: "
                "compose.overrides takes no AIRFLOW__ variable (the spec's options reach only its own services)",
            )
        for name, raw in env.items():
            path = (*base, str(name))
            if env_option(str(name)) is not None:
                continue  # an option: read into the spec's keys or config: (reported by the option readers)
            if written is not tree.MISSING and str(name) in written:
                self.key(path, raw)
            elif isinstance(raw, str) and self.sensitive(path, raw):
                self.reference(path, str(name), raw)
            else:
                self.carry(path, raw)

    def reference(self, path: tree.Path, name: str, raw: str) -> None:
        """A secret variable: `${VAR}` stays a reference (without a default value); a literal becomes `${NAME}`."""
        where, setting = self.span(path), tree.dotted(path)
        variable = env_reference(raw)
        tree.put(self.out, path, "${" + (variable or name) + "}")
        if variable is not None:
            why = (
                "kept as the reference ${"
                + variable
                + "}"
                + (" (its default was not copied)" if ":" in raw else "")
            )
            self.draft.row(where, setting, SECRET, f"compose.overrides.{setting}", why)
            return
        self.draft.row(
            where, setting, SECRET, f"compose.overrides.{setting}", "a literal secret was not copied"
        )
        todo = f"{name}: the value at {where.file}:{where.line} was not copied; put it in .env as {name}"
        if todo not in self.draft.todos:  # one line (an anchor's) reaches every service that merges it
            self.draft.todos.append(todo)


def passthrough(ctx: FileContext, draft: Draft, ours: dict[str, Any], masker: Masker) -> None:
    """Carry what the spec does not model into `compose.overrides` (`ours`: the compose file compile writes)."""
    data = ctx.data if isinstance(ctx.data, dict) else {}
    carry = _Carry(ctx, draft, ours, masker)
    for key, value in data.items():
        if key == "services" or (key == "name" and any(r.setting == "name" for r in draft.rows)):
            continue
        if str(key).startswith("x-"):
            draft.row(
                ctx.key(key),
                str(key),
                DROPPED,
                "",
                "an extension field: its content is read where services use it",
            )
        elif key == "version":
            draft.row(ctx.key(key), "version", DROPPED, "", "obsolete: the Compose Specification ignores it")
        else:
            carry.key((str(key),), value)
    services = data.get("services")
    for name, service in services.items() if isinstance(services, dict) else []:
        if not isinstance(service, dict):
            draft.person(ctx.key("services", name), f"services.{name}", "not a mapping")
            continue
        written = tree.at(ours, ("services", str(name)))
        for key, value in service.items():
            path = ("services", str(name), str(key))
            if key == "environment":
                carry.variables(str(name), value)
            elif key == "entrypoint" and written is not tree.MISSING and not _same_command(written, service):
                draft.row(
                    carry.span(path),
                    tree.dotted(path),
                    DROPPED,
                    "",
                    "it runs the file's command, which compile replaces",
                )
            else:
                carry.key(path, value)
    if carry.out:
        draft.put(("compose", "overrides"), carry.out)


def _same_command(written: Any, service: dict[str, Any]) -> bool:
    return "command" in written and tree.equal(written["command"], service.get("command"), ("command",))


def refused(draft: Draft, file: str, document: dict[str, Any]) -> None:
    """Take out of `compose.overrides` what the Compose Specification's schema refuses once merged with the file
    compile writes; each refused row is listed for a person (the schema's words name keys, never values)."""
    from airspec import overrides

    out = draft.get(("compose", "overrides"))
    for _ in range(50):
        if not out:
            break
        found = [(p, m) for p, m in overrides.conflicts(document, out)]
        found += list(overrides.schema_problems(overrides.merge(document, out)))
        owners = [(owner, message) for path, message in found for owner in _owners(out, path, message)]
        owners = [(o, m) for o, m in owners if o and tree.at(out, o) is not tree.MISSING]
        if not owners:
            break
        for owner, message in owners:
            tree.remove(out, owner)
            key = "compose.overrides." + tree.dotted(owner)
            draft.to_person(file, key, f"the compose file would be refused: {message}"[:200])
    if out:
        draft.put(("compose", "overrides"), out)
    else:
        draft.drop(("compose", "overrides"))  # and `compose:` when it is left empty


_UNEXPECTED = "not valid for the Compose Specification: unexpected key "


def _owners(out: dict[str, Any], path: tuple[str | int, ...], message: str) -> list[tree.Path]:
    """What of `out` a problem is about: the unexpected keys it names, else the longest prefix `out` holds."""
    if message.startswith(_UNEXPECTED):
        named = [(*path, key) for key in message[len(_UNEXPECTED) :].split(", ")]
        held = [p for p in named if tree.at(out, p) is not tree.MISSING]
        if held:
            return held
    return [_owner(out, path)]


def _owner(out: dict[str, Any], path: tuple[str | int, ...]) -> tree.Path:
    held: tree.Path = ()
    for end in range(1, len(path) + 1):
        if tree.at(out, path[:end]) is tree.MISSING:
            break
        held = path[:end]
    return held
