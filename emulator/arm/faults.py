"""Deterministic fault selection: a seeded RNG and per-rule hit counts, per backend instance."""

from __future__ import annotations

import fnmatch
import random
import threading

from emulator.settings import FaultKind, FaultRule, Settings

REQUEST_FAULTS = frozenset({FaultKind.THROTTLE, FaultKind.INTERNAL, FaultKind.UNAVAILABLE, FaultKind.RESET})
OPERATION_FAULTS = frozenset({FaultKind.LRO_FAILURE, FaultKind.SLOW})


class FaultEngine:
    def __init__(self, settings: Settings) -> None:
        self._lock = threading.Lock()
        self.configure(settings)

    def configure(self, settings: Settings) -> None:
        with self._lock:
            self._rules = settings.faults
            self._rng = random.Random(settings.seed)
            self._hits = [0] * len(self._rules)

    def pick(self, kinds: frozenset[FaultKind], type_name: str, method: str) -> FaultRule | None:
        """The first rule of one of `kinds` that matches and fires for this request, if any."""
        with self._lock:
            for i, rule in enumerate(self._rules):
                if rule.kind not in kinds or not _matches(rule, type_name, method):
                    continue
                if rule.count is not None and self._hits[i] >= rule.count:
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                self._hits[i] += 1
                return rule
        return None


def _matches(rule: FaultRule, type_name: str, method: str) -> bool:
    if rule.method != "*" and rule.method.upper() != method.upper():
        return False
    return fnmatch.fnmatchcase(type_name.lower(), rule.resource_type.lower())
