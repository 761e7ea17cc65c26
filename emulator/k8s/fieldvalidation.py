"""Server-side field validation (``?fieldValidation=Ignore|Warn|Strict``) on every write.

Unknown fields are found with the kubernetes client's models for built-in kinds and by CRD pruning
for custom resources; duplicate fields in the raw JSON or YAML body. ``Strict`` refuses them as the
real server does (400 ``strict decoding error: unknown field "spec.x"``), ``Warn`` answers with
``Warning: 299`` headers (the default when the parameter is absent, as since Kubernetes 1.23),
``Ignore`` drops them silently.
Built-in kinds keep unknown fields when ignored (the emulator stores what it was sent); custom
resources lose them (pruning).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pydantic
import yaml

from .errors import KubeError
from .schema import model_for
from .store import Obj

MODES = ("Ignore", "Warn", "Strict")


@dataclass
class FieldChecks:
    """The write's validation mode, and the warnings it produced (sent back as headers)."""

    mode: str = "Warn"
    duplicates: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, mode: str | None, body: bytes, content_type: str) -> FieldChecks:
        chosen = mode if mode in MODES else "Warn"
        if mode not in (None, "", *MODES):
            raise KubeError(
                400, f"fieldValidation must be one of {', '.join(MODES)}, not {mode!r}", "BadRequest"
            )
        found = duplicate_fields(body, content_type) if chosen != "Ignore" else []
        return cls(chosen, found)

    def report(self, kind: str, api_version: str, unknown: list[str]) -> None:
        """Refuse (Strict) or warn about (Warn) the unknown and duplicate fields of one object."""
        problems = [f'unknown field "{p}"' for p in unknown] + [
            f'duplicate field "{p}"' for p in self.duplicates
        ]
        if not problems or self.mode == "Ignore":
            return
        if self.mode == "Warn":
            self.warnings.extend(problems)
            return
        version = api_version.rpartition("/")[2]
        raise KubeError(
            400,
            f'{kind} in version "{version}" cannot be handled as a {kind}: strict decoding error: '
            + ", ".join(problems),
            "BadRequest",
        )


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def unknown_builtin_fields(obj: Obj) -> list[str]:
    """Fields of a built-in kind's object that its API schema does not declare."""
    model = model_for(str(obj.get("kind")))
    if model is None:
        return []
    try:
        model.model_validate(obj)
    except pydantic.ValidationError as exc:
        return sorted(_path(e["loc"]) for e in exc.errors() if e["type"] == "extra_forbidden")
    return []


class _Keys(dict[str, Any]):
    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> _Keys:
    out = _Keys()
    out.duplicates = []
    for key, value in pairs:
        if key in out:
            out.duplicates.append(key)
        out[key] = value
    return out


class _DuplicateLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        pairs = [
            (self.construct_object(k, deep=True), self.construct_object(v, deep=True)) for k, v in node.value
        ]
        return _pairs([(str(k), v) for k, v in pairs])


_DuplicateLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _DuplicateLoader.construct_mapping
)


def _collect(value: Any, path: str, out: list[str]) -> None:
    if isinstance(value, _Keys):
        out.extend(f"{path}.{k}" if path else k for k in value.duplicates)
    if isinstance(value, dict):
        for key, child in value.items():
            _collect(child, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _collect(child, f"{path}[{index}]", out)


def duplicate_fields(body: bytes, content_type: str) -> list[str]:
    """Paths of keys that appear twice in one object of a JSON or YAML body."""
    try:
        if "yaml" in content_type:
            parsed = yaml.load(body, Loader=_DuplicateLoader)
        elif "json" in content_type or not content_type:
            parsed = json.loads(body, object_pairs_hook=_pairs)
        else:
            return []
    except (ValueError, yaml.YAMLError):
        return []
    found: list[str] = []
    _collect(parsed, "", found)
    return found
