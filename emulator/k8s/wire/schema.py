"""The message tables' notation, and the protobuf descriptors built from it at import time.

Each table maps a message name to its fields, separated by spaces: ``[~]name=number[:type][?]``.

* ``type`` is ``s`` (string, the default), ``b`` (bool), ``i32``, ``i64``, ``f64`` (double), ``y`` (bytes)
  or a message name; ``[T]`` is a repeated field, ``{T}`` a ``map<string, T>``.
* ``?`` marks a scalar whose zero value means something (a Go pointer, or a field without
  ``omitempty``): it is kept when a body is decoded. Other zero scalars are left out of the JSON form,
  as Go's ``encoding/json`` leaves them out, so that server-side defaulting sees them as unset.
* ``~`` marks an embedded Go struct (``json:",inline"``): its fields appear in the parent's JSON object.

Names are JSON field names (the wire only carries numbers). All messages share one flat namespace;
the Kubernetes packages used here have no two messages of the same name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from google.protobuf import descriptor_pb2, descriptor_pool, message, message_factory

from . import core, groups, meta

PACKAGE = "emulator.k8s"
SCALARS: dict[str, int] = {
    "s": descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
    "b": descriptor_pb2.FieldDescriptorProto.TYPE_BOOL,
    "i32": descriptor_pb2.FieldDescriptorProto.TYPE_INT32,
    "i64": descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
    "f64": descriptor_pb2.FieldDescriptorProto.TYPE_DOUBLE,
    "y": descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    number: int
    type: str  # a SCALARS code or a message name
    repeated: bool = False
    map: bool = False
    keep_zero: bool = False
    inline: bool = False

    @property
    def scalar(self) -> bool:
        return self.type in SCALARS


def parse_field(token: str) -> FieldSpec:
    """One ``[~]name=number[:type][?]`` token."""
    inline = token.startswith("~")
    keep_zero = token.endswith("?")
    body = token.strip("~?")
    name, _, rest = body.partition("=")
    number, _, type_ = rest.partition(":")
    type_ = type_ or "s"
    repeated, is_map = type_.startswith("["), type_.startswith("{")
    if repeated or is_map:
        type_ = type_[1:-1]
    return FieldSpec(name, int(number), type_, repeated, is_map, keep_zero, inline)


def parse_table(table: Mapping[str, str]) -> dict[str, tuple[FieldSpec, ...]]:
    return {name: tuple(parse_field(t) for t in spec.split()) for name, spec in table.items()}


class MessageSet:
    """Message classes built from tables in this notation (one descriptor pool per set; immutable)."""

    def __init__(self, package: str, tables: Sequence[Mapping[str, str]]) -> None:
        merged: dict[str, tuple[FieldSpec, ...]] = {}
        for table in tables:
            merged.update(parse_table(table))
        self.package = package
        self.specs: Mapping[str, tuple[FieldSpec, ...]] = MappingProxyType(merged)
        file = descriptor_pb2.FileDescriptorProto(
            name=f"{package.replace('.', '/')}.proto", package=package, syntax="proto2"
        )
        for name, fields in merged.items():
            _add_message(file, package, name, fields)
        pool = descriptor_pool.DescriptorPool()
        pool.Add(file)
        self._classes = {
            name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{package}.{name}"))
            for name in merged
        }

    def message_class(self, name: str) -> type[message.Message]:
        """The class of one message (``KeyError`` for an unknown name)."""
        return self._classes[name]


def _entry_name(field: str) -> str:
    return field[:1].upper() + field[1:] + "Entry"


def _set_type(proto: descriptor_pb2.FieldDescriptorProto, package: str, type_: str) -> None:
    if type_ in SCALARS:
        proto.type = SCALARS[type_]  # type: ignore[assignment]
    else:
        proto.type = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
        proto.type_name = f".{package}.{type_}"


def _add_message(
    file: descriptor_pb2.FileDescriptorProto, package: str, name: str, fields: tuple[FieldSpec, ...]
) -> None:
    msg = file.message_type.add(name=name)
    optional = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
    for spec in fields:
        proto = msg.field.add(name=spec.name, number=spec.number, json_name=spec.name)
        proto.label = (
            descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED if spec.repeated or spec.map else optional
        )
        if not spec.map:
            _set_type(proto, package, spec.type)
            continue
        entry = msg.nested_type.add(name=_entry_name(spec.name))
        entry.options.map_entry = True
        _set_type(entry.field.add(name="key", number=1, label=optional), package, "s")
        _set_type(entry.field.add(name="value", number=2, label=optional), package, spec.type)
        proto.type = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
        proto.type_name = f".{package}.{name}.{entry.name}"


@cache
def kubernetes() -> MessageSet:
    """The Kubernetes messages of this package's tables (built once)."""
    return MessageSet(PACKAGE, (meta.SPECIAL, meta.MESSAGES, core.MESSAGES, groups.MESSAGES))


def specs() -> Mapping[str, tuple[FieldSpec, ...]]:
    return kubernetes().specs


def message_class(name: str) -> type[message.Message]:
    return kubernetes().message_class(name)
