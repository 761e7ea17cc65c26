"""StateStore: the in-memory state document, shared by the engine's worker threads, saved on every change.

Every mutation goes through a method here, under one lock, and is written to the backend before the
method returns, so what is on disk is never behind what the engine has done. A `Secret` handed to
any method is refused with a clear error (secrets pass between steps in memory, see
`orchestrator.engine.secrets`); outputs and errors are then redacted, the second line of defence.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from orchestrator.secret import ensure_no_secrets
from state.migrations import load_document
from state.redact import redact
from state.schema import (
    JournalEntry,
    LroRecord,
    OperationRecord,
    PhaseRecord,
    StateDocument,
    StepRecord,
    StepStatus,
)


class Backend(Protocol):
    def describe(self) -> str: ...
    def load(self) -> dict[str, Any] | None: ...
    def save(self, document: dict[str, Any]) -> None: ...
    def acquire(self, command: str) -> None: ...
    def release(self) -> None: ...


class StateStore:
    def __init__(
        self, backend: Backend, deployment: str, *, cloud: str, clock: Callable[[], float] = time.time
    ):
        self._backend = backend
        self._clock = clock
        self._lock = threading.RLock()
        raw = backend.load()
        if raw is None:
            now = clock()
            self._doc = StateDocument(deployment=deployment, cloud=cloud, created_at=now, updated_at=now)
            self.exists = False
        else:
            self._doc = load_document(raw, source=backend.describe())
            self.exists = True
            self._mark_interrupted()

    @property
    def location(self) -> str:
        return self._backend.describe()

    @property
    def document(self) -> StateDocument:
        with self._lock:
            return self._doc.model_copy(deep=True)

    def step(self, step_id: str) -> StepRecord:
        with self._lock:
            return self._doc.steps.get(step_id, StepRecord()).model_copy(deep=True)

    def phase(self, number: int) -> PhaseRecord:
        with self._lock:
            return self._doc.phases.get(str(number), PhaseRecord()).model_copy(deep=True)

    def _mark_interrupted(self) -> None:
        """A step whose journal has an intent without an outcome stopped mid-mutation: observe it first."""
        for record in self._doc.steps.values():
            if record.open_mutation() is not None or record.status == StepStatus.RUNNING:
                record.status = StepStatus.INTERRUPTED
                record.needs_observe = True

    @contextmanager
    def _editing(self) -> Iterator[StateDocument]:
        with self._lock:
            yield self._doc
            self._doc.updated_at = self._clock()
            self._backend.save(self._doc.model_dump(mode="json"))
            self.exists = True

    def save(self) -> None:
        with self._editing():
            pass

    def update_step(self, step_id: str, **fields: Any) -> None:
        ensure_no_secrets(fields, f"state of step {step_id}")
        with self._editing() as doc:
            record = doc.steps.setdefault(step_id, StepRecord())
            for name, value in fields.items():
                setattr(record, name, redact(value) if name in ("outputs", "error") else value)

    def set_phase(self, number: int, status: StepStatus) -> None:
        with self._editing() as doc:
            record = doc.phases.setdefault(str(number), PhaseRecord())
            record.status = status
            record.finished_at = self._clock() if status == StepStatus.DONE else None

    def set_applied_config(self, config: dict[str, Any]) -> None:
        ensure_no_secrets(config, "applied_config")
        with self._editing() as doc:
            doc.applied_config = redact(config)

    def begin_operation(self, command: str, phases: list[int]) -> None:
        with self._editing() as doc:
            doc.operation = OperationRecord(command=command, phases=phases, started_at=self._clock())

    def end_operation(self) -> None:
        with self._editing() as doc:
            doc.operation = None

    def set_power(self, cluster: str, state: str) -> None:
        with self._editing() as doc:
            doc.clusters_power[cluster] = state

    def journal_intent(self, step_id: str, intent: str) -> int:
        ensure_no_secrets(intent, f"journal of step {step_id}")
        with self._editing() as doc:
            record = doc.steps.setdefault(step_id, StepRecord())
            seq = len(record.journal) + 1
            record.journal.append(JournalEntry(seq=seq, intent=redact(intent), started_at=self._clock()))
            return seq

    def journal_outcome(self, step_id: str, seq: int, outcome: str) -> None:
        ensure_no_secrets(outcome, f"journal of step {step_id}")
        with self._editing() as doc:
            entry = doc.steps[step_id].journal[seq - 1]
            entry.outcome = redact(outcome)
            entry.finished_at = self._clock()

    def close_open_mutations(self, step_id: str, outcome: str) -> None:
        """After re-observing an interrupted step, record that its unknown outcome was resolved."""
        with self._editing() as doc:
            record = doc.steps.get(step_id)
            if record is None:
                return
            for entry in record.journal:
                if entry.outcome is None:
                    entry.outcome = outcome
                    entry.finished_at = self._clock()
            record.needs_observe = False

    def set_lro(self, step_id: str, operation: str, continuation: str) -> None:
        with self._editing() as doc:
            record = doc.steps.setdefault(step_id, StepRecord())
            record.lro = LroRecord(operation=operation, continuation=continuation, started_at=self._clock())

    def clear_lro(self, step_id: str) -> None:
        with self._editing() as doc:
            if step_id in doc.steps:
                doc.steps[step_id].lro = None
