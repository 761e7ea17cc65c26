"""What the runner reports for each step, phase and command; the output layer renders these."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from orchestrator.engine.change import Action, FieldChange


class Outcome(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    FAILED = "failed"
    BLOCKED = "blocked"  # a dependency failed or was interrupted
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class StepResult:
    step_id: str
    title: str
    phase: int
    action: Action
    outcome: Outcome
    duration_s: float
    fields: tuple[FieldChange, ...] = ()
    reason: str = ""
    error: str | None = None
    forces_replacement: tuple[str, ...] = ()  # REPLACE: the immutable fields that force it
    blockers: tuple[str, ...] = ()  # destroy: the foreign resources that keep this one in place
    needs_approval: bool = False  # a REPLACE or DELETE that `--yes` alone does not approve


@dataclass
class PhaseResult:
    number: int
    name: str
    steps: list[StepResult] = field(default_factory=list)
    available: bool = True

    @property
    def failed(self) -> bool:
        return any(s.outcome in (Outcome.FAILED, Outcome.BLOCKED) for s in self.steps)

    @property
    def interrupted(self) -> bool:
        return any(s.outcome is Outcome.INTERRUPTED for s in self.steps)

    def count(self, action: Action) -> int:
        return sum(1 for s in self.steps if s.action is action)

    @property
    def blocked_by_foreign(self) -> list[StepResult]:
        return [s for s in self.steps if s.blockers]
