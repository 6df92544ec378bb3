"""Source positions: where in which file a key or value was written."""

from __future__ import annotations

from typing import NamedTuple

Path = tuple[str | int, ...]


class Span(NamedTuple):
    """A 1-based line and column in a file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class SourceMap(NamedTuple):
    """Maps a key path (as pydantic reports it) to where its key and its value were written."""

    file: str
    keys: dict[Path, Span]
    values: dict[Path, Span]

    def key(self, path: Path) -> Span:
        """The span of the key at `path`, or of the nearest enclosing thing that has one."""
        return self._nearest(path, self.keys, self.values)

    def value(self, path: Path) -> Span:
        """The span of the value at `path`, or of the nearest enclosing thing that has one."""
        return self._nearest(path, self.values, self.keys)

    def _nearest(self, path: Path, first: dict[Path, Span], second: dict[Path, Span]) -> Span:
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            span = first.get(prefix) or second.get(prefix)
            if span is not None:
                return span
        return Span(self.file, 1, 1)

    def rebased(self, src: Path, dst: Path) -> dict[str, dict[Path, Span]]:
        """Spans under `src`, re-keyed as if they stood under `dst` (for environment overlays)."""
        out: dict[str, dict[Path, Span]] = {"keys": {}, "values": {}}
        for name, table in (("keys", self.keys), ("values", self.values)):
            for path, span in table.items():
                if path[: len(src)] == src and len(path) > len(src):
                    out[name][dst + path[len(src) :]] = span
        return out


def format_path(path: Path) -> str:
    """`('scheduler', 'resources', 'limits')` -> `scheduler.resources.limits`; list items as `[0]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"
