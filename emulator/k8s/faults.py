"""On-demand fault injection for the Kubernetes API (what a flaky or throttling apiserver does)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import KubeError


@dataclass
class Fault:
    status: int
    remaining: int
    method: str | None = None
    path_contains: str | None = None
    retry_after: int = 1

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_contains is None or self.path_contains in path


class Faults:
    """A queue of faults; each answers ``remaining`` matching requests, then disappears."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self.pending.append(fault)

    def take(self, method: str, path: str) -> KubeError | None:
        for fault in self.pending:
            if fault.remaining > 0 and fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.pending.remove(fault)
                return _error(fault)
        return None


def _error(fault: Fault) -> KubeError:
    if fault.status == 429:
        return KubeError(
            429,
            "Too many requests, please try again later.",
            "TooManyRequests",
            {"retryAfterSeconds": fault.retry_after},
        )
    return KubeError(fault.status, f"injected fault ({fault.status})")
