"""Long-running operations: wall-clock completion, status/result endpoints and response headers.

An operation completes when `now >= started_at + duration` (duration already scaled by time_scale).
Nothing runs in the background: every request first settles the operations that are due, so an
operation begun by one process completes for a later process that reloads the state.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from emulator.arm.backend import Backend
from emulator.arm.errors import MSG_OPERATION_NOT_FOUND, ArmError
from emulator.arm.http import Request, Response
from emulator.arm.registry import Lro, Registry, ResourceType
from emulator.arm.routing import scope_parts
from emulator.arm.store import Operation
from emulator.arm.views import render

_KEEP_FINISHED = 200
_OPS = r"/subscriptions/(?P<sub>[^/]+)/providers/(?P<ns>[^/]+)/locations/(?P<loc>[^/]+)"


def settle_due(backend: Backend) -> None:
    now = backend.now()
    for op in list(backend.state.operations.values()):
        if op.status == "InProgress" and op.due(now):
            _complete(backend, op, now)
    _prune(backend)


def _complete(backend: Backend, op: Operation, now: float) -> None:
    op.status = op.outcome
    op.ended_at = now
    backend.touch()
    resource = backend.get(op.resource_id)
    if resource is None:
        return
    if resource.operation_id == op.id:
        resource.operation_id = None
    props = resource.body.setdefault("properties", {})
    if op.kind == "delete" and op.status == "Succeeded":
        backend.remove(resource.id)
    elif op.kind != "action":
        props["provisioningState"] = op.status
    rtype = backend.registry.get(resource.type)
    if rtype is not None and rtype.on_settled is not None:
        rtype.on_settled(backend, resource, op)
    backend.touch()


def _prune(backend: Backend) -> None:
    done = [o for o in backend.state.operations.values() if o.status != "InProgress"]
    if len(done) > _KEEP_FINISHED:
        for o in sorted(done, key=lambda o: o.ended_at or 0)[: len(done) - _KEEP_FINISHED]:
            del backend.state.operations[o.id]
        backend.touch()


def lro_headers(
    backend: Backend, request: Request, rtype: ResourceType, op: Operation, style: Lro
) -> dict[str, str]:
    sub, _ = scope_parts(op.resource_id)
    base = f"{request.base_url}/subscriptions/{sub}/providers/{rtype.namespace}/locations/{op.location}"
    query = f"?api-version={request.api_version or '2022-01-01'}"
    headers: dict[str, str] = {}
    if style == Lro.ASYNC_OPERATION:
        headers["Azure-AsyncOperation"] = f"{base}/operationStatuses/{op.id}{query}"
        if rtype.location_header:
            headers["Location"] = f"{base}/operationResults/{op.id}{query}"
    elif style == Lro.LOCATION:
        headers["Location"] = f"{base}/operationResults/{op.id}{query}"
    if backend.settings.retry_after_s is not None:
        headers["Retry-After"] = str(backend.settings.retry_after_s)
    return headers


def status_body(op: Operation) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"/providers/locations/{op.location}/operationStatuses/{op.id}",
        "name": op.id,
        "status": op.status,
        "startTime": _iso(op.started_at),
    }
    if op.ended_at is not None:
        body["endTime"] = _iso(op.ended_at)
        body["percentComplete"] = 100
    if op.status in ("Failed", "Canceled") and op.error:
        body["error"] = op.error
    return body


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _find(backend: Backend, m: re.Match[str]) -> Operation:
    op = backend.operation(m["op"])
    if op is None:
        raise ArmError(404, "OperationNotFound", MSG_OPERATION_NOT_FOUND.format(op=m["op"]))
    return op


def _status(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    return Response(200, status_body(_find(backend, m)), _retry_after(backend))


def _result(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    op = _find(backend, m)
    if op.status == "InProgress":
        headers = {"Location": f"{request.base_url}{request.path}?api-version={request.api_version}"}
        return Response(202, None, {**headers, **_retry_after(backend)})
    if op.status in ("Failed", "Canceled"):
        err = op.error or {"code": "Failed", "message": "failed"}
        raise ArmError(400, str(err["code"]), str(err["message"]))
    if op.result is not None:
        return Response(200, op.result)
    resource = backend.get(op.resource_id)
    if op.kind == "delete" or resource is None:
        return Response(204)
    return Response(200, render(backend, resource))


def _retry_after(backend: Backend) -> dict[str, str]:
    if backend.settings.retry_after_s is None:
        return {}
    return {"Retry-After": str(backend.settings.retry_after_s)}


def register_routes(reg: Registry) -> None:
    reg.route("GET", _OPS + r"/operationStatuses/(?P<op>[^/]+)", _status, "")
    reg.route("GET", _OPS + r"/operationResults/(?P<op>[^/]+)", _result, "")
