"""Request counts by method, resource type and outcome (introspection)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str]] = Counter()

    def add(self, method: str, resource_type: str, outcome: str) -> None:
        with self._lock:
            self._counts[(method, resource_type, outcome)] += 1

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def total(self, method: str | None = None, resource_type: str | None = None) -> int:
        with self._lock:
            return sum(
                n
                for (m, t, _), n in self._counts.items()
                if (method is None or m == method)
                and (resource_type is None or t.lower() == resource_type.lower())
            )

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"method": m, "resourceType": t, "outcome": o, "count": n}
                for (m, t, o), n in sorted(self._counts.items())
            ]
