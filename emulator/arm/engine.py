"""Request pipeline: auth, introspection, request faults, settle LROs, dispatch, common headers."""

from __future__ import annotations

import hmac
import sys
import traceback
import uuid

from emulator.arm import admin, counters
from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.faults import REQUEST_FAULTS
from emulator.arm.handlers import dispatch, label_for
from emulator.arm.http import Request, Response
from emulator.arm.lro import settle_due
from emulator.arm.throttle import TokenBuckets, operation_kind
from emulator.settings import FaultKind, FaultRule

_REMAINING = "11999"
KUBE_PREFIX = "/k8s/"  # AKS hook (see Engine.handle)


class Engine:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.buckets = TokenBuckets()

    def handle(self, request: Request) -> Response:
        # --- AKS hook: /k8s/<cluster-key>/... is a cluster's Kubernetes API (served by a route that the
        # containerservice provider registers); it carries the cluster's own token, so no ARM auth here.
        if request.path.startswith(KUBE_PREFIX):
            hit = self.backend.registry.match_route(request.method, request.path)
            return hit[0].handler(self.backend, request, hit[1]) if hit else Response(404)
        # --- end of AKS hook ---
        label = (
            "emulator"
            if request.path.startswith(admin.PREFIX)
            else label_for(self.backend, request.method, request.path)
        )
        try:
            response = self._handle(request, label)
        except e.ArmError as err:
            response = Response(err.status, err.body(), dict(err.headers))
        except Exception:  # a provider bug must answer like ARM does, not drop the connection
            traceback.print_exc(file=sys.stderr)
            response = Response(500, e.ArmError(500, "InternalServerError", e.MSG_UNEXPECTED).body())
        outcome = "reset" if response.reset else str(response.status)
        if label != "emulator":
            self.backend.counter.add(request.method, label, outcome)
            if self.backend.settings.request_log:
                counters.append_request_log(
                    self.backend.state_dir, request.method, label, request.path, outcome
                )
        _decorate(request, response)
        return response

    def _handle(self, request: Request, label: str) -> Response:
        _authenticate(self.backend.token, request)
        self.backend.refresh_settings()
        if label == "emulator":
            return admin.handle(self.backend, request)
        with self.backend.store.transaction():  # fault hit counts persist with the state
            rule = self.backend.pick_fault(REQUEST_FAULTS, label, request.method, request.path)
            if rule is not None:
                return _fault_response(rule, request)
            kind, remaining, retry_after = self.buckets.take(
                self.backend.settings.rate_limits, request.method, request.path
            )
            if retry_after is not None:
                return _throttled(kind, retry_after)
            settle_due(self.backend)
            response = dispatch(self.backend, request)
        if remaining >= 0:
            response.headers[f"x-ms-ratelimit-remaining-subscription-{kind}"] = str(remaining)
        return response


def _authenticate(token: str, request: Request) -> None:
    header = request.headers.get("authorization", "")
    if not header:
        raise e.ArmError(401, "AuthenticationFailed", e.MSG_AUTH_MISSING)
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise e.ArmError(401, "AuthenticationFailed", e.MSG_AUTH_INVALID)


def _fault_response(rule: FaultRule, request: Request) -> Response:
    if rule.kind == FaultKind.RESET:
        return Response(0, reset=True)
    if rule.kind == FaultKind.THROTTLE:
        return _throttled(operation_kind(request.method), rule.retry_after)
    if rule.kind == FaultKind.UNAVAILABLE:
        return Response(503, e.ArmError(503, "ServiceUnavailable", e.MSG_UNAVAILABLE).body())
    return Response(500, e.ArmError(500, "InternalServerError", e.MSG_INTERNAL).body())


def _throttled(kind: str, retry_after: int) -> Response:
    headers = {"Retry-After": str(retry_after), f"x-ms-ratelimit-remaining-subscription-{kind}": "0"}
    message = e.MSG_THROTTLED.format(sub="*", op=kind)
    return Response(429, e.ArmError(429, "SubscriptionRequestsThrottled", message).body(), headers)


def _decorate(request: Request, response: Response) -> None:
    headers = response.headers
    headers.setdefault("x-ms-request-id", str(uuid.uuid4()))
    headers.setdefault("x-ms-correlation-request-id", request.headers.get("x-ms-client-request-id", ""))
    headers.setdefault(f"x-ms-ratelimit-remaining-subscription-{operation_kind(request.method)}", _REMAINING)
    if response.body is not None:
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
