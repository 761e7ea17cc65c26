"""Plans made before a phase is applied, kept so `run` observes each resource once.

`run` plans a phase first when it may hold a replacement that needs the user's approval (the cluster
and its pools): it must stop before the first write, not in the middle of the phase. The APPLY pass
then reuses each step's plan, unless a step it depends on (directly or not) has changed since, in
which case that step is planned again: what it wants may read the outputs the change produced.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from orchestrator.engine.change import Change
from orchestrator.engine.step import Document, Step


class PreparedPlans:
    def __init__(self, steps: Sequence[Step]) -> None:
        self._dependents: dict[str, set[str]] = {s.id: set() for s in steps}
        for step in steps:
            for dep in step.depends_on:
                if dep in self._dependents:
                    self._dependents[dep].add(step.id)
        self._plans: dict[str, tuple[Change, Document | None]] = {}
        self._lock = threading.Lock()

    def record(self, step_id: str, change: Change, observed: Document | None) -> None:
        with self._lock:
            self._plans[step_id] = (change, observed)

    def take(self, step_id: str) -> tuple[Change, Document | None] | None:
        with self._lock:
            return self._plans.pop(step_id, None)

    def invalidate_dependents(self, step_id: str) -> None:
        with self._lock:
            for dependent in self._transitive(step_id):
                self._plans.pop(dependent, None)

    def _transitive(self, step_id: str) -> Iterable[str]:
        seen: set[str] = set()
        todo = list(self._dependents.get(step_id, ()))
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self._dependents.get(current, ()))
        return seen
