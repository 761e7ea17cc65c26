"""The runner: executes a set of steps as a dependency graph; waiting steps hold no worker.

Modes: PLAN (observe + diff, no writes anywhere), APPLY (plan, then apply each non-noop Change),
DESTROY_PLAN and DESTROY (reverse dependency order, owned resources only). Plan and apply call the
same `Step.plan`; apply only adds the `Step.apply` call. Independent steps run concurrently; a failed
step blocks its dependents; Ctrl-C sets a cancel event that every wait honours, and the state stays
consistent because each mutation's intent is journalled before the call. Every started step has a
thread; at most `max_workers` of them work at once, and one that waits gives its slot to another
(`orchestrator.engine.scheduler`, docs/adr/0007).
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any, Protocol

from orchestrator.engine.change import Action, Change
from orchestrator.engine.context import Interrupted, StepContext
from orchestrator.engine.prepared import PreparedPlans
from orchestrator.engine.results import Outcome, StepResult
from orchestrator.engine.scheduler import KeyLocks, Slots
from orchestrator.engine.step import Document, Step
from orchestrator.errors import ForeignResourcesError, NotBuiltYet, OrchestrateError
from state.schema import StepStatus
from state.store import StateStore


class Mode(StrEnum):
    PLAN = "plan"
    APPLY = "apply"
    DESTROY_PLAN = "destroy-plan"
    DESTROY = "destroy"

    @property
    def writes(self) -> bool:
        return self in (Mode.APPLY, Mode.DESTROY)

    @property
    def destroying(self) -> bool:
        return self in (Mode.DESTROY, Mode.DESTROY_PLAN)


class Reporter(Protocol):
    def step_started(self, step: Step, mode: Mode) -> None: ...
    def step_progress(self, step_id: str, message: str) -> None: ...
    def step_finished(self, result: StepResult) -> None: ...


class SilentReporter:
    def step_started(self, step: Step, mode: Mode) -> None:
        pass

    def step_progress(self, step_id: str, message: str) -> None:
        pass

    def step_finished(self, result: StepResult) -> None:
        pass


class Runner:
    def __init__(
        self,
        *,
        store: StateStore,
        deployment: str,
        config: Any,
        services: Any,
        reporter: Reporter | None = None,
        max_workers: int = 4,
        max_threads: int = 256,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.store = store
        self.deployment = deployment
        self.config = config
        self.services = services
        self.reporter: Reporter = reporter or SilentReporter()
        self.max_workers = max_workers  # steps working at once; waiting ones do not count
        self.max_threads = max_threads  # steps started at once (working or waiting)
        self.slots = Slots(max_workers)
        self.locks = KeyLocks()
        self.cancel = threading.Event()
        self._clock = clock
        self._log = log

    def quietly(self) -> Runner:
        """The same runner (store, services, cancel event) reporting nothing: for a plan made before
        an apply, whose steps the apply reports."""
        twin = copy.copy(self)
        twin.reporter = SilentReporter()
        return twin

    def on_store(self, store: StateStore) -> Runner:
        """The same runner recording into another state store (e.g. a scratch copy)."""
        twin = copy.copy(self)
        twin.store = store
        return twin

    # -- scheduling ----------------------------------------------------------------------------
    def execute(
        self, steps: Sequence[Step], mode: Mode, *, prepared: PreparedPlans | None = None
    ) -> list[StepResult]:
        """Run `steps` in `mode`. In PLAN mode `prepared` records each step's plan; in APPLY mode it
        supplies them, so a step planned once (and not changed since) is not observed twice."""
        by_id: dict[str, Step] = {s.id: s for s in steps}
        waits_on = _edges(steps, reverse=mode.destroying)
        results: dict[str, StepResult] = {}
        running: dict[cf.Future[StepResult], str] = {}
        with cf.ThreadPoolExecutor(max_workers=self.max_threads, thread_name_prefix="step") as pool:
            try:
                while len(results) < len(steps):
                    self._block_dependents(by_id, waits_on, results, mode)
                    for step_id in self._ready(by_id, waits_on, results, running):
                        running[pool.submit(self._run_turn, by_id[step_id], mode, prepared)] = step_id
                    if not running:
                        break
                    done, _ = cf.wait(running, timeout=0.25, return_when=cf.FIRST_COMPLETED)
                    for future in done:
                        results[running.pop(future)] = future.result()
            except KeyboardInterrupt:
                self.cancel.set()
                for future, step_id in running.items():
                    results[step_id] = future.result()
                raise Interrupted("interrupted; run `orchestrate resume` to continue") from None
        return [results[s.id] for s in steps if s.id in results]

    def _ready(
        self,
        by_id: dict[str, Step],
        waits_on: dict[str, set[str]],
        results: dict[str, StepResult],
        running: dict[cf.Future[StepResult], str],
    ) -> list[str]:
        busy = set(running.values())
        return [
            sid
            for sid in by_id
            if sid not in results and sid not in busy and all(d in results for d in waits_on[sid])
        ]

    def _block_dependents(
        self,
        by_id: dict[str, Step],
        waits_on: dict[str, set[str]],
        results: dict[str, StepResult],
        mode: Mode,
    ) -> None:
        if mode is Mode.PLAN or mode is Mode.DESTROY_PLAN:
            return
        changed = True
        while changed:
            changed = False
            for sid, deps in waits_on.items():
                if sid in results:
                    continue
                bad = [d for d in deps if d in results and results[d].outcome is not Outcome.DONE]
                if bad:
                    step = by_id[sid]
                    results[sid] = StepResult(
                        sid,
                        step.title,
                        step.phase,
                        Action.NOOP,
                        Outcome.BLOCKED,
                        0.0,
                        reason=f"blocked by {bad[0]}",
                    )
                    self.reporter.step_finished(results[sid])
                    changed = True

    def _run_turn(self, step: Step, mode: Mode, prepared: PreparedPlans | None) -> StepResult:
        """Take the step's keys (when it writes), then an active slot, then run it."""
        keys = step.exclusive_keys() if mode.writes else ()
        try:
            with self.locks.hold(keys, check=self._check_cancel), self.slots.active():
                return self._run_one(step, mode, prepared)
        except Interrupted:  # Ctrl-C while waiting for a key: the step never started
            return StepResult(
                step.id, step.title, step.phase, Action.NOOP, Outcome.INTERRUPTED, 0.0, error="interrupted"
            )

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Interrupted("interrupted; run `orchestrate resume` to continue")

    # -- one step ------------------------------------------------------------------------------
    def _context(self, step: Step) -> StepContext:
        return StepContext(
            step_id=step.id,
            deployment=self.deployment,
            config=self.config,
            store=self.store,
            services=self.services,
            cancel=self.cancel,
            deadline=self._clock() + step.timeout_s,
            clock=self._clock,
            progress=self.reporter.step_progress,
            park=self.slots.parked,
        )

    def _run_one(self, step: Step, mode: Mode, prepared: PreparedPlans | None = None) -> StepResult:
        ctx = self._context(step)
        started = self._clock()
        self.reporter.step_started(step, mode)
        if mode.writes:
            self.store.update_step(
                step.id,
                status=StepStatus.RUNNING,
                phase=step.phase,
                title=step.title,
                started_at=time.time(),
                error=None,
            )
        planned: list[Change] = [Change.noop("")]
        try:
            self._lifecycle(step, ctx, mode, planned, prepared)
            outcome = Outcome.DONE if mode.writes else Outcome.PLANNED
            error = None
        except Interrupted:
            outcome, error = Outcome.INTERRUPTED, "interrupted"
        except NotBuiltYet as exc:
            outcome, error = self._not_built(step, mode, exc, planned)
        except OrchestrateError as exc:
            outcome, error = Outcome.FAILED, str(exc)
        except Exception as exc:  # a bug or an unmapped library error: keep the run's state consistent
            self._log(traceback.format_exc())
            outcome, error = Outcome.FAILED, f"internal error: {type(exc).__name__}: {exc}"
        if mode.writes and outcome is not Outcome.DONE:
            status = StepStatus.INTERRUPTED if outcome is Outcome.INTERRUPTED else StepStatus.FAILED
            self.store.update_step(step.id, status=status, error=error, finished_at=time.time())
        change = planned[-1]
        result = StepResult(
            step.id,
            step.title,
            step.phase,
            change.action,
            outcome,
            self._clock() - started,
            change.fields,
            change.reason,
            error,
            forces_replacement=change.forces_replacement,
            blockers=change.blockers,
            needs_approval=change.needs_approval,
        )
        self.reporter.step_finished(result)
        return result

    def _not_built(
        self, step: Step, mode: Mode, exc: NotBuiltYet, planned: list[Change]
    ) -> tuple[Outcome, str | None]:
        """A step inside something not built yet: a plan says it will be created once that exists; a
        destroy finds nothing to delete; a run fails (its dependencies should have built it)."""
        if mode is Mode.APPLY:
            return Outcome.FAILED, str(exc)
        if mode.destroying:
            planned.append(Change.noop(f"already absent: {exc.what} is gone"))
            if mode.writes:
                self.store.update_step(
                    step.id, status=StepStatus.DESTROYED, action="noop", changes=[], outputs={}
                )
            return (Outcome.DONE if mode.writes else Outcome.PLANNED), None
        planned.append(Change(Action.CREATE, reason=f"known after apply: {exc.what} is not built yet"))
        return Outcome.PLANNED, None

    def _lifecycle(
        self,
        step: Step,
        ctx: StepContext,
        mode: Mode,
        planned: list[Change],
        prepared: PreparedPlans | None = None,
    ) -> None:
        """Plan, then (by mode) apply or destroy; `planned` receives the Change as soon as it is known,
        so a step that fails while applying still reports what it was doing."""
        record = self.store.step(step.id)
        if mode.writes and record.lro is not None:
            step.reattach(ctx, record.lro.operation, record.lro.continuation)
        reusable = (
            mode is Mode.APPLY and prepared is not None and record.lro is None and not record.needs_observe
        )
        earlier = prepared.take(step.id) if reusable and prepared is not None else None
        if earlier is not None:
            change, observed = earlier
        elif mode.destroying:
            change, observed = step.plan_destroy(ctx)
        else:
            change, observed = step.plan(ctx)
        if mode is Mode.PLAN and prepared is not None:
            prepared.record(step.id, change, observed)
        planned.append(change)
        if mode.writes and record.needs_observe:
            self.store.close_open_mutations(
                step.id, f"resolved by observing the live resource: {change.action}"
            )
        if mode is Mode.APPLY:
            self._apply(step, ctx, change, observed, prepared)
        elif mode is Mode.DESTROY:
            self._destroy(step, ctx, change, observed)

    def _apply(
        self,
        step: Step,
        ctx: StepContext,
        change: Change,
        observed: Document | None,
        prepared: PreparedPlans | None = None,
    ) -> None:
        if not change.is_noop and prepared is not None:
            prepared.invalidate_dependents(step.id)  # what they planned may read this step's outputs
        if change.is_noop:
            assert observed is not None
            outputs = step.outputs(observed)
        else:
            outputs = step.apply(ctx, change, observed)
        step.verify(ctx, outputs)
        self.store.update_step(
            step.id,
            status=StepStatus.DONE,
            action=change.action.value,
            changes=change.field_paths(),
            outputs=outputs,
            finished_at=time.time(),
        )

    def _destroy(self, step: Step, ctx: StepContext, change: Change, observed: Document | None) -> None:
        if change.blockers:
            raise ForeignResourcesError(step.title, change.blockers)
        if change.action is Action.DELETE:
            assert observed is not None
            step.delete(ctx, observed)
        self.store.update_step(
            step.id,
            status=StepStatus.DESTROYED,
            action=change.action.value,
            changes=[],
            outputs={},
            finished_at=time.time(),
        )


def _edges(steps: Sequence[Step], *, reverse: bool) -> dict[str, set[str]]:
    """For each step, the steps that must finish before it starts (dependents first when destroying)."""
    ids = {s.id for s in steps}
    waits_on: dict[str, set[str]] = {s.id: set() for s in steps}
    for step in steps:
        for dep in step.depends_on:
            if dep not in ids:
                continue
            if reverse:
                waits_on[dep].add(step.id)
            else:
                waits_on[step.id].add(dep)
    _check_acyclic(waits_on)
    return waits_on


def _check_acyclic(waits_on: dict[str, set[str]]) -> None:
    remaining = {k: set(v) for k, v in waits_on.items()}
    while remaining:
        free = [k for k, v in remaining.items() if not v]
        if not free:
            raise OrchestrateError(f"steps depend on each other in a cycle: {sorted(remaining)}")
        for k in free:
            del remaining[k]
        for v in remaining.values():
            v.difference_update(free)
