"""A request limiter on our side, shaped like ARM's throttling, so a large deployment never provokes
its own 429s.

ARM limits each principal per subscription and region with token buckets by operation kind: reads
(GET, HEAD) 250 refilled 25/s, writes (PUT, PATCH, POST) and deletes 200 refilled 10/s
(arm-protocol reference section 9). `RequestLimiter` keeps one bucket per kind, smaller by default,
shared by every client the factory builds; its policy sits in the per-retry part of the pipeline, so
every request on the wire (a retry, a long-running-operation poll) takes a token. It never retries:
it only delays a request until its token is due. Long-running-operation polls (azure-core runs them in
its `LROPoller` threads) go after the steps' own requests: a late poll only learns a little later that
an operation finished, while a step's read or write is what starts the next operation. It follows
what ARM reports: the `x-ms-ratelimit-remaining-subscription-*` headers lower our count when ARM's is
lower (another process of the same principal), and a 429 holds the bucket off for its Retry-After.
Under ARM's buckets, a resource provider's own documented limits apply too (`provider_limits`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.azure.provider_limits import ProviderBuckets
from orchestrator.azure.token_bucket import TokenBucket

# ARM's documented per-principal buckets: kind -> (size, refill per second).
DOCUMENTED_LIMITS: dict[str, tuple[float, float]] = {
    "reads": (250, 25.0),
    "writes": (200, 10.0),
    "deletes": (200, 10.0),
}
# Ours by default: 80% of ARM's, leaving room for the clock skew between us and ARM and another tool.
DEFAULT_LIMITS: dict[str, tuple[float, float]] = {
    "reads": (200, 20.0),
    "writes": (160, 8.0),
    "deletes": (160, 8.0),
}
KINDS = tuple(DOCUMENTED_LIMITS)

__all__ = ["DEFAULT_LIMITS", "DOCUMENTED_LIMITS", "KINDS", "RequestLimiter", "TokenBucket", "limiter_policy"]


def request_kind(method: str) -> str:
    """The ARM bucket a request counts against (POST actions count as writes in ARM)."""
    upper = method.upper()
    if upper in ("GET", "HEAD"):
        return "reads"
    return "deletes" if upper == "DELETE" else "writes"


@dataclass
class LimiterStats:
    requests: int = 0
    delayed: int = 0
    waited_s: float = 0.0
    throttled: int = 0  # 429s ARM answered in spite of us


class RequestLimiter:
    def __init__(
        self,
        limits: Mapping[str, tuple[float, float]] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        sizes = {**DEFAULT_LIMITS, **(limits or {})}
        unknown = set(sizes) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown request kinds {sorted(unknown)}; kinds are {list(KINDS)}")
        self.buckets = {kind: TokenBucket(*sizes[kind], clock) for kind in KINDS}
        self.providers = ProviderBuckets(clock)
        self._sleep = sleep
        self._lock = threading.Lock()
        self._stats = LimiterStats()

    def acquire(self, method: str, url: str = "", *, background: bool = False) -> float:
        """Block until the request may go; return how long it waited. `background` requests (polls)
        wait until no step's request is queued. A request a provider limits also waits for a token of
        each of the provider's buckets (the longest of the waits, as all are reserved at once)."""
        kind = request_kind(method)
        bucket = self.buckets[kind]
        provider_wait = max((b.reserve() for b in self.providers.buckets_for(kind, url)), default=0.0)
        if provider_wait > 0:
            self._sleep(provider_wait)
        delay = provider_wait + self._take(bucket, background)
        with self._lock:
            self._stats.requests += 1
            self._stats.delayed += delay > 0
            self._stats.waited_s += delay
        return delay

    def _take(self, bucket: TokenBucket, background: bool) -> float:
        if background:
            delay, ticket, taken = 0.0, bucket.queue(), False
            try:
                while (wait := bucket.try_take(ticket)) > 0:
                    self._sleep(wait)
                    delay += wait
                taken = True
            finally:
                if not taken:
                    bucket.abandon(ticket)
        else:
            delay = bucket.reserve()
            if delay > 0:
                self._sleep(delay)
        return delay

    def observe(self, method: str, status: int, headers: Mapping[str, str]) -> None:
        """Learn from ARM's answer: its remaining count, and a 429's Retry-After."""
        kind = request_kind(method)
        bucket = self.buckets[kind]
        remaining = _number(headers.get(f"x-ms-ratelimit-remaining-subscription-{kind}"))
        if remaining is not None:
            bucket.cap(remaining)
        if status == 429:
            bucket.hold_off(_number(headers.get("Retry-After")) or 1.0)
            with self._lock:
                self._stats.throttled += 1

    def stats(self) -> LimiterStats:
        with self._lock:
            return LimiterStats(**vars(self._stats))


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP-date Retry-After: the SDK honours it; we hold off the default


# Where ARM's status monitors live (Azure-AsyncOperation and Location URLs).
_MONITORS = ("/operationstatuses/", "/operationresults/", "/operations/", "/asyncoperations/")


def is_status_poll(method: str, url: str) -> bool:
    """A poll of a long-running operation's status: a GET of a status monitor from one of the threads
    azure-core's LROPoller polls in (`LROPoller(<uuid>)`). The final GET of the resource that the same
    thread makes once the operation succeeded is not a poll: it finishes the step, so it goes first."""
    if method.upper() != "GET" or not threading.current_thread().name.startswith("LROPoller"):
        return False
    path = url.split("?", 1)[0].lower()
    return any(m in path for m in _MONITORS)


def limiter_policy(limiter: RequestLimiter) -> Any:
    """An azure-core SansIOHTTPPolicy; built lazily so that importing this module stays cheap."""
    from azure.core.pipeline import PipelineRequest, PipelineResponse
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    class LimiterPolicy(SansIOHTTPPolicy):  # type: ignore[type-arg]
        def on_request(self, request: PipelineRequest[Any]) -> None:
            http = request.http_request
            limiter.acquire(http.method, http.url, background=is_status_poll(http.method, http.url))

        def on_response(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> None:
            http = response.http_response
            limiter.observe(request.http_request.method, http.status_code, http.headers)

    return LimiterPolicy()
