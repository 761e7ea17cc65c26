"""Kubernetes JSON objects <-> table messages, field by field, the way Go's types convert them.

Encoding is strict: a key the table does not know raises :class:`Unencodable`, so a response is either
complete or not sent as protobuf at all. Decoding follows Go: unknown field numbers are skipped, zero
scalars without ``?`` are left out (see ``wire.schema``), embedded structs are flattened.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from google.protobuf import message

from .meta import SPECIAL
from .schema import FieldSpec, message_class, specs

Obj = dict[str, Any]
_TIMES = ("Time", "MicroTime")
_SPECIAL_NAMES = frozenset(SPECIAL)
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {"s": (str,), "b": (bool,), "f64": (int, float)}


class Unencodable(ValueError):
    """A JSON value that the message tables cannot represent without loss."""


# -- special types ---------------------------------------------------------------------------------
def _parse_time(text: str) -> tuple[int, int]:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Unencodable(f"not an RFC 3339 time: {text!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    seconds = int(when.timestamp() // 1)
    return seconds, when.microsecond * 1000


def _format_time(seconds: int, nanos: int, micro: bool) -> str:
    when = dt.datetime.fromtimestamp(seconds, dt.UTC)
    if micro:
        return when.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1000:06d}Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _raw_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _encode_special(name: str, msg: message.Message, value: Any) -> None:
    target: Any = msg
    if name in _TIMES:
        if not isinstance(value, str):
            raise Unencodable(f"{name} must be a string")
        target.seconds, target.nanos = _parse_time(value)
    elif name == "IntOrString":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise Unencodable("int-or-string must be an integer or a string")
        if isinstance(value, int):
            target.type, target.intVal = 0, value
        else:
            target.type, target.strVal = 1, value
    elif name == "Quantity":
        target.string = value if isinstance(value, str) else _quantity_text(value)
    elif name == "FieldsV1":
        target.Raw = _raw_json(value)
    else:  # RawExtension
        target.raw = _raw_json(value)


def _quantity_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unencodable("a quantity must be a string or a number")
    return str(value) if isinstance(value, int) or not value.is_integer() else str(int(value))


def _decode_special(name: str, msg: message.Message) -> Any:
    source: Any = msg
    if name in _TIMES:
        if not msg.ListFields():
            return None  # Go's zero time
        return _format_time(source.seconds, source.nanos, name == "MicroTime")
    if name == "IntOrString":
        return source.strVal if source.type == 1 else source.intVal
    if name == "Quantity":
        return source.string
    raw = source.Raw if name == "FieldsV1" else source.raw
    return json.loads(raw) if raw else None


# -- encoding --------------------------------------------------------------------------------------
def _scalar(spec: FieldSpec, value: Any, path: str) -> Any:
    kind = spec.type
    if kind == "y":
        if not isinstance(value, str):
            raise Unencodable(f"{path}: bytes must be base64 text")
        return base64.b64decode(value)
    expected = _PYTHON_TYPES.get(kind, (int,))
    if not isinstance(value, expected) or (kind in ("i32", "i64", "f64") and isinstance(value, bool)):
        raise Unencodable(f"{path}: {value!r} is not a {kind}")
    return value


def _set_map(holder: Any, spec: FieldSpec, value: Any, path: str) -> None:
    if not isinstance(value, Mapping):
        raise Unencodable(f"{path}: expected an object")
    entries = getattr(holder, spec.name)
    for key, item in value.items():
        if item is None:
            continue
        if spec.scalar:
            entries[key] = _scalar(spec, item, f"{path}.{key}")
        else:
            fill(spec.type, entries[key], item, f"{path}.{key}")


def _set_list(holder: Any, spec: FieldSpec, value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise Unencodable(f"{path}: expected a list")
    items = getattr(holder, spec.name)
    for index, item in enumerate(value):
        if spec.scalar:
            items.append(_scalar(spec, item, f"{path}[{index}]"))
        else:
            fill(spec.type, items.add(), item, f"{path}[{index}]")


def _set_value(msg: message.Message, spec: FieldSpec, value: Any, path: str) -> None:
    holder: Any = msg
    if spec.map:
        _set_map(holder, spec, value, path)
    elif spec.repeated:
        _set_list(holder, spec, value, path)
    elif spec.scalar:
        setattr(holder, spec.name, _scalar(spec, value, path))
    else:
        child = getattr(holder, spec.name)
        child.SetInParent()
        fill(spec.type, child, value, path)


def fill(name: str, msg: message.Message, value: Any, path: str = "") -> None:
    """Write the JSON ``value`` of message type ``name`` into ``msg``."""
    if name in _SPECIAL_NAMES:
        _encode_special(name, msg, value)
        return
    if not isinstance(value, Mapping):
        raise Unencodable(f"{path or name}: expected an object")
    used: set[str] = set()
    for spec in specs()[name]:
        if spec.inline:
            inner = {f.name: value[f.name] for f in _flat_fields(spec.type) if f.name in value}
            used.update(inner)
            _set_value(msg, spec, inner, path)
        elif spec.name in value and value[spec.name] is not None:
            used.add(spec.name)
            _set_value(msg, spec, value[spec.name], f"{path}.{spec.name}" if path else spec.name)
    unknown = [k for k, v in value.items() if k not in used and v is not None]
    if unknown:
        raise Unencodable(f"{path or name}: no protobuf field for {sorted(unknown)}")


@cache
def _flat_fields(name: str) -> tuple[FieldSpec, ...]:
    """The JSON-visible fields of a message (embedded structs flattened)."""
    out: list[FieldSpec] = []
    for spec in specs()[name]:
        out.extend(_flat_fields(spec.type) if spec.inline else [spec])
    return tuple(out)


@cache
def _by_number(name: str) -> dict[int, FieldSpec]:
    return {spec.number: spec for spec in specs()[name]}


def encode(name: str, value: Mapping[str, Any]) -> bytes:
    msg = message_class(name)()
    fill(name, msg, value)
    return msg.SerializeToString()


# -- decoding --------------------------------------------------------------------------------------
def _scalar_json(spec: FieldSpec, value: Any) -> Any:
    return base64.b64encode(value).decode() if spec.type == "y" else value


def _value_json(spec: FieldSpec, value: Any) -> Any:
    if spec.map:
        if spec.scalar:
            return {k: _scalar_json(spec, v) for k, v in value.items()}
        return {k: to_json(spec.type, v) for k, v in value.items()}
    if spec.repeated:
        if spec.scalar:
            return [_scalar_json(spec, v) for v in value]
        return [to_json(spec.type, v) for v in value]
    return _scalar_json(spec, value) if spec.scalar else to_json(spec.type, value)


def to_json(name: str, msg: message.Message) -> Any:
    """The JSON form of a decoded message of type ``name``."""
    if name in _SPECIAL_NAMES:
        return _decode_special(name, msg)
    out: Obj = {}
    for descriptor, value in msg.ListFields():
        spec = _by_number(name)[descriptor.number]
        if spec.scalar and not spec.repeated and not spec.map and not value and not spec.keep_zero:
            continue
        converted = _value_json(spec, value)
        if spec.inline and isinstance(converted, dict):
            out.update(converted)
        elif converted is not None:
            out[spec.name] = converted
    return out


def decode(name: str, data: bytes) -> Any:
    """Parse ``data`` as message ``name``; ``ValueError`` when it is not valid protobuf."""
    msg = message_class(name)()
    try:
        msg.ParseFromString(data)
    except message.DecodeError as exc:
        raise ValueError(f"invalid {name} message: {exc}") from exc
    return to_json(name, msg)
