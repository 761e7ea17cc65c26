"""Phase-level operations: plan, run with gating and confirmation, resume, destroy, status.

This is the engine's front door. It owns the rules between phases (order, `--force`, what counts as
complete, when to ask) but never prompts or prints: the caller passes a `confirm` callback and a
reporter. The CLI is the only place that talks to the user.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orchestrator.engine.context import Interrupted
from orchestrator.engine.phases import Phase, PhaseRegistry
from orchestrator.engine.results import Outcome, PhaseResult
from orchestrator.engine.runner import Mode, Runner
from orchestrator.engine.step import Step
from orchestrator.errors import PreflightError, UsageError
from state.schema import StepStatus
from state.store import StateStore


class Decision(StrEnum):
    CONTINUE = "continue"
    STOP = "stop"  # the user said no, or nobody can be asked


Confirm = Callable[[PhaseResult, Phase], Decision]


@dataclass
class SessionResult:
    phases: list[PhaseResult] = field(default_factory=list)
    stopped_at_confirmation: bool = False
    next_phase: int | None = None

    @property
    def failed(self) -> bool:
        return any(p.failed for p in self.phases)

    @property
    def interrupted(self) -> bool:
        return any(p.interrupted for p in self.phases)


class Session:
    def __init__(self, registry: PhaseRegistry, runner: Runner, store: StateStore, config: Any) -> None:
        self.registry = registry
        self.runner = runner
        self.store = store
        self.config = config

    # -- queries ---------------------------------------------------------------------------------
    def is_complete(self, number: int) -> bool:
        return self.store.phase(number).status == StepStatus.DONE

    def pending(self) -> list[Phase]:
        return [p for p in self.registry if p.available and not self.is_complete(p.number)]

    def _phase(self, number: int) -> Phase:
        if number not in self.registry:
            raise UsageError(f"there is no phase {number}; phases are {self.registry.numbers()}")
        phase = self.registry.get(number)
        if not phase.available:
            raise UsageError(f"phase {number} ({phase.name}) is not available in this version of orchestrate")
        return phase

    def check_order(self, number: int, *, force: bool) -> None:
        missing = [p for p in self.registry if p.number < number and not self.is_complete(p.number)]
        if missing and not force:
            first = missing[0]
            raise UsageError(
                f"phase {number} needs phase {first.number} ({first.name}) to be complete first;"
                f" run `orchestrate run --phase {first.number}`, or pass --force to run it anyway"
            )

    def preflight(self, numbers: Sequence[int]) -> None:
        """Run the live checks of the given phases that are not complete yet; raise with every problem."""
        problems = []
        for number in numbers:
            phase = self._phase(number)
            if phase.preflight is not None and not self.is_complete(number):
                problems += phase.preflight(self.config, self.runner.services)
        if problems:
            raise PreflightError(problems)

    def runnable(self) -> list[int]:
        return [p.number for p in self.registry if p.available]

    # -- plan and run ----------------------------------------------------------------------------
    def plan(self, numbers: Sequence[int]) -> list[PhaseResult]:
        return [self._execute(self._phase(n), Mode.PLAN) for n in numbers]

    def run_phase(self, number: int, *, force: bool = False, dry_run: bool = False) -> PhaseResult:
        phase = self._phase(number)
        self.check_order(number, force=force)
        return self._execute(phase, Mode.PLAN if dry_run else Mode.APPLY)

    def run_all(self, confirm: Confirm, *, dry_run: bool = False) -> SessionResult:
        """Converge every available phase in order. Complete phases are checked again (a no-op unless
        something drifted); before a phase that is still pending, `confirm` decides whether to go on."""
        out = SessionResult()
        queue = [p for p in self.registry if p.available]
        for index, phase in enumerate(queue):
            pending = not self.is_complete(phase.number)
            if index and not dry_run and pending and confirm(out.phases[-1], phase) is Decision.STOP:
                out.stopped_at_confirmation = True
                out.next_phase = phase.number
                return out
            if index and not dry_run and pending:
                self.preflight([phase.number])  # again: what an earlier phase made can be checked now
            result = self._execute(phase, Mode.PLAN if dry_run else Mode.APPLY)
            out.phases.append(result)
            if result.failed or result.interrupted:
                return out
        return out

    def resumable(self) -> bool:
        doc = self.store.document
        active = {StepStatus.RUNNING, StepStatus.INTERRUPTED, StepStatus.FAILED}
        return any(r.status in active for r in doc.steps.values()) or any(
            self.store.phase(p.number).status in active for p in self.registry
        )

    # -- actions over the whole deployment (stop/start, drills) ----------------------------------
    def act(self, name: str, steps: list[Step], *, needs_phase: int) -> PhaseResult:
        """Run steps that belong to no phase (e.g. stopping the clusters) once phase `needs_phase` is done."""
        if not self.is_complete(needs_phase):
            phase = self.registry.get(needs_phase)
            raise UsageError(f"phase {needs_phase} ({phase.name}) is not complete; run it first")
        return PhaseResult(0, name, self.runner.execute(steps, Mode.APPLY))

    # -- destroy ---------------------------------------------------------------------------------
    def destroy(self, numbers: Sequence[int], *, dry_run: bool) -> list[PhaseResult]:
        results = []
        for number in sorted(numbers, reverse=True):
            phase = self.registry.get(number)
            if not phase.available:
                continue
            result = self._execute(phase, Mode.DESTROY_PLAN if dry_run else Mode.DESTROY)
            results.append(result)
            if result.failed or result.interrupted:
                break
        return results

    def destroy_candidates(self) -> list[int]:
        return [p.number for p in self.registry if p.available]

    # -- one phase -------------------------------------------------------------------------------
    def _execute(self, phase: Phase, mode: Mode) -> PhaseResult:
        steps: list[Step] = phase.steps(self.config)
        if mode.writes:
            self.store.set_phase(phase.number, StepStatus.RUNNING)
        try:
            results = self.runner.execute(steps, mode)
        except Interrupted:
            if mode.writes:
                self.store.set_phase(phase.number, StepStatus.INTERRUPTED)
            raise
        result = PhaseResult(phase.number, phase.name, results)
        if mode.writes:
            self.store.set_phase(phase.number, _phase_status(result, mode))
        return result


def _phase_status(result: PhaseResult, mode: Mode) -> StepStatus:
    if result.interrupted:
        return StepStatus.INTERRUPTED
    if result.failed:
        return StepStatus.FAILED
    if any(s.outcome is not Outcome.DONE for s in result.steps):
        return StepStatus.FAILED
    return StepStatus.DESTROYED if mode is Mode.DESTROY else StepStatus.DONE
