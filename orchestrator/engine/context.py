"""StepContext: what a step may use. Clients, config, outputs of earlier steps, and the three ways a
step touches the world safely: `mutate` (a journalled call), `lro` (a journalled long-running
operation whose continuation token is saved, so `resume` re-attaches), and `wait_until` (a bounded
wait that honours the step deadline and Ctrl-C).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from orchestrator.engine.graph import KNOWN_AFTER_APPLY, KnownAfterApply, OutputRef
from orchestrator.engine.scheduler import Park
from orchestrator.engine.secrets import SecretBroker
from orchestrator.errors import OrchestrateError, StepTimeout

if TYPE_CHECKING:
    from orchestrator.config.model import Deployment
    from orchestrator.engine.services import StepServices
    from orchestrator.kube.clients import KubeClients
    from state.store import StateStore

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Interrupted(OrchestrateError):
    """The user pressed Ctrl-C; the state is consistent and `resume` continues."""

    exit_code = 130


class Poller(Protocol[T_co]):
    def continuation_token(self) -> str: ...
    def done(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> None: ...
    def result(self, timeout: float | None = None) -> T_co: ...


class StepContext:
    def __init__(
        self,
        *,
        step_id: str,
        deployment: str,
        config: Deployment | None,
        store: StateStore,
        services: StepServices,
        cancel: threading.Event,
        deadline: float,
        clock: Callable[[], float] = time.monotonic,
        progress: Callable[[str, str], None] = lambda step, msg: None,
        secrets: SecretBroker | None = None,
        park: Park = nullcontext,
    ) -> None:
        self.step_id = step_id
        self.deployment = deployment
        self.config = config
        self.store = store
        self.services = services
        self._cancel = cancel
        self._deadline = deadline
        self._clock = clock
        self._progress = progress
        self._secrets = secrets
        self._park = park  # gives the step's active slot back while it sleeps (runner.Slots)

    @property
    def secrets(self) -> SecretBroker:
        """The run's secrets, in memory only (`orchestrator.engine.secrets`): the run's own broker,
        else the one the services bundle carries (one per command)."""
        broker = self._secrets or getattr(self.services, "secrets", None)
        if not isinstance(broker, SecretBroker):
            raise OrchestrateError("this run has no secret broker (services.secrets)")
        return broker

    def kube(self) -> KubeClients:
        """The Kubernetes clients of this run (phase 3 on); an error if the run has none."""
        kube = self.services.kube
        if kube is None:
            raise OrchestrateError("this run has no Kubernetes clients (services.kube)")
        return kube

    def outputs_of(self, step_id: str) -> dict[str, Any]:
        return self.store.step(step_id).outputs

    def output(self, ref: OutputRef[T]) -> T | KnownAfterApply:
        """The value of another step's declared output, or KNOWN_AFTER_APPLY while it has not run."""
        value = self.store.step(ref.step).outputs.get(ref.key)
        return KNOWN_AFTER_APPLY if value is None else ref.convert(value)

    def progress(self, message: str) -> None:
        self._progress(self.step_id, message)

    def check(self) -> None:
        """Raise if the user interrupted the run or the step ran out of time."""
        if self._cancel.is_set():
            raise Interrupted("interrupted; run `orchestrate resume` to continue")
        if self._clock() > self._deadline:
            raise StepTimeout(f"{self.step_id} did not finish within its timeout")

    def remaining(self) -> float:
        return max(0.0, self._deadline - self._clock())

    def mutate(self, intent: str, call: Callable[[], T]) -> T:
        """Record the intent, make the call, record the outcome. A crash in between leaves the intent
        open, which makes the next run observe this step before doing anything else."""
        self.check()
        seq = self.store.journal_intent(self.step_id, intent)
        try:
            result = call()
        except Interrupted:
            raise
        except BaseException as exc:
            self.store.journal_outcome(self.step_id, seq, f"failed: {type(exc).__name__}: {exc}")
            raise
        self.store.journal_outcome(self.step_id, seq, "ok")
        return result

    def lro(self, operation: str, start: Callable[[str | None], Poller[T]]) -> T:
        """Start (or re-attach to) a long-running operation and wait for it, within the deadline."""
        record = self.store.step(self.step_id).lro
        token = record.continuation if record is not None and record.operation == operation else None
        intent = f"{operation} (re-attached to the operation in flight)" if token else operation
        self.check()
        seq = self.store.journal_intent(self.step_id, intent)
        try:
            poller = start(token)
            self.store.set_lro(self.step_id, operation, poller.continuation_token())
            result = self.wait_poller(poller, operation)
        except Interrupted:
            raise  # keep the token and the open intent: `resume` re-attaches
        except BaseException as exc:
            self.store.clear_lro(self.step_id)
            self.store.journal_outcome(self.step_id, seq, f"failed: {type(exc).__name__}: {exc}")
            raise
        self.store.clear_lro(self.step_id)
        self.store.journal_outcome(self.step_id, seq, "succeeded")
        return result

    def wait_poller(self, poller: Poller[T], what: str) -> T:
        """Wait for a poller (the SDK polls in its own thread) without holding an active slot."""
        started = self._clock()
        with self._park():
            while not poller.done():
                self.check()
                poller.wait(timeout=min(1.0, max(0.05, self.remaining())))
                self.progress(f"{what}: waiting ({self._clock() - started:.0f}s)")
        return poller.result()

    def pause(self, seconds: float) -> None:
        """Sleep, but wake for Ctrl-C and never past the step's deadline."""
        self.check()
        with self._park():
            self._cancel.wait(min(seconds, self.remaining()))
        self.check()

    def wait_until(self, what: str, predicate: Callable[[], bool], *, interval: float = 2.0) -> None:
        started = self._clock()
        while not predicate():
            self.check()
            self.progress(f"{what}: waiting ({self._clock() - started:.0f}s)")
            with self._park():  # the predicate works (it reads); the sleep between tries does not
                self._cancel.wait(min(interval, max(0.05, self.remaining())))
