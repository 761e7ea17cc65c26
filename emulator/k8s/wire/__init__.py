"""Kubernetes protobuf bodies (``application/vnd.kubernetes.protobuf``) as client-go writes them.

A body is the 4-byte magic ``k8s\\x00`` followed by a ``runtime.Unknown`` message: ``typeMeta``
(apiVersion, kind), ``raw`` (the object's own message), ``contentEncoding`` and ``contentType`` (both
empty). The object messages are built at import time from this package's field tables (``meta``,
``core``, ``groups``) with the ``protobuf`` library's dynamic descriptors; no .proto file is involved.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import message

from .codec import Unencodable, decode, encode
from .kinds import message_for
from .schema import message_class

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"

__all__ = ["MAGIC", "MEDIA_TYPE", "Unencodable", "UnsupportedKind", "decode_object", "encode_object"]


class UnsupportedKind(ValueError):
    """A well-formed envelope around a kind that has no message table here."""

    def __init__(self, api_version: str, kind: str) -> None:
        super().__init__(f"{api_version} {kind}")
        self.api_version = api_version
        self.kind = kind


def _unknown(body: bytes) -> Any:
    if not body.startswith(MAGIC):
        raise ValueError("the body does not start with the protobuf magic k8s\\x00")
    envelope: Any = message_class("Unknown")()
    try:
        envelope.ParseFromString(body[len(MAGIC) :])
    except message.DecodeError as exc:
        raise ValueError(f"invalid runtime.Unknown envelope: {exc}") from exc
    return envelope


def decode_object(body: bytes) -> dict[str, Any]:
    """The JSON form of a protobuf request body, ``apiVersion`` and ``kind`` included.

    ``UnsupportedKind`` for a kind without a table; ``ValueError`` for a malformed body.
    """
    envelope = _unknown(body)
    api_version, kind = envelope.typeMeta.apiVersion, envelope.typeMeta.kind
    name = message_for(api_version, kind)
    if name is None:
        raise UnsupportedKind(api_version, kind)
    if envelope.contentEncoding:
        raise ValueError(f"unsupported contentEncoding {envelope.contentEncoding!r}")
    obj = decode(name, envelope.raw)
    return {"apiVersion": api_version, "kind": kind, **obj}


def encode_object(obj: dict[str, Any]) -> bytes | None:
    """The protobuf body of a JSON object, or None when its kind or one of its fields has no mapping."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    name = message_for(api_version, kind)
    if name is None:
        return None
    try:
        raw = encode(name, {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")})
    except Unencodable:
        return None
    envelope: Any = message_class("Unknown")()
    envelope.typeMeta.apiVersion = api_version
    envelope.typeMeta.kind = kind
    envelope.raw = raw
    data: bytes = envelope.SerializeToString()
    return MAGIC + data
