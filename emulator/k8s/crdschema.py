"""Custom resources against their CRD's structural ``openAPIV3Schema``: pruning, defaulting, validation.

As the real API server does, in this order:

* **Pruning**: fields the schema does not declare are dropped (reported, so ``fieldValidation=Strict``
  can refuse them and ``Warn`` can name them), unless ``x-kubernetes-preserve-unknown-fields`` is set at
  that level; maps declared with ``additionalProperties`` keep their keys. ``apiVersion``, ``kind`` and
  the ObjectMeta fields of ``metadata`` always stay (also under ``x-kubernetes-embedded-resource``).
  ``null`` values of non-``nullable`` fields are dropped.
* **Defaulting**: ``default`` values fill missing properties of objects that are present.
* **Validation**: ``type``, ``x-kubernetes-int-or-string``, ``required``, ``enum``, ``pattern``,
  ``minLength``/``maxLength``, ``minimum``/``maximum`` (and exclusive), ``multipleOf``,
  ``minItems``/``maxItems``, ``minProperties``/``maxProperties``, ``anyOf``/``oneOf``/``allOf``/``not``.
  Problems become 422 ``Invalid`` with one ``details.causes`` entry each (reason, message, field).

Not modelled: CEL rules (``x-kubernetes-validations``), ``format`` checks, list-type uniqueness, and
conversion between versions (every version is validated against its own schema).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import Cause, invalid_causes
from .store import Obj

OBJECT_META = frozenset(
    (
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    )
)
_TYPES = frozenset(("object", "array", "string", "integer", "number", "boolean"))


def schema_of(crd: Obj | None, version: str) -> Obj | None:
    """The version's ``openAPIV3Schema`` (None: the CRD declares none, everything is kept)."""
    spec = (crd or {}).get("spec") or {}
    for served in spec.get("versions") or []:
        if served.get("name") == version:
            found = (served.get("schema") or {}).get("openAPIV3Schema")
            return found if isinstance(found, dict) else None
    legacy = (spec.get("validation") or {}).get("openAPIV3Schema")
    return legacy if isinstance(legacy, dict) else None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _fits(kind: str, value: Any) -> bool:
    actual = _json_type(value)
    return actual == kind or (kind == "number" and actual == "integer")


@dataclass
class _Walk:
    prune: bool = True
    problems: list[Cause] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)

    def fail(self, path: str, reason: str, message: str) -> None:
        self.problems.append(Cause(reason, message, path))

    # -- structure (pruning and defaulting) -------------------------------------------------------
    def node(self, value: Any, schema: Obj, path: str) -> Any:
        if schema.get("x-kubernetes-int-or-string"):
            if not isinstance(value, int | str) or isinstance(value, bool):
                self.fail(
                    path,
                    "FieldValueInvalid",
                    f'Invalid value: "{_json_type(value)}": {path} in body must be of type integer,string: "{_json_type(value)}"',
                )
                return value
        elif isinstance(value, dict):
            value = self._object(value, schema, path)
        elif isinstance(value, list):
            items = schema.get("items")
            if isinstance(items, dict):
                value = [self.node(v, items, f"{path}[{i}]") for i, v in enumerate(value)]
        self.check(value, schema, path)
        return value

    def _object(self, value: Obj, schema: Obj, path: str) -> Obj:
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        keep = bool(schema.get("x-kubernetes-preserve-unknown-fields")) or not self.prune
        embedded = bool(schema.get("x-kubernetes-embedded-resource"))
        out: Obj = {}
        for key, child in value.items():
            where = f"{path}.{key}" if path else key
            sub = properties.get(key)
            if sub is None and isinstance(extra, dict):
                sub = extra
            if embedded and key in ("apiVersion", "kind", "metadata") and sub is None:
                out[key] = _meta(child, where, self) if key == "metadata" else child
                continue
            if child is None and not (sub or {}).get("nullable"):
                continue
            if sub is None:
                if keep or extra is True:
                    out[key] = child
                else:
                    self.pruned.append(where)
                continue
            out[key] = self.node(child, sub, where)
        for key, sub in properties.items():
            if key not in out and isinstance(sub, dict) and "default" in sub:
                out[key] = self.node(copy.deepcopy(sub["default"]), sub, f"{path}.{key}" if path else key)
        return out

    # -- value checks -----------------------------------------------------------------------------
    def check(self, value: Any, schema: Obj, path: str) -> None:
        kind = schema.get("type")
        if value is None and schema.get("nullable"):
            return
        if isinstance(kind, str) and kind in _TYPES and not _fits(kind, value):
            actual = _json_type(value)
            self.fail(
                path,
                "FieldValueInvalid",
                f'Invalid value: "{actual}": {path} in body must be of type {kind}: "{actual}"',
            )
            return
        if "enum" in schema and value not in schema["enum"]:
            supported = ", ".join(_show(v) for v in schema["enum"])
            self.fail(
                path,
                "FieldValueNotSupported",
                f"Unsupported value: {_show(value)}: supported values: {supported}",
            )
        if isinstance(value, str):
            self._string(value, schema, path)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._number(value, schema, path)
        elif isinstance(value, list):
            self._sized(len(value), schema, path, "Items", "items")
        elif isinstance(value, dict):
            self._required(value, schema, path)
            self._sized(len(value), schema, path, "Properties", "properties")
        self._combinators(value, schema, path)

    def _string(self, value: str, schema: Obj, path: str) -> None:
        if "maxLength" in schema and len(value) > int(schema["maxLength"]):
            self.fail(path, "FieldValueTooLong", f"Too long: may not be longer than {schema['maxLength']}")
        if "minLength" in schema and len(value) < int(schema["minLength"]):
            self.fail(
                path,
                "FieldValueInvalid",
                f'Invalid value: "{value}": {path} in body should be at least {schema["minLength"]} chars long',
            )
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and re.search(pattern, value) is None:
            self.fail(
                path,
                "FieldValueInvalid",
                f"Invalid value: \"{value}\": {path} in body should match '{pattern}'",
            )

    def _number(self, value: float, schema: Obj, path: str) -> None:
        shown = _show(value)
        if "minimum" in schema:
            low, exclusive = schema["minimum"], bool(schema.get("exclusiveMinimum"))
            if value < low or (exclusive and value == low):
                relation = "greater than" if exclusive else "greater than or equal to"
                self.fail(
                    path,
                    "FieldValueInvalid",
                    f"Invalid value: {shown}: {path} in body should be {relation} {low}",
                )
        if "maximum" in schema:
            high, exclusive = schema["maximum"], bool(schema.get("exclusiveMaximum"))
            if value > high or (exclusive and value == high):
                relation = "less than" if exclusive else "less than or equal to"
                self.fail(
                    path,
                    "FieldValueInvalid",
                    f"Invalid value: {shown}: {path} in body should be {relation} {high}",
                )
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and step and (value / step) % 1:
            self.fail(
                path,
                "FieldValueInvalid",
                f"Invalid value: {shown}: {path} in body should be a multiple of {step}",
            )

    def _sized(self, size: int, schema: Obj, path: str, what: str, noun: str) -> None:
        if f"max{what}" in schema and size > int(schema[f"max{what}"]):
            self.fail(
                path,
                "FieldValueTooMany",
                f"Too many: {size}: must have at most {schema[f'max{what}']} {noun}",
            )
        if f"min{what}" in schema and size < int(schema[f"min{what}"]):
            self.fail(
                path,
                "FieldValueInvalid",
                f"Invalid value: {size}: {path} in body should have at least {schema[f'min{what}']} {noun}",
            )

    def _required(self, value: Obj, schema: Obj, path: str) -> None:
        for key in schema.get("required") or []:
            if key not in value:
                self.fail(f"{path}.{key}" if path else key, "FieldValueRequired", "Required value")

    def _combinators(self, value: Any, schema: Obj, path: str) -> None:
        def passes(sub: Obj) -> bool:
            trial = _Walk(prune=False)
            trial.node(copy.deepcopy(value), sub, path)
            return not trial.problems

        for sub in schema.get("allOf") or []:
            self.node(copy.deepcopy(value), {**sub, "x-kubernetes-preserve-unknown-fields": True}, path)
        any_of = schema.get("anyOf") or []
        if any_of and not any(passes(s) for s in any_of):
            self.fail(
                path,
                "FieldValueInvalid",
                f"Invalid value: {_show(value)}: {path} in body must match at least one schema (anyOf)",
            )
        one_of = schema.get("oneOf") or []
        if one_of and sum(1 for s in one_of if passes(s)) != 1:
            self.fail(
                path,
                "FieldValueInvalid",
                f"Invalid value: {_show(value)}: {path} in body must match exactly one schema (oneOf)",
            )
        if isinstance(schema.get("not"), dict) and passes(schema["not"]):
            self.fail(
                path,
                "FieldValueInvalid",
                f"Invalid value: {_show(value)}: {path} in body must not match the schema (not)",
            )


def _meta(value: Any, path: str, walk: _Walk) -> Any:
    if not isinstance(value, dict):
        return value
    for key in value:
        if key not in OBJECT_META:
            walk.pruned.append(f"{path}.{key}")
    return {k: v for k, v in value.items() if k in OBJECT_META}


_ENVELOPE = ("apiVersion", "kind", "metadata")


def _body_schema(schema: Obj) -> Obj:
    """The root schema without the envelope fields (always kept, ``metadata`` checked as ObjectMeta)."""
    properties = {k: v for k, v in (schema.get("properties") or {}).items() if k not in _ENVELOPE}
    required = [k for k in schema.get("required") or [] if k not in _ENVELOPE]
    return {**schema, "properties": properties, "required": required, "x-kubernetes-embedded-resource": False}


def admit_custom(obj: Obj, crd: Obj | None, version: str, kind: str, group: str) -> list[str]:
    """Prune, default and validate ``obj`` in place; returns the pruned (unknown) field paths."""
    schema = schema_of(crd, version)
    if schema is None:
        return []
    walk = _Walk()
    rest = {k: v for k, v in obj.items() if k not in _ENVELOPE}
    cleaned = walk.node(rest, _body_schema(schema), "")
    meta = _meta(obj.get("metadata") or {}, "metadata", walk)
    for key in list(obj):
        if key not in ("apiVersion", "kind"):
            del obj[key]
    obj["metadata"] = meta
    obj.update(cleaned if isinstance(cleaned, dict) else {})
    if walk.problems:
        raise invalid_causes(
            f"{kind}.{group}", str(meta.get("name") or meta.get("generateName", "")), walk.problems
        )
    return walk.pruned
