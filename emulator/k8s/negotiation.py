"""Content negotiation: request bodies by Content-Type, response bodies by Accept.

Requests: JSON, YAML (server-side apply) and Kubernetes protobuf (``k8s\\x00`` + ``runtime.Unknown``, see
``wire``); anything else is 415. Responses: protobuf when the client puts it first and the object's kind
and every field have a mapping, JSON otherwise (client-go always offers JSON as the fallback); 406 when
the client accepts neither. Watch streams and plain-text bodies are not negotiated here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import wire
from .errors import KubeError, bad_request

APPLY = "application/apply-patch+yaml"
JSON = "application/json"
_JSON_BODIES = (
    JSON,
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/json-patch+json",
)
_JSON_RANGES = (JSON, "application/*", "*/*")


@dataclass(frozen=True)
class Encoded:
    """A body already encoded by its producer (OpenAPI documents), with its own headers."""

    content_type: str
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)


def decode_body(content_type: str, body: bytes) -> Any:
    """The request body as a JSON value (None when empty); 400/415 KubeErrors otherwise."""
    if not body.strip():
        return None
    if content_type == wire.MEDIA_TYPE:
        return _decode_protobuf(body)
    try:
        if content_type == APPLY or "yaml" in content_type:
            return yaml.safe_load(body)
        if content_type in _JSON_BODIES or not content_type:
            return json.loads(body)
    except (ValueError, yaml.YAMLError) as exc:
        raise bad_request(f"unable to decode the request body: {exc}") from exc
    raise KubeError(
        415,
        f"the body of the request was in an unknown format ({content_type}) - accepted media types "
        f"include: {JSON}, application/yaml, {wire.MEDIA_TYPE}",
        "UnsupportedMediaType",
    )


def _decode_protobuf(body: bytes) -> Any:
    try:
        return wire.decode_object(body)
    except wire.UnsupportedKind as exc:
        raise KubeError(
            415,
            f"this emulated API server cannot decode {exc.api_version} {exc.kind} from {wire.MEDIA_TYPE}; "
            f"send it as {JSON}",
            "UnsupportedMediaType",
        ) from exc
    except ValueError as exc:
        raise bad_request(f"unable to decode the protobuf request body: {exc}") from exc


def _ranges(accept: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Media ranges of an Accept header, most preferred first (stable for equal q)."""
    ranked: list[tuple[float, int, str, dict[str, str]]] = []
    for index, part in enumerate(p for p in accept.split(",") if p.strip()):
        media, *raw = (s.strip() for s in part.split(";"))
        params = dict(p.partition("=")[::2] for p in raw)
        try:
            quality = float(params.pop("q", "1"))
        except ValueError:
            quality = 1.0
        ranked.append((-quality, index, media.lower(), params))
    for _, _, media, params in sorted(ranked, key=lambda r: (r[0], r[1])):
        yield media, params


def wants_protobuf(accept: str) -> bool:
    """True when plain Kubernetes protobuf comes before any JSON range in ``accept``."""
    for media, params in _ranges(accept):
        if media == wire.MEDIA_TYPE and "as" not in params:
            return True
        if media in _JSON_RANGES:
            return False
    return False


def accepts_json(accept: str) -> bool:
    return not accept.strip() or any(media in _JSON_RANGES for media, _ in _ranges(accept))


def render(status: int, payload: Any, accept: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body for a JSON-able payload (or an :class:`Encoded` one)."""
    if isinstance(payload, Encoded):
        return status, {**payload.headers, "Content-Type": payload.content_type}, payload.data
    if isinstance(payload, dict) and wants_protobuf(accept):
        data = wire.encode_object(payload)
        if data is not None:
            return status, {"Content-Type": wire.MEDIA_TYPE}, data
    if not accepts_json(accept) and status < 400:
        error = KubeError(
            406,
            f"only {JSON} is available for this response (Accept: {accept})",
            "NotAcceptable",
        )
        return 406, {"Content-Type": JSON}, json.dumps(error.status()).encode()
    return status, {"Content-Type": JSON}, json.dumps(payload).encode()
