"""A token bucket with two classes of request, for the request limiter (`orchestrator.azure.limiter`)."""

from __future__ import annotations

import threading
from collections.abc import Callable


class TokenBucket:
    """A token bucket with two classes of request, each served in order. `reserve` (a step's request)
    takes a token now or, when the bucket is empty, the next one due, and learns how long to wait.
    A poll takes a ticket (`queue`) and then a token only when it is first in the polls' queue and
    more than `kept` tokens (a quarter of the bucket) are left after every reservation (`try_take`): polls never delay a
    step's request, and never spend the part of the burst kept for the steps' next rush (every pool
    of every cluster starting at once when the clusters finish together)."""

    def __init__(
        self, size: float, per_second: float, clock: Callable[[], float], *, keep: float = 0.25
    ) -> None:
        if size < 1 or per_second <= 0:
            raise ValueError("a bucket needs a size of at least 1 and a positive refill rate")
        self.size = float(size)
        self.per_second = float(per_second)
        self.kept = float(int(size * keep))  # tokens polls leave for the steps
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = float(size)  # below 0: tokens already promised to waiting requests
        self._updated = clock()
        self._tickets = 0  # polls queued so far
        self._serving = 0  # the poll whose turn it is
        self._abandoned: set[int] = set()

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before using it (0 when it is there now)."""
        with self._lock:
            self._refill()
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.per_second

    def queue(self) -> int:
        """A place in the polls' queue."""
        with self._lock:
            self._tickets += 1
            return self._tickets - 1

    def try_take(self, ticket: int) -> float:
        """Take a token when it is `ticket`'s turn and one is free (0.0), else return the seconds to
        wait before trying again."""
        with self._lock:
            self._refill()
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            if ticket == self._serving and self._tokens >= 1.0 + self.kept:
                self._tokens -= 1.0
                self._serving += 1
                return 0.0
            short = max(0.0, 1.0 + self.kept - self._tokens)
            return (short + ticket - self._serving) / self.per_second or 1.0 / self.per_second

    def abandon(self, ticket: int) -> None:
        with self._lock:
            if ticket >= self._serving:
                self._abandoned.add(ticket)

    def cap(self, remaining: float) -> None:
        """ARM says it has `remaining` tokens left for us: never count more than that."""
        with self._lock:
            self._refill()
            self._tokens = min(self._tokens, float(remaining))

    def hold_off(self, seconds: float) -> None:
        """ARM throttled us: hand out nothing for `seconds`."""
        with self._lock:
            self._refill()
            self._tokens = min(self._tokens, -seconds * self.per_second)

    def available(self) -> float:
        with self._lock:
            self._refill()
            return self._tokens

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.size, self._tokens + (now - self._updated) * self.per_second)
        self._updated = now
