"""How stored resources are shown to clients (GET bodies, list pages)."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

from emulator.arm.backend import Backend
from emulator.arm.http import Request
from emulator.arm.store import Resource


def render(backend: Backend, resource: Resource) -> dict[str, Any]:
    """The body a GET answers: the stored body, the type's render hook, and the service's spelling of
    its ID and type (stored IDs keep one canonical spelling; routing ignores case)."""
    body = copy.deepcopy(resource.body)
    rtype = backend.registry.get(resource.type)
    if rtype is None:
        return body
    if rtype.render is not None:
        rtype.render(backend, resource, body)
    if rtype.id_style is not None and isinstance(body.get("id"), str):
        body["id"] = rtype.id_style(body["id"])
    if rtype.answered_type is not None:
        body["type"] = rtype.answered_type
    return body


def page(backend: Backend, request: Request, items: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of a collection: {"value": [...], "nextLink": absolute URL with $skiptoken or absent}."""
    size = max(1, backend.settings.page_size)
    token = request.query_ci("$skiptoken")
    start = int(token) if token and token.isdigit() else 0
    out: dict[str, Any] = {"value": items[start : start + size]}
    if start + size < len(items):
        query = {k: v for k, v in request.query.items() if k.lower() != "$skiptoken"}
        query["$skiptoken"] = str(start + size)
        out["nextLink"] = f"{request.base_url}{request.path}?{urlencode(query)}"
    return out
