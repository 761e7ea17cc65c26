"""Retries of the Kubernetes API's transient answers, at the HTTP layer (urllib3's `Retry`).

An apiserver answers 429 (priority and fairness), 500, 502, 503 and 504 now and then, more often while
a control plane scales or an upgrade rolls. The kubernetes client retries none of them by default.
We retry the requests that are safe to send twice, with exponential backoff and Retry-After honoured:

- GET and HEAD (reads, lists, discovery);
- PUT and DELETE (idempotent by HTTP's definition; a DELETE whose first try landed answers 404 on the
  second, which every caller treats as done);
- PATCH, because every PATCH the product sends is a server-side apply, which states the whole desired
  object and so is idempotent (`tests/unit/test_kube_retry.py` keeps it that way).

POST (a create) is not retried here: a create that landed and then lost its answer would be refused
the second time. The step's own observe-then-apply cycle handles it on the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orchestrator.azure.retry import RetrySettings

# (connect, read) seconds for a request that sets none: an API server that never answers (a cluster
# being stopped, a dropped connection) fails the try, which is retried, instead of hanging the step.
DEFAULT_TIMEOUT_S = (10.0, 120.0)

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRIED_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH"})


def kube_retry(settings: RetrySettings) -> Any:
    """The urllib3 `Retry` a Kubernetes client gets (connection errors included, bounded)."""
    from urllib3.util.retry import Retry

    return Retry(
        total=settings.kube_total,
        connect=settings.kube_total,
        read=settings.kube_total,
        status=settings.kube_total,
        status_forcelist=TRANSIENT_STATUSES,
        allowed_methods=RETRIED_METHODS,
        backoff_factor=settings.kube_backoff_factor,
        backoff_max=settings.kube_backoff_max,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer reaches the client, which maps it as usual
    )


def with_default_timeout(rest_client: Any, timeout: tuple[float, float] = DEFAULT_TIMEOUT_S) -> None:
    """Give every request of a kubernetes `RESTClientObject` a timeout unless the caller set one."""
    original: Callable[..., Any] = rest_client.request

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("_request_timeout") is None and len(args) < 4:  # given positionally: kept
            kwargs["_request_timeout"] = timeout
        return original(method, url, *args, **kwargs)

    rest_client.request = request
