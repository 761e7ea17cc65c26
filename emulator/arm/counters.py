"""Request counts by method, resource type and outcome (introspection), and the optional request log."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from pathlib import Path
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


REQUEST_LOG = "requests.jsonl"


def append_request_log(state_dir: Path, method: str, resource_type: str, path: str, outcome: str) -> None:
    """One JSON line per request; O_APPEND keeps lines whole across processes."""
    line = (
        json.dumps(
            {
                "t": time.time(),
                "pid": os.getpid(),
                "method": method,
                "type": resource_type,
                "path": path,
                "outcome": outcome,
            }
        )
        + "\n"
    )
    fd = os.open(state_dir / REQUEST_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def read_request_log(state_dir: Path) -> list[dict[str, Any]]:
    path = state_dir / REQUEST_LOG
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
