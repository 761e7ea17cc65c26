"""Map kubernetes-client exceptions into the product's own types, once, at the client boundary."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from orchestrator.errors import AuthError, CloudError, Conflict, NotFound, TransientError

T = TypeVar("T")


def map_kube_error(exc: Any) -> CloudError:
    status = int(getattr(exc, "status", 0) or 0)
    reason, message = str(getattr(exc, "reason", "") or ""), str(exc)
    body = getattr(exc, "body", None)
    try:
        parsed = json.loads(body) if body else {}
        message = parsed.get("message") or message
        reason = parsed.get("reason") or reason
    except (TypeError, ValueError):
        pass
    message = message.splitlines()[0] if message else f"HTTP {status}"
    kwargs: dict[str, Any] = {"code": reason, "status": status}
    if status in (401, 403):
        return AuthError(message, **kwargs)
    if status == 404:
        return NotFound(message, **kwargs)
    if status == 409:
        return Conflict(message, **kwargs)
    if status in (429, 500, 502, 503, 504) or status == 0:
        return TransientError(message, **kwargs)
    return CloudError(message, **kwargs)


def call_kube(fn: Callable[[], T]) -> T:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        return fn()
    except ApiException as exc:
        raise map_kube_error(exc) from exc
    except HTTPError as exc:
        raise TransientError(f"cannot reach the Kubernetes API: {exc}") from exc
