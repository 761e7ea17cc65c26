"""Introspection endpoints under the reserved path /_emulator/ (same bearer token as ARM)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from emulator.arm.backend import Backend
from emulator.arm.errors import MSG_INVALID_SETTINGS, MSG_NO_EMULATOR_ENDPOINT, ArmError
from emulator.arm.http import Request, Response
from emulator.settings import Settings

PREFIX = "/_emulator/"


def list_resources(
    backend: Backend, type_name: str | None = None, under: str | None = None
) -> list[dict[str, Any]]:
    """Every stored resource (children included: subnets, record sets, links, agent pools), optionally
    of one type and/or at or below one ID, with what ownership checks need (name, tags)."""
    prefix = (under or "").rstrip("/").lower()
    return [
        {
            "id": r.id,
            "name": r.body.get("name", r.id.rsplit("/", 1)[-1]),
            "type": r.type,
            "provisioningState": r.body.get("properties", {}).get("provisioningState"),
            "tags": _tags(r.body),
        }
        for r in sorted(backend.state.resources.values(), key=lambda r: r.id.lower())
        if (type_name is None or r.type.lower() == type_name.lower())
        and (not prefix or r.id.lower() == prefix or r.id.lower().startswith(prefix + "/"))
    ]


def _tags(body: dict[str, Any]) -> dict[str, Any]:
    """Top-level tags; agent pools keep theirs in properties, record sets in properties.metadata."""
    props = body.get("properties") or {}
    raw = body.get("tags") or props.get("tags") or props.get("metadata") or {}
    return dict(raw) if isinstance(raw, dict) else {}


def _requests(backend: Backend, request: Request) -> Response:
    counts = backend.counter.snapshot()
    return Response(200, {"total": sum(c["count"] for c in counts), "counts": counts})


def _reset(backend: Backend, request: Request) -> Response:
    backend.counter.reset()
    return Response(204)


def _resources(backend: Backend, request: Request) -> Response:
    with backend.store.transaction():
        found = list_resources(backend, request.query_ci("type"), request.query_ci("under"))
        return Response(200, {"value": found})


def _get_settings(backend: Backend, request: Request) -> Response:
    return Response(200, backend.settings.to_json())


def _put_settings(backend: Backend, request: Request) -> Response:
    try:
        settings = Settings.from_json(json.loads(request.body or b"{}"))
    except (ValueError, KeyError, TypeError) as exc:
        raise ArmError(400, "InvalidRequestContent", MSG_INVALID_SETTINGS.format(detail=exc)) from exc
    backend.configure(settings)
    return Response(200, settings.to_json())


_ROUTES: dict[tuple[str, str], Callable[[Backend, Request], Response]] = {
    ("GET", "requests"): _requests,
    ("POST", "requests/reset"): _reset,
    ("GET", "resources"): _resources,
    ("GET", "settings"): _get_settings,
    ("PUT", "settings"): _put_settings,
}


def handle(backend: Backend, request: Request) -> Response:
    key = (request.method, request.path[len(PREFIX) :].strip("/").lower())
    handler = _ROUTES.get(key)
    if handler is None:
        raise ArmError(
            404, "NotFound", MSG_NO_EMULATOR_ENDPOINT.format(method=request.method, path=request.path)
        )
    return handler(backend, request)
