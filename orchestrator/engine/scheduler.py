"""Who may work now: active slots that waiting steps give back, and per-key locks steps declare.

Steps are synchronous code that sleep inside `ctx.lro`, `ctx.wait_until` and `ctx.pause`. Each started
step has its own (cheap) thread; `Slots` bounds how many of those threads *work* at once. A thread that
waits (a long-running-operation poll, a pause, a lock) parks: it gives its slot to another step and
takes one back when it wakes, ahead of steps that have not started yet. So the number of operations in
flight is bounded by the Azure request limiter and by what Azure serialises, not by a thread count.

`KeyLocks` serialises what Azure allows only one at a time (one operation on one AKS cluster, the
federated credentials of one identity): steps name the keys (`Step.exclusive_keys`) and the runner
holds them for the step's whole run when it writes; a step waiting for a key holds no slot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager

Park = Callable[[], AbstractContextManager[None]]


class Slots:
    """At most `size` threads hold a slot; parked threads resume before fresh ones start."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("at least one active slot")
        self.size = size
        self._cond = threading.Condition()
        self._free = size
        self._resuming = 0  # parked threads waiting for a slot back
        self._holders: set[int] = set()

    @contextmanager
    def active(self) -> Iterator[None]:
        """Hold a slot for the body (a step's whole run)."""
        self._acquire(resume=False)
        try:
            yield
        finally:
            self._release()

    @contextmanager
    def parked(self) -> Iterator[None]:
        """Give the caller's slot back for the body (a wait). A thread without a slot (an SDK poller
        thread, or one already parked) just runs the body."""
        with self._cond:
            holding = threading.get_ident() in self._holders
        if not holding:
            yield
            return
        self._release()
        try:
            yield
        finally:
            self._acquire(resume=True)

    def in_use(self) -> int:
        with self._cond:
            return self.size - self._free

    def _acquire(self, *, resume: bool) -> None:
        with self._cond:
            if resume:
                self._resuming += 1
            try:
                while self._free == 0 or (not resume and self._resuming > 0):
                    self._cond.wait()
            finally:
                if resume:
                    self._resuming -= 1
            self._free -= 1
            self._holders.add(threading.get_ident())
            if self._free and not self._resuming:
                self._cond.notify_all()  # fresh threads held back for this one may go now

    def _release(self) -> None:
        with self._cond:
            self._holders.discard(threading.get_ident())
            self._free += 1
            self._cond.notify_all()


class KeyLocks:
    """Named locks, taken all at once (so two steps can never deadlock on two keys), re-entrant per
    thread, with a check (Ctrl-C) between short waits. The runner takes a step's keys before the
    step takes an active slot, so a step waiting for a key holds no slot."""

    def __init__(self, check_interval_s: float = 0.5) -> None:
        self._cond = threading.Condition()
        self._owners: dict[str, int] = {}
        self._interval = check_interval_s

    @contextmanager
    def hold(self, keys: Iterable[str], *, check: Callable[[], None]) -> Iterator[None]:
        """Hold every key for the body; `check` runs between waits and may raise to give up."""
        wanted = sorted(set(keys))
        taken = self._take_now(wanted) if wanted else []
        if taken is None:
            taken = self._wait_for(wanted, check)
        try:
            yield
        finally:
            self._give_back(taken)

    def holder(self, key: str) -> int | None:
        with self._cond:
            return self._owners.get(key)

    def _take_now(self, keys: list[str]) -> list[str] | None:
        with self._cond:
            return self._try(keys)

    def _wait_for(self, keys: list[str], check: Callable[[], None]) -> list[str]:
        with self._cond:
            while True:
                check()
                taken = self._try(keys)
                if taken is not None:
                    return taken
                self._cond.wait(self._interval)

    def _try(self, keys: list[str]) -> list[str] | None:
        """Take every key not held by this thread yet, or none (the caller holds `_cond`)."""
        me = threading.get_ident()
        if any(self._owners.get(k, me) != me for k in keys):
            return None
        taken = [k for k in keys if k not in self._owners]
        for key in taken:
            self._owners[key] = me
        return taken

    def _give_back(self, keys: list[str]) -> None:
        if not keys:
            return
        with self._cond:
            for key in keys:
                self._owners.pop(key, None)
            self._cond.notify_all()
