"""Count every HTTP request actually sent, by API (azure, kubernetes) and kind (read, write).

Reads are GET and HEAD; everything else is a write, except ARM's `list*` actions
(`listClusterAdminCredential`, `listKeys`...): POSTs that change nothing, so they count as reads and a
run that only reads still reports zero writes. Long-running-operation polls are GETs: reads. The azure-core policy sits in the per-retry part of the pipeline, so a retried
request counts each time it goes on the wire. The kubernetes hook wraps the client's REST layer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

READ_METHODS = frozenset({"GET", "HEAD"})


class RequestCounts:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = {api: {"read": 0, "write": 0} for api in ("azure", "kubernetes")}

    def record(self, api: str, method: str, path: str = "") -> None:
        kind = "read" if method.upper() in READ_METHODS or _is_list_action(method, path) else "write"
        with self._lock:
            self._counts[api][kind] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {api: dict(kinds) for api, kinds in self._counts.items()}

    def writes(self) -> int:
        with self._lock:
            return sum(kinds["write"] for kinds in self._counts.values())


def _is_list_action(method: str, path: str) -> bool:
    last = path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return method.upper() == "POST" and last.startswith("list")


def azure_counting_policy(counts: RequestCounts) -> Any:
    """An azure-core SansIOHTTPPolicy; built lazily so that importing this module stays cheap."""
    from azure.core.pipeline import PipelineRequest
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    class CountingPolicy(SansIOHTTPPolicy):  # type: ignore[type-arg]
        def on_request(self, request: PipelineRequest[Any]) -> None:
            counts.record("azure", request.http_request.method, request.http_request.url)

    return CountingPolicy()


def count_kubernetes_requests(api_client: Any, counts: RequestCounts) -> None:
    """Wrap `api_client.rest_client.request` so that every call is counted before it is sent."""
    rest = api_client.rest_client
    original: Callable[..., Any] = rest.request

    def counted(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        counts.record("kubernetes", method)
        return original(method, url, *args, **kwargs)

    rest.request = counted
