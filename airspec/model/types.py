"""Small value types shared by the spec models: durations, quantities, names, secret references, resources."""

import re
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

_DURATION_PART = re.compile(r"(\d+)(ms|s|m|h|d|w)")
DURATION_PATTERN = r"^(\d+(ms|s|m|h|d|w))+$"
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> Any:
    """`90`, `"90s"`, `"5m"`, `"1h30m"` -> seconds as int (float only for sub-second values)."""
    if isinstance(value, bool):
        return value  # let pydantic reject it with its own message
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return value
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(DURATION_PATTERN, text):
            raise ValueError(
                f"expected a duration like 30s, 5m, 2h or 1h30m (or whole seconds), got {value!r}"
            )
        total = sum(int(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(text))
        return int(total) if float(total).is_integer() else total
    return value


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    Field(ge=0, allow_inf_nan=False),  # .inf would reach airflow.cfg as `inf`; whole seconds overflow
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "description": "seconds"},
                {"type": "string", "pattern": DURATION_PATTERN, "description": "e.g. 30s, 5m, 2h, 1h30m"},
            ]
        }
    ),
]

# Kubernetes resource quantities: 500m, 1, 1.5, 512Mi, 2Gi, 1e3 ...
QUANTITY_PATTERN = r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"


def _quantity(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return value


Quantity = Annotated[
    str,
    BeforeValidator(_quantity),
    StringConstraints(pattern=QUANTITY_PATTERN),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "pattern": QUANTITY_PATTERN}, {"type": "number", "minimum": 0}]}
    ),
]

# Names that become Kubernetes object names or file names: RFC 1123 labels.
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DnsLabel = Annotated[str, StringConstraints(pattern=DNS_LABEL, max_length=63)]
# Environment variable names.
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=255)]
# Single-line text: nothing a user writes may become a new line in an INI or YAML artifact.
LINE_PATTERN = r"^[^\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Line = Annotated[str, StringConstraints(pattern=LINE_PATTERN, max_length=4096)]


def _kept_by_cfg(value: str) -> str:
    if value != value.strip():
        raise ValueError("airflow.cfg drops whitespace at either end of a value; remove it")
    return value


def _path_kept_by_cfg(value: str) -> str:
    _kept_by_cfg(value.strip("/"))
    return value


# Single-line text that becomes an airflow.cfg value (whole, or the end of one after its slashes are trimmed):
# the parser strips whitespace around values, so the file could not say what the spec says.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unicode_only(value: Any) -> Any:
    """Free-form data (affinity, volumes, map keys) holds text only: a lone UTF-16 surrogate (`"\\ud800"` in YAML)
    is not Unicode text, and YAML readers and Kubernetes refuse the artifact it would reach."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                code = f"\\u{ord(found.group()):04x}"
                raise ValueError(f"holds a lone UTF-16 surrogate ({code}), which is not text; remove it")
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


# A key of a free-form map, and a free-form (Kubernetes) mapping: any YAML, but only text in it.
MapKey = Annotated[str, AfterValidator(_unicode_only)]
KubeMap = Annotated[dict[str, Any], AfterValidator(_unicode_only)]
CfgLine = Annotated[Line, AfterValidator(_kept_by_cfg)]
CfgPath = Annotated[Line, AfterValidator(_path_kept_by_cfg)]
# Image repositories and tags as OCI references spell them.
ImageRepository = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+([._/:-][a-z0-9]+)*$", max_length=255)]
ImageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]


class Strict(BaseModel):
    """Base of every spec model: immutable, unknown keys are errors, no type coercion from strings."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, defer_build=True)


class KubernetesSecretKey(Strict):
    name: (
        DnsLabel
        | Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253)]
    )
    key: Annotated[str, StringConstraints(pattern=r"^[-._a-zA-Z0-9]+$", max_length=253)]


class SecretRef(Strict):
    """Where a secret comes from. Exactly one of the keys; a bare string is a literal value."""

    secret: KubernetesSecretKey | None = Field(default=None, description="A Kubernetes Secret's name and key")
    env: EnvName | None = Field(default=None, description="An environment variable that holds the value")
    file: Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9._/-]+$", max_length=4096)] | None = Field(
        default=None, description="An absolute path (in the container) of a file that holds the value"
    )
    literal: Line | None = Field(
        default=None, description="The value itself: allowed only when the spec is development_only"
    )

    @model_validator(mode="before")
    @classmethod
    def _bare_string_is_literal(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"literal": data}
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [k for k in ("secret", "env", "file", "literal") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of secret, env or file (or a literal string in development_only specs)"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("secret", "env", "file", "literal") if getattr(self, k) is not None)


class ResourceList(Strict):
    cpu: Quantity | None = None
    memory: Quantity | None = None
    ephemeral_storage: Quantity | None = Field(default=None, alias="ephemeral-storage")
    gpu: Annotated[int, Field(ge=0)] | None = Field(default=None, description="nvidia.com/gpu")

    model_config = ConfigDict(
        frozen=True, extra="forbid", strict=True, populate_by_name=True, defer_build=True
    )


class Resources(Strict):
    requests: ResourceList = Field(default_factory=ResourceList)
    limits: ResourceList = Field(default_factory=ResourceList)


class Toleration(Strict):
    key: Line | None = None
    operator: Annotated[str, Field(pattern="^(Exists|Equal)$")] | None = None
    value: Line | None = None
    effect: Annotated[str, Field(pattern="^(NoSchedule|PreferNoSchedule|NoExecute)$")] | None = None
    toleration_seconds: int | None = None


class EnvVar(Strict):
    name: EnvName
    value: Line | None = None
    secret: KubernetesSecretKey | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.value is None) == (self.secret is None):
            raise ValueError("give exactly one of value or secret")
        return self
