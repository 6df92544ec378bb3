"""The spec's pydantic models: frozen, extra keys forbidden, strict types, no I/O."""

from airspec.model.spec import Spec

__all__ = ["Spec"]
