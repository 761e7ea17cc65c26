"""Request-body validation driven by the SDK's own model classes.

Two model styles ship in the pinned packages:
- TypeSpec models (`_utils.model_base.Model` + `rest_field`): fields come from `_attr_to_rest_field`,
  types from the class annotations (Optional => not required, `Union[str, Enum]` => enum),
  read-only fields have visibility ["read"].
- msrest models (msi, authorization, monitor): `_attribute_map` (wire key, type string) and
  `_validation` (required/readonly), with `_subtype_map` for polymorphic bodies.
Checks: required fields, JSON types, enum values (case-insensitive). Unknown fields are ignored.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import re
import sys
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from emulator.arm import errors as e

_MAX_DEPTH = 12


@dataclass(frozen=True)
class Spec:
    kind: str  # str | int | float | bool | any | list | dict | model | enum
    item: Spec | None = None  # list/dict element
    model: type | None = None
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Field:
    wire: tuple[str, ...]  # path in the JSON body (msrest flattening gives more than one part)
    spec: Spec
    required: bool


def validate_body(model_path: str, body: dict[str, Any]) -> None:
    """Raise 400 InvalidRequestContent listing every problem found."""
    problems: list[str] = []
    _check_model(_load(model_path), body, "", problems, 0)
    if problems:
        details = [{"code": "InvalidRequestContent", "message": p} for p in problems]
        raise e.bad_request(
            "InvalidRequestContent", e.MSG_INVALID_CONTENT.format(detail=problems[0]), details
        )


@cache
def _load(model_path: str) -> type:
    module, _, name = model_path.partition(":")
    cls = getattr(importlib.import_module(module), name)
    assert isinstance(cls, type)
    return cls


def _check_model(cls: type, body: Any, path: str, problems: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if not isinstance(body, dict):
        problems.append(e.MSG_WRONG_TYPE.format(path=path or "$", expected="an object"))
        return
    cls = _subtype(cls, body)
    for f in _fields(cls):
        where = ".".join(filter(None, [path, *f.wire]))
        present, value = _dig(body, f.wire)
        if not present or value is None:
            if f.required:
                problems.append(e.MSG_REQUIRED.format(path=where))
            continue
        _check_value(f.spec, value, where, problems, depth)


def _check_value(spec: Spec, value: Any, path: str, problems: list[str], depth: int) -> None:
    ok = _TYPE_CHECKS.get(spec.kind, lambda v: True)(value)
    if not ok:
        problems.append(e.MSG_WRONG_TYPE.format(path=path, expected=spec.kind))
    elif spec.kind == "enum" and spec.allowed and value.lower() not in {a.lower() for a in spec.allowed}:
        problems.append(e.MSG_BAD_ENUM.format(value=value, path=path, allowed=", ".join(spec.allowed)))
    elif spec.kind == "model" and spec.model is not None:
        _check_model(spec.model, value, path, problems, depth + 1)
    elif spec.kind == "list" and spec.item is not None:
        for i, item in enumerate(value):
            _check_value(spec.item, item, f"{path}[{i}]", problems, depth + 1)
    elif spec.kind == "dict" and spec.item is not None:
        for k, item in value.items():
            _check_value(spec.item, item, f"{path}.{k}", problems, depth + 1)


_TYPE_CHECKS: dict[str, typing.Callable[[Any], bool]] = {
    "str": lambda v: isinstance(v, str),
    "enum": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list),
    "dict": lambda v: isinstance(v, dict),
    "model": lambda v: isinstance(v, dict),
}


def _dig(body: dict[str, Any], wire: tuple[str, ...]) -> tuple[bool, Any]:
    node: Any = body
    for part in wire:
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _subtype(cls: type, body: dict[str, Any]) -> type:
    submap = getattr(cls, "_subtype_map", None)
    if not isinstance(submap, dict):
        return cls
    for attr, choices in submap.items():
        key = cls._attribute_map[attr]["key"].replace("\\.", ".")  # type: ignore[attr-defined]
        name = choices.get(body.get(key))
        if name is not None:
            sub = getattr(sys.modules[cls.__module__], name, None)
            if isinstance(sub, type):
                return sub
    return cls


@cache
def _fields(cls: type) -> tuple[Field, ...]:
    try:
        if hasattr(cls, "_attribute_map"):
            return _msrest_fields(cls)
        return _rest_fields(cls)
    except (NameError, TypeError, AttributeError):
        return ()  # a model we cannot introspect is not validated


# --- TypeSpec (rest_field) models ---------------------------------------------------------------
def _rest_fields(cls: type) -> tuple[Field, ...]:
    try:
        cls()
    except TypeError:
        return ()
    attrs: dict[str, Any] = cls._attr_to_rest_field  # type: ignore[attr-defined]
    hints = _hints(cls)
    out = []
    for attr, rf in attrs.items():
        visibility = getattr(rf, "_visibility", None) or []
        if visibility == ["read"] or attr not in hints:
            continue
        spec, optional = _spec_from_hint(hints[attr])
        out.append(Field((rf._rest_name,), spec, required=not optional))
    return tuple(out)


def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules[cls.__module__]
    package = module.__name__.rsplit(".", 1)[0]
    localns = {"_models": importlib.import_module(package)}
    return typing.get_type_hints(cls, globalns=vars(module), localns=localns)


def _spec_from_hint(hint: Any) -> tuple[Spec, bool]:
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        optional = type(None) in args
        rest = [a for a in args if a is not type(None)]
        enums = [a for a in rest if isinstance(a, type) and issubclass(a, enum.Enum)]
        if enums:
            return Spec("enum", allowed=tuple(str(m.value) for m in enums[0])), optional
        return (_spec_from_hint(rest[0])[0] if len(rest) == 1 else Spec("any")), optional
    return _plain_spec(hint, origin, args), False


def _plain_spec(hint: Any, origin: Any, args: tuple[Any, ...]) -> Spec:
    if origin in (list, typing.List):  # noqa: UP006
        return Spec("list", item=_spec_from_hint(args[0])[0] if args else None)
    if origin in (dict, typing.Dict):  # noqa: UP006
        return Spec("dict", item=_spec_from_hint(args[1])[0] if len(args) > 1 else None)
    if origin is typing.Literal:
        return Spec("str")
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return Spec("enum", allowed=tuple(str(m.value) for m in hint))
    scalar = {str: "str", int: "int", float: "float", bool: "bool", dt.datetime: "str", bytes: "str"}
    if hint in scalar:
        return Spec(scalar[hint])
    if isinstance(hint, type) and _is_rest_model(hint):
        return Spec("model", model=hint)
    return Spec("any")


def _is_rest_model(cls: type) -> bool:
    return any(b.__name__ == "Model" and "model_base" in b.__module__ for b in cls.__mro__)


# --- msrest models --------------------------------------------------------------------------------
_MSREST_SCALARS = {"str": "str", "int": "int", "long": "int", "float": "float", "bool": "bool"}


def _msrest_fields(cls: type) -> tuple[Field, ...]:
    amap: dict[str, dict[str, str]] = cls._attribute_map  # type: ignore[attr-defined]
    rules: dict[str, dict[str, bool]] = getattr(cls, "_validation", {})
    out = []
    for attr, meta in amap.items():
        rule = rules.get(attr, {})
        if rule.get("readonly") or not meta["key"]:
            continue
        wire = tuple(p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", meta["key"]))
        spec = _msrest_spec(cls, meta["type"])
        out.append(Field(wire, spec, required=bool(rule.get("required"))))
    return tuple(out)


def _msrest_spec(cls: type, type_str: str) -> Spec:
    if type_str.startswith("["):
        return Spec("list", item=_msrest_spec(cls, type_str[1:-1]))
    if type_str.startswith("{"):
        return Spec("dict", item=_msrest_spec(cls, type_str[1:-1]))
    if type_str in _MSREST_SCALARS:
        return Spec(_MSREST_SCALARS[type_str])
    model = getattr(sys.modules[cls.__module__], type_str, None)
    if isinstance(model, type) and issubclass(model, enum.Enum):
        return Spec("enum", allowed=tuple(str(m.value) for m in model))
    if isinstance(model, type) and hasattr(model, "_attribute_map"):
        return Spec("model", model=model)
    return Spec("any")
