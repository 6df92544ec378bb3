"""Deterministic YAML text for artifacts.

Keys keep the order the renderer built them in (renderers sort what has no meaning of order). A string that any
YAML 1.1 or 1.2 reader could take for something else (`on`, `yes`, `3.10`, `null`, `0o17`) is quoted, because the
consumers differ: Helm reads YAML 1.1, Compose and Kubernetes 1.2. Multi-line strings become literal blocks.
"""

from __future__ import annotations

import io
from typing import Any

_STR = "tag:yaml.org,2002:str"


def _ambiguity_check() -> Any:
    """A predicate: could a YAML 1.1 or 1.2 reader take this plain string for something else? Memoised per dump."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    resolvers = [VersionedResolver(version=v) for v in ((1, 1), (1, 2))]
    seen: dict[str, bool] = {}

    def ambiguous(text: str) -> bool:
        known = seen.get(text)
        if known is None:
            tags = (r.resolve(ScalarNode, text, (True, False)) for r in resolvers)
            known = seen[text] = any(str(getattr(t, "value", t)) != _STR for t in tags)
        return known

    return ambiguous


def dump(data: Any, header: str = "") -> str:
    """YAML text with `header` as leading `# ` comment lines, `\\n` endings and a final newline."""
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import SafeRepresenter

    ambiguous = _ambiguity_check()

    class Representer(SafeRepresenter):
        def represent_str(self, data: str) -> Any:
            if "\n" in data and all(c == "\n" or c.isprintable() for c in data) and data == data.rstrip(" "):
                return self.represent_scalar(_STR, data, style="|")
            if ambiguous(data):
                return self.represent_scalar(_STR, data, style="'")
            return self.represent_scalar(_STR, data)

        def represent_dict(self, data: dict[Any, Any]) -> Any:
            return self.represent_mapping("tag:yaml.org,2002:map", data.items())

    Representer.add_representer(str, Representer.represent_str)
    Representer.add_representer(dict, Representer.represent_dict)

    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = Representer
    yaml.default_flow_style = False
    yaml.width = 1 << 16
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    prefix = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) if header else ""
    return prefix + text
