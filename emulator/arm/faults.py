"""Deterministic fault selection: a seeded RNG per backend instance and per-rule hit counts.

Hit counts live in the persisted state (the caller passes its `fault_hits` section), so a rule with
`count=1` fires once for the whole local cloud, not once per process: a failed run and the `resume` in
the next process see one failure between them. Counts belong to one *generation* of the settings (the
settings.json that every process reads, or one in-process `configure`); new settings start from zero.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import MutableMapping
from typing import Any

from emulator.settings import FaultKind, FaultRule, Settings

REQUEST_FAULTS = frozenset({FaultKind.THROTTLE, FaultKind.INTERNAL, FaultKind.UNAVAILABLE, FaultKind.RESET})
OPERATION_FAULTS = frozenset({FaultKind.LRO_FAILURE, FaultKind.SLOW})
HITS_KEY = "fault_hits"  # state extras: {"generation": str, "counts": {rule index: hits}}


class FaultEngine:
    def __init__(self, settings: Settings, generation: str) -> None:
        self._lock = threading.Lock()
        self.configure(settings, generation)

    def configure(self, settings: Settings, generation: str) -> None:
        with self._lock:
            self._rules = settings.faults
            self._rng = random.Random(settings.seed)
            self.generation = generation

    def pick(
        self,
        kinds: frozenset[FaultKind],
        type_name: str,
        method: str,
        resource_id: str,
        hits: MutableMapping[str, Any],
    ) -> FaultRule | None:
        """The first rule of one of `kinds` that matches and fires for this request, if any; counts
        the hit in `hits` (the persisted section)."""
        with self._lock:
            counts = _counts(hits, self.generation)
            for i, rule in enumerate(self._rules):
                if rule.kind not in kinds or not _matches(rule, type_name, method, resource_id):
                    continue
                if rule.count is not None and counts.get(str(i), 0) >= rule.count:
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                counts[str(i)] = counts.get(str(i), 0) + 1
                return rule
        return None


def _counts(hits: MutableMapping[str, Any], generation: str) -> dict[str, int]:
    if hits.get("generation") != generation:
        hits.clear()
        hits["generation"] = generation
        hits["counts"] = {}
    counts: dict[str, int] = hits["counts"]
    return counts


def _matches(rule: FaultRule, type_name: str, method: str, resource_id: str) -> bool:
    if rule.method != "*" and rule.method.upper() != method.upper():
        return False
    if not fnmatch.fnmatchcase(type_name.lower(), rule.resource_type.lower()):
        return False
    return resource_matches(rule.resource, resource_id)


def resource_matches(pattern: str, resource_id: str) -> bool:
    """A glob over the whole ID, or over the last name segment when the glob has no '/'."""
    if pattern in ("", "*"):
        return True
    subject = resource_id if "/" in pattern else resource_id.rstrip("/").rsplit("/", 1)[-1]
    return fnmatch.fnmatchcase(subject.lower(), pattern.lower())
