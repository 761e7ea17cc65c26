"""Waiting steps hold no worker: many slow waits on a small pool progress together; active slots
bound only the steps that work; per-key locks serialise what Azure runs one at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orchestrator.config.model import Deployment
from orchestrator.engine.change import Change
from orchestrator.engine.context import Interrupted, StepContext
from orchestrator.engine.graph import StepId
from orchestrator.engine.results import Outcome
from orchestrator.engine.runner import Mode, Runner
from orchestrator.engine.scheduler import KeyLocks, Slots
from orchestrator.engine.step import Document, Outputs, Step
from state.local import LocalBackend
from state.store import StateStore
from steps.clusters import ClusterStep
from steps.pools import PoolStep

Action = Callable[[StepContext, str], None]


class Recorder:
    """What the steps did, with monotonic timestamps, shared by every step thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spans: dict[str, tuple[float, float]] = {}
        self.entered = 0
        self.working = 0
        self.peak_working = 0

    def span(self, name: str, body: Callable[[], None]) -> None:
        start = time.monotonic()
        body()
        with self.lock:
            self.spans[name] = (start, time.monotonic())

    def enter(self) -> None:
        with self.lock:
            self.entered += 1

    def work(self, seconds: float) -> None:
        """Busy (holding a slot): counted in `peak_working`."""
        with self.lock:
            self.working += 1
            self.peak_working = max(self.peak_working, self.working)
        time.sleep(seconds)
        with self.lock:
            self.working -= 1


class ActionStep(Step):
    """A step whose resource never exists, so APPLY creates it by running `action`."""

    def __init__(self, name: str, action: Action, keys: tuple[str, ...] = ()) -> None:
        super().__init__(StepId(f"p1/{name}"), phase=1, title=name)
        self.name, self.action, self.keys = name, action, keys
        self.timeout_s = 30.0  # a step that cannot make progress fails instead of hanging the test

    def observe(self, ctx: StepContext) -> Document | None:
        return None

    def desired(self, ctx: StepContext) -> Document:
        return {"name": self.name}

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        self.action(ctx, self.name)
        return {"name": self.name}

    def delete(self, ctx: StepContext, observed: Document) -> None:
        pass

    def exclusive_keys(self) -> tuple[str, ...]:
        return self.keys


def _runner(tmp_path: Path, workers: int) -> Runner:
    store = StateStore(LocalBackend(tmp_path / "state.json"), "d", cloud="local")
    return Runner(store=store, deployment="d", config=None, services=None, max_workers=workers)


def _overlap(spans: dict[str, tuple[float, float]]) -> bool:
    """Every span started before any span ended: they were all in flight at one moment."""
    return max(s for s, _ in spans.values()) < min(e for _, e in spans.values())


def test_many_slow_pauses_on_two_slots_run_together(tmp_path: Path) -> None:
    n, pause = 12, 0.5
    rec = Recorder()
    steps = [
        ActionStep(f"w{i}", lambda ctx, name: rec.span(name, lambda: ctx.pause(pause))) for i in range(n)
    ]
    results = _runner(tmp_path, workers=2).execute(steps, Mode.APPLY)
    assert {r.outcome for r in results} == {Outcome.DONE}
    first, last = min(s for s, _ in rec.spans.values()), max(e for _, e in rec.spans.values())
    ratio = (last - first) / pause  # 1.0 = all together; two slots held while sleeping would give n / 2
    assert _overlap(rec.spans), f"the {n} pauses did not overlap (span {ratio:.2f} x one pause)"


def test_waits_that_need_each_other_finish_on_one_slot(tmp_path: Path) -> None:
    """Each step waits until every step is waiting: possible only if a waiting step holds no slot."""
    n = 8
    rec = Recorder()

    def rendezvous(ctx: StepContext, name: str) -> None:
        rec.enter()
        ctx.wait_until("the others", lambda: rec.entered >= n, interval=0.05)

    results = _runner(tmp_path, workers=1).execute(
        [ActionStep(f"r{i}", rendezvous) for i in range(n)], Mode.APPLY
    )
    assert [r.outcome for r in results] == [Outcome.DONE] * n, [r.error for r in results]


class GatePoller:
    """A long-running operation that finishes once `gate` opens; the journal sees it like any other."""

    def __init__(self, gate: threading.Event, token: str) -> None:
        self.gate, self.token = gate, token

    def continuation_token(self) -> str:
        return self.token

    def done(self) -> bool:
        return self.gate.is_set()

    def wait(self, timeout: float | None = None) -> None:
        self.gate.wait(timeout)

    def result(self, timeout: float | None = None) -> str:
        return "ok"


def test_long_running_operations_in_flight_together_on_one_slot(tmp_path: Path) -> None:
    n = 6
    gate, started = threading.Event(), Recorder()

    def operation(ctx: StepContext, name: str) -> None:
        def start(token: str | None) -> GatePoller:
            started.enter()
            if started.entered >= n:
                gate.set()  # the last operation starts only if the others wait parked
            return GatePoller(gate, f"token-{name}")

        ctx.lro(f"create {name}", start)

    runner = _runner(tmp_path, workers=1)
    results = runner.execute([ActionStep(f"op{i}", operation) for i in range(n)], Mode.APPLY)
    assert [r.outcome for r in results] == [Outcome.DONE] * n, [r.error for r in results]
    for i in range(n):
        record = runner.store.step(f"p1/op{i}")
        assert record.lro is None  # cleared after success, exactly as before
        assert [(e.intent, e.outcome) for e in record.journal] == [(f"create op{i}", "succeeded")]


def test_only_working_steps_take_slots(tmp_path: Path) -> None:
    n, slots = 10, 2
    rec = Recorder()

    def work_then_wait(ctx: StepContext, name: str) -> None:
        rec.work(0.05)
        rec.span(name, lambda: ctx.pause(0.5))
        rec.work(0.05)

    results = _runner(tmp_path, workers=slots).execute(
        [ActionStep(f"s{i}", work_then_wait) for i in range(n)], Mode.APPLY
    )
    assert {r.outcome for r in results} == {Outcome.DONE}
    assert rec.peak_working <= slots
    assert _overlap(rec.spans)


def test_steps_sharing_a_key_never_run_together_and_others_do(tmp_path: Path) -> None:
    rec = Recorder()

    def hold(ctx: StepContext, name: str) -> None:
        rec.span(name, lambda: ctx.pause(0.3))

    steps = [
        ActionStep("pool-a", hold, keys=("aks:rg/c1",)),
        ActionStep("pool-b", hold, keys=("aks:rg/c1",)),
        ActionStep("pool-c", hold, keys=("aks:rg/c2",)),
    ]
    results = _runner(tmp_path, workers=4).execute(steps, Mode.APPLY)
    assert {r.outcome for r in results} == {Outcome.DONE}
    (a0, a1), (b0, b1), (c0, c1) = (rec.spans[s] for s in ("pool-a", "pool-b", "pool-c"))
    assert a1 <= b0 or b1 <= a0, "two operations on one cluster overlapped"
    assert c0 < max(a1, b1) and min(a0, b0) < c1, "another cluster's step waited for this cluster's"


def test_planning_takes_no_key(tmp_path: Path) -> None:
    runner = _runner(tmp_path, workers=2)
    inside = threading.Barrier(2, timeout=10)

    class Reading(ActionStep):
        def observe(self, ctx: StepContext) -> Document | None:
            inside.wait()  # both observe at once although they share a key
            return None

    steps = [Reading("a", lambda c, n: None, keys=("k",)), Reading("b", lambda c, n: None, keys=("k",))]
    assert {r.outcome for r in runner.execute(steps, Mode.PLAN)} == {Outcome.PLANNED}


def test_ctrl_c_while_waiting_for_a_key_leaves_that_step_untouched(tmp_path: Path) -> None:
    runner = _runner(tmp_path, workers=2)
    holding = threading.Event()

    def first(ctx: StepContext, name: str) -> None:
        holding.set()
        ctx.pause(30)  # interrupted below

    def interrupt_soon() -> None:
        holding.wait(10)
        time.sleep(0.3)  # the second step is waiting for the key by now
        runner.cancel.set()

    threading.Thread(target=interrupt_soon, daemon=True).start()
    steps = [ActionStep("one", first, keys=("k",)), ActionStep("two", lambda c, n: None, keys=("k",))]
    results = {r.step_id: r for r in runner.execute(steps, Mode.APPLY)}
    assert results["p1/one"].outcome is Outcome.INTERRUPTED
    assert results["p1/two"].outcome is Outcome.INTERRUPTED
    assert runner.store.step("p1/two").journal == []  # it never started: resume runs it from scratch


# -- the primitives -----------------------------------------------------------------------------------
def test_a_parked_thread_gets_its_slot_back_before_a_new_one_starts() -> None:
    slots = Slots(1)
    order: list[str] = []
    parked, resume, fresh_waiting = threading.Event(), threading.Event(), threading.Event()

    def old() -> None:
        with slots.active():
            with slots.parked():
                parked.set()
                resume.wait(10)
            order.append("old")

    def holder() -> None:
        with slots.active():
            resume.set()
            fresh_waiting.wait(10)
            time.sleep(0.2)  # let `old` queue for its slot too
        order.append("holder released")

    def fresh() -> None:
        fresh_waiting.set()
        with slots.active():
            order.append("fresh")

    t_old = threading.Thread(target=old)
    t_old.start()
    assert parked.wait(10)
    t_holder = threading.Thread(target=holder)
    t_holder.start()
    assert resume.wait(10)
    t_fresh = threading.Thread(target=fresh)
    t_fresh.start()
    for t in (t_old, t_holder, t_fresh):
        t.join(10)
    assert order.index("old") < order.index("fresh")
    assert slots.in_use() == 0


def test_parking_without_a_slot_is_harmless() -> None:
    slots = Slots(1)
    with slots.parked():  # an SDK poller thread, say
        assert slots.in_use() == 0
    with slots.active(), slots.parked(), slots.parked():
        assert slots.in_use() == 0
    assert slots.in_use() == 0


def test_key_locks_are_taken_together_reentrant_and_give_up_on_check() -> None:
    locks = KeyLocks(check_interval_s=0.02)
    with locks.hold(["b", "a"], check=lambda: None), locks.hold(["a"], check=lambda: None):
        assert locks.holder("a") == locks.holder("b") == threading.get_ident()
        seen: list[BaseException] = []

        def other() -> None:
            def cancelled() -> None:
                raise Interrupted("stop")

            try:
                with locks.hold(["c", "a"], check=cancelled):
                    pass
            except Interrupted as exc:
                seen.append(exc)

        t = threading.Thread(target=other)
        t.start()
        t.join(10)
        assert seen and locks.holder("c") is None  # all or nothing
    assert locks.holder("a") is None and locks.holder("b") is None


def test_a_cluster_and_its_pools_share_one_key() -> None:
    config = Deployment()
    keys: dict[str, Any] = {}
    for index, cluster in enumerate(config.clusters):
        keys[cluster.name] = {
            ClusterStep(config, cluster).exclusive_keys(),
            PoolStep(config, cluster, cluster.system_pool, index).exclusive_keys(),
            PoolStep(config, cluster, cluster.spot_pool, index).exclusive_keys(),
        }
    assert all(len(k) == 1 for k in keys.values())
    assert len({next(iter(k)) for k in keys.values()}) == len(config.clusters)


@pytest.mark.parametrize("size", [0, -1])
def test_slots_need_a_size(size: int) -> None:
    with pytest.raises(ValueError):
        Slots(size)
