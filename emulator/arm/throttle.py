"""ARM token-bucket throttling per subscription and operation class (reads / writes / deletes).

Off unless Settings.rate_limits names buckets; `settings.DEFAULT_RATE_LIMITS` has ARM's documented
figures (reads 250 refilled 25/s, writes and deletes 200 refilled 10/s).
"""

from __future__ import annotations

import math
import threading
import time

from emulator.arm.routing import scope_parts

_KIND = {"GET": "reads", "HEAD": "reads", "DELETE": "deletes"}


def operation_kind(method: str) -> str:
    return _KIND.get(method.upper(), "writes")


class TokenBuckets:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # -> (tokens, updated_at)

    def take(self, limits: dict[str, list[float]], method: str, path: str) -> tuple[str, int, int | None]:
        """(kind, remaining, retry_after): retry_after is None when the request may proceed."""
        kind = operation_kind(method)
        capacity, refill = (limits.get(kind) or [0.0, 0.0])[:2]
        if capacity <= 0:
            return kind, -1, None
        sub = scope_parts(path)[0] or "-"
        now = time.monotonic()
        with self._lock:
            tokens, updated = self._buckets.get((sub, kind), (capacity, now))
            tokens = min(capacity, tokens + (now - updated) * refill)
            if tokens < 1.0:
                self._buckets[(sub, kind)] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / refill) if refill > 0 else 60
                return kind, 0, max(1, wait)
            self._buckets[(sub, kind)] = (tokens - 1.0, now)
            return kind, int(tokens - 1.0), None
