"""OpenAPI v2 as protobuf (``application/com.github.proto-openapi.spec.v2@v1.0+protobuf``).

client-go's ``OpenAPISchema()`` asks only for this form and parses it as gnostic's ``openapi.v2.Document``;
kubectl's client-side validation and helm's manifest validation read the definitions from it (paths are
not needed there). The field numbers below are those of gnostic's OpenAPIv2 messages, in ``wire.schema``'s
notation; only the messages a definitions-only document needs are listed. Values without a field of
their own (``default``, ``example``, ``enum`` items, ``x-*`` extensions) travel as YAML text, which is how
gnostic's ``Any`` carries them (JSON is YAML).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from ..wire.schema import MessageSet

MEDIA_TYPES = (
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
)
CONTENT_TYPE = MEDIA_TYPES[1]  # Go's mime parser rejects the "@" form, so answers use this one

GNOSTIC: dict[str, str] = {
    "Document": "swagger=1 info=2:Info paths=8:Paths definitions=9:Definitions",
    "Info": "title=1 version=2",
    "Paths": "vendorExtension=1:[NamedAny]",
    "Definitions": "additionalProperties=1:[NamedSchema]",
    "NamedSchema": "name=1 value=2:Schema",
    "Properties": "additionalProperties=1:[NamedSchema]",
    "NamedAny": "name=1 value=2:Any",
    "Any": "yaml=2",
    "TypeItem": "value=1:[s]",
    "ItemsItem": "schema=1:[Schema]",
    "AdditionalPropertiesItem": "schema=1:Schema boolean=2:b",
    "Schema": (
        "ref=1 format=2 title=3 description=4 default=5:Any multipleOf=6:f64 maximum=7:f64 "
        "exclusiveMaximum=8:b minimum=9:f64 exclusiveMinimum=10:b maxLength=11:i64 minLength=12:i64 "
        "pattern=13 maxItems=14:i64 minItems=15:i64 uniqueItems=16:b maxProperties=17:i64 "
        "minProperties=18:i64 required=19:[s] enum=20:[Any] additionalProperties=21:AdditionalPropertiesItem "
        "type=22:TypeItem items=23:ItemsItem allOf=24:[Schema] properties=25:Properties discriminator=26 "
        "readOnly=27:b example=30:Any vendorExtension=31:[NamedAny]"
    ),
}
_PLAIN = (  # JSON keys that are also the Schema message's field names
    "format",
    "title",
    "description",
    "pattern",
    "discriminator",
    "multipleOf",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "readOnly",
)
_FLOATS = ("multipleOf", "maximum", "minimum")


@cache
def messages() -> MessageSet:
    return MessageSet("emulator.openapi.v2", (GNOSTIC,))


def _yaml(target: Any, value: Any) -> None:
    target.yaml = json.dumps(value)


def _schema(target: Any, schema: Mapping[str, Any]) -> None:
    for key, value in schema.items():
        if key in _PLAIN:
            setattr(target, key, float(value) if key in _FLOATS else value)
        elif key == "$ref":
            target.ref = value
        elif key == "type":
            target.type.value.extend(value if isinstance(value, list) else [value])
        elif key == "required":
            target.required.extend(value)
        elif key in ("default", "example"):
            _yaml(getattr(target, key), value)
        elif key == "enum":
            for item in value:
                _yaml(target.enum.add(), item)
        else:
            _structure(target, key, value)


def _structure(target: Any, key: str, value: Any) -> None:
    if key == "properties":
        target.properties.SetInParent()
        for name, sub in value.items():
            _named(target.properties.additionalProperties.add(), name, sub)
    elif key == "items":
        for sub in value if isinstance(value, list) else [value]:
            _schema(target.items.schema.add(), sub)
    elif key == "additionalProperties":
        if isinstance(value, bool):
            target.additionalProperties.boolean = value
        else:
            target.additionalProperties.schema.SetInParent()
            _schema(target.additionalProperties.schema, value)
    elif key == "allOf":
        for sub in value:
            _schema(target.allOf.add(), sub)
    elif key.startswith("x-"):
        extension = target.vendorExtension.add()
        extension.name = key
        _yaml(extension.value, value)
    # anything else (e.g. "example"-like annotations OpenAPI v2 has no field for) is dropped, as gnostic does


def _named(target: Any, name: str, schema: Mapping[str, Any]) -> None:
    target.name = name
    target.value.SetInParent()
    _schema(target.value, schema)


def encode_definitions(definitions: Mapping[str, Mapping[str, Any]]) -> bytes:
    """A ``Document`` holding only ``definitions``. Protobuf merges repeated fields of a message that
    appears twice, so ``encode_header(...) + encode_definitions(a) + encode_definitions(b)`` is one
    document with the definitions of ``a`` and of ``b``."""
    document: Any = messages().message_class("Document")()
    document.definitions.SetInParent()
    for name, schema in definitions.items():
        _named(document.definitions.additionalProperties.add(), name, schema)
    data: bytes = document.SerializeToString()
    return data


def encode_header(title: str, version: str) -> bytes:
    document: Any = messages().message_class("Document")()
    document.swagger = "2.0"
    document.info.title = title
    document.info.version = version
    document.paths.SetInParent()
    data: bytes = document.SerializeToString()
    return data
