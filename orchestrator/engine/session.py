"""Phase-level operations: plan, run with gating and confirmation, resume, destroy, status.

This is the engine's front door. It owns the rules between phases (order, `--force`, what counts as
complete, when to ask) but never prompts or prints: the caller passes a `confirm` callback and a
reporter. The CLI is the only place that talks to the user.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orchestrator.engine.change import Action
from orchestrator.engine.context import Interrupted
from orchestrator.engine.graph import ancestors
from orchestrator.engine.phases import Phase, PhaseRegistry
from orchestrator.engine.prepared import PreparedPlans
from orchestrator.engine.results import Outcome, PhaseResult, StepResult
from orchestrator.engine.runner import Mode, Runner
from orchestrator.engine.step import Step
from orchestrator.errors import ApprovalRequired, PreflightError, UsageError
from state.memory import MemoryBackend
from state.schema import StepStatus
from state.store import StateStore


class Decision(StrEnum):
    CONTINUE = "continue"
    STOP = "stop"  # the user said no, or nobody can be asked


Confirm = Callable[[PhaseResult, Phase], Decision]


def _refuse(risky: Sequence[StepResult]) -> bool:
    return False


@dataclass(frozen=True)
class Approval:
    """Who approves a replacement of a cluster or node pool: `granted` by a flag, or `ask` the user."""

    granted: bool = False
    ask: Callable[[Sequence[StepResult]], bool] = _refuse
    flag: str = "--allow-replace"


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
        if config is not None:
            registry.graph(config)  # refuse a malformed step graph before anything runs

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

    def run_phase(
        self, number: int, *, force: bool = False, dry_run: bool = False, approval: Approval | None = None
    ) -> PhaseResult:
        phase = self._phase(number)
        self.check_order(number, force=force)
        if dry_run:
            return self._execute(phase, Mode.PLAN)
        self.store.begin_operation("run", [number])
        result = self._execute(phase, Mode.APPLY, approval)
        self._end_operation_if(not (result.failed or result.interrupted))
        return result

    def run_all(
        self, confirm: Confirm, *, dry_run: bool = False, approval: Approval | None = None
    ) -> SessionResult:
        """Converge every available phase in order. Complete phases are checked again (a no-op unless
        something drifted); before a phase that is still pending, `confirm` decides whether to go on."""
        if not dry_run:
            self.store.begin_operation("run", [])
        out = self._converge(confirm, dry_run, approval)
        if not dry_run:
            self._end_operation_if(not (out.failed or out.interrupted or out.stopped_at_confirmation))
        return out

    def _converge(self, confirm: Confirm, dry_run: bool, approval: Approval | None) -> SessionResult:
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
            result = self._execute(phase, Mode.PLAN if dry_run else Mode.APPLY, approval)
            out.phases.append(result)
            if result.failed or result.interrupted:
                return out
        return out

    def _end_operation_if(self, finished: bool) -> None:
        if finished:
            self.store.end_operation()

    def incomplete(self) -> list[Phase]:
        """Available phases not done, when at least one is done: a deployment left half-built."""
        done = [p for p in self.registry if p.available and self.is_complete(p.number)]
        return self.pending() if done else []

    def resumable(self) -> bool:
        doc = self.store.document
        active = {StepStatus.RUNNING, StepStatus.INTERRUPTED, StepStatus.FAILED}
        return any(r.status in active for r in doc.steps.values()) or any(
            self.store.phase(p.number).status in active for p in self.registry
        )

    # -- actions over the whole deployment (stop/start, drills) ----------------------------------
    def act(self, name: str, steps: list[Step], *, needs_phase: int, command: str = "") -> PhaseResult:
        """Run steps that belong to no phase (e.g. stopping the clusters) once phase `needs_phase` is done.
        `command` is recorded until the steps finish, so `resume` can finish them after a kill."""
        if not self.is_complete(needs_phase):
            phase = self.registry.get(needs_phase)
            raise UsageError(f"phase {needs_phase} ({phase.name}) is not complete; run it first")
        if command:
            self.store.begin_operation(command, [])
        result = PhaseResult(0, name, self.runner.execute(steps, Mode.APPLY))
        self._end_operation_if(bool(command) and not (result.failed or result.interrupted))
        return result

    # -- verify ----------------------------------------------------------------------------------
    def _has_run(self, number: int) -> bool:
        """Built, or built in part (a failed check is what `verify` is for)."""
        return self.store.phase(number).status in (StepStatus.DONE, StepStatus.FAILED)

    def verifiable(self) -> list[int]:
        """The phases with checks that have been run."""
        return [
            p.number
            for p in self.registry
            if p.available and p.verification is not None and self._has_run(p.number)
        ]

    def verify(self, number: int) -> tuple[PhaseResult, dict[str, str]]:
        """Run the phase's checks afresh against the live clusters, recording into a scratch copy of
        the state (a failed check never marks the phase's own steps failed). Returns the results and
        each check's evidence: what it saw, or why it failed."""
        phase = self._phase(number)
        if phase.verification is None:
            raise UsageError(f"phase {number} ({phase.name}) has no checks to verify")
        if not self._has_run(number):
            raise UsageError(
                f"phase {number} ({phase.name}) has not been run; run `orchestrate run --phase {number}` first"
            )
        scratch = StateStore(
            MemoryBackend(self.store.document.model_dump(mode="json")),
            self.store.document.deployment,
            cloud=self.store.document.cloud,
        )
        results = self.runner.on_store(scratch).execute(phase.checks(self.config), Mode.APPLY)
        evidence = {r.step_id: _evidence(r, scratch) for r in results}
        return PhaseResult(number, f"verify: {phase.name}", results), evidence

    # -- destroy ---------------------------------------------------------------------------------
    def destroy(self, numbers: Sequence[int], *, dry_run: bool) -> list[PhaseResult]:
        """Tear down in reverse phase order, dependents first, and do everything that can safely be
        done: a resource that must be kept (it holds someone else's resources, or its delete failed)
        keeps what it depends on, in every phase; everything else this deployment owns is deleted."""
        phases = [p for p in (self.registry.get(n) for n in sorted(numbers, reverse=True)) if p.available]
        steps = {p.number: p.steps(self.config) for p in phases}
        by_id: dict[str, Step] = {s.id: s for p in phases for s in steps[p.number]}
        mode = Mode.DESTROY_PLAN if dry_run else Mode.DESTROY
        if mode.writes:
            self.store.begin_operation("destroy", sorted(numbers))
        out: list[PhaseResult] = []
        kept: dict[str, str] = {}  # step ID -> the kept step that keeps it
        for phase in phases:
            held: dict[str, str] = {s.id: kept[s.id] for s in steps[phase.number] if s.id in kept}
            result = self._execute(phase, mode, held=held)
            if not mode.writes:  # a plan: show what a kept resource keeps within its phase too
                result = _hold_within(result, by_id, mode)
            out.append(result)
            for step_result in result.steps:
                if _keeps(step_result, mode):
                    for dep in ancestors(step_result.step_id, by_id):
                        kept.setdefault(dep, step_result.step_id)
        self._end_operation_if(mode.writes and not any(r.failed or r.interrupted for r in out))
        return out

    def destroy_candidates(self) -> list[int]:
        return [p.number for p in self.registry if p.available]

    # -- one phase -------------------------------------------------------------------------------
    def _execute(
        self,
        phase: Phase,
        mode: Mode,
        approval: Approval | None = None,
        held: Mapping[str, str] | None = None,
    ) -> PhaseResult:
        """Run one phase's steps. Destroy only: those `held` (ID -> the kept step that keeps them) are
        not deleted; they are planned, read-only, to name what they hold, and reported as kept."""
        held = held or {}
        everything = phase.steps(self.config)
        steps: list[Step] = [s for s in everything if s.id not in held]
        prepared = self._approve(steps, approval or Approval()) if mode is Mode.APPLY else None
        if mode.writes:
            self.store.set_phase(phase.number, StepStatus.RUNNING)
        try:
            ran = {r.step_id: r for r in self.runner.execute(steps, mode, prepared=prepared)}
            if held:
                kept = [s for s in everything if s.id in held]
                previews = self.runner.quietly().execute(kept, Mode.DESTROY_PLAN)
                ran.update({r.step_id: _as_kept(r, held[r.step_id]) for r in previews})
        except Interrupted:
            if mode.writes:
                self.store.set_phase(phase.number, StepStatus.INTERRUPTED)
            raise
        results = [ran[s.id] for s in everything if s.id in ran]
        result = PhaseResult(phase.number, phase.name, results)
        if mode.writes:
            self.store.set_phase(phase.number, _phase_status(result, mode))
        return result

    def _approve(self, steps: Sequence[Step], approval: Approval) -> PreparedPlans | None:
        """Before the first write of a phase that could destroy a cluster or a node pool, plan it and
        stop unless each such replacement is approved. The plans are reused by the APPLY pass."""
        if approval.granted or not any(s.replace_needs_approval for s in steps):
            return None
        prepared = PreparedPlans(steps)
        planned = self.runner.quietly().execute(steps, Mode.PLAN, prepared=prepared)
        risky = [r for r in planned if r.needs_approval]
        if risky and not approval.ask(risky):
            raise ApprovalRequired([_describe_risk(r) for r in risky], approval.flag)
        return prepared


def _evidence(result: StepResult, store: StateStore) -> str:
    if result.error:
        return result.error
    outputs = store.step(result.step_id).outputs
    seen = outputs.get("seen") or outputs.get("evidence")
    return str(seen or result.reason or "")


def _keeps(result: StepResult, mode: Mode) -> bool:
    """A destroy result that keeps the resource in place (so what it depends on stays too)."""
    if mode is Mode.DESTROY_PLAN:
        return bool(result.blockers) or result.outcome is Outcome.BLOCKED
    return result.outcome is not Outcome.DONE


def _as_kept(result: StepResult, keeper: str) -> StepResult:
    """A destroy result for a resource kept because `keeper` (which depends on it) is kept."""
    return dataclasses.replace(
        result, action=Action.NOOP, outcome=Outcome.BLOCKED, fields=(), reason=f"kept: {keeper} is kept"
    )


def _hold_within(result: PhaseResult, by_id: Mapping[str, Step], mode: Mode) -> PhaseResult:
    """In a destroy plan, mark what each kept step keeps within the same phase (its VNet, its group)."""
    keepers = [r.step_id for r in result.steps if _keeps(r, mode)]
    held = {dep: k for k in keepers for dep in ancestors(k, by_id)}
    steps = [_as_kept(r, held[r.step_id]) if r.step_id in held else r for r in result.steps]
    return dataclasses.replace(result, steps=steps)


def _describe_risk(result: StepResult) -> str:
    forced = ", ".join(result.forces_replacement)
    return f"{result.step_id} ({result.title}): {forced or result.reason}"


def _phase_status(result: PhaseResult, mode: Mode) -> StepStatus:
    if result.interrupted:
        return StepStatus.INTERRUPTED
    if result.failed:
        return StepStatus.FAILED
    if any(s.outcome is not Outcome.DONE for s in result.steps):
        return StepStatus.FAILED
    return StepStatus.DESTROYED if mode is Mode.DESTROY else StepStatus.DONE
