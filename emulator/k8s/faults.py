"""On-demand fault injection for the Kubernetes API (what a flaky or throttling apiserver does)."""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from emulator.settings import KubeFaultRule

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


class RuleFaults:
    """The settings' ``kube_faults``: for each request, the first rule that matches and fires (a seeded
    RNG per process, so a run is repeatable), as the error the apiserver would answer."""

    def __init__(self, rules: Sequence[KubeFaultRule] = (), seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.configure(rules, seed)

    def configure(self, rules: Sequence[KubeFaultRule], seed: int) -> None:
        with self._lock:
            self._rules = tuple(rules)
            self._hits = [0] * len(self._rules)
            self._rng = random.Random(f"kube-faults-{seed}")

    def take(self, cluster: str, method: str, path: str) -> KubeError | None:
        with self._lock:
            for i, rule in enumerate(self._rules):
                if not _rule_matches(rule, cluster, method, path):
                    continue
                if rule.count is not None and self._hits[i] >= rule.count:
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                self._hits[i] += 1
                return _error(Fault(rule.status, 1, retry_after=rule.retry_after))
        return None


def _rule_matches(rule: KubeFaultRule, cluster: str, method: str, path: str) -> bool:
    if rule.method != "*" and rule.method.upper() != method.upper():
        return False
    return fnmatch.fnmatchcase(path, rule.path) and fnmatch.fnmatchcase(cluster, rule.cluster)
