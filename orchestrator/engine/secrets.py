"""Secrets handed from step to step in memory, by typed key, never through recorded outputs.

A `SecretKey` names a secret and says where it lives (`source`): a key of a Kubernetes Secret, a Key
Vault secret. The run's `SecretBroker` (`ctx.secrets`) holds the values seen in this process. The
producing step obtains the value (`get` with `generate=` for a value it creates when the source does
not hold one yet, or `put`); a later step reads it with `get`. When the producer did not run in this
process (a later phase, a resumed run), `get` obtains the value again from its source, never from the
state file, which does not have it. A key is obtained once per process, under a lock, so steps that
run concurrently agree on one value, even one generated on the spot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, NoReturn, Protocol, TypeVar

from orchestrator.errors import OrchestrateError
from orchestrator.secret import Secret

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

V = TypeVar("V", str, bytes)


class MissingSecret(OrchestrateError):
    """A step needs a secret that nobody produced in this run and that its source does not hold."""


class SecretSource(Protocol[V]):
    def describe(self) -> str:
        """Where the secret lives, for messages (never the value)."""

    def obtain(self, ctx: StepContext) -> Secret[V] | None:
        """Read (or generate) the value; None when the source does not hold it. Reads only."""


@dataclass(frozen=True)
class SecretKey(Generic[V]):
    name: str
    source: SecretSource[V] = field(compare=False, hash=False)

    def __str__(self) -> str:
        return f"secret {self.name} ({self.source.describe()})"


class SecretBroker:
    """The secrets of one run (one command, one process); nothing here is ever written anywhere."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, Secret[str] | Secret[bytes]] = {}
        self._obtaining: dict[str, threading.Lock] = {}

    def put(self, key: SecretKey[V], value: Secret[V]) -> None:
        with self._lock:
            self._values[key.name] = value

    def peek(self, key: SecretKey[V]) -> Secret[V] | None:
        """The value if a step of this process already has it; no call to the source."""
        with self._lock:
            found = self._values.get(key.name)
        return found  # type: ignore[return-value]  # stored under the same typed key

    def get(
        self, key: SecretKey[V], ctx: StepContext, *, generate: Callable[[], Secret[V]] | None = None
    ) -> Secret[V]:
        """The value from memory, else from its source, else (`generate`) a new one; then kept for the
        rest of the run. A source that holds the value always wins, so a value is generated once."""
        with self._key_lock(key):
            found = self.peek(key)
            if found is not None:
                return found
            obtained = key.source.obtain(ctx)
            if obtained is None and generate is not None:
                obtained = generate()
            if obtained is None:
                raise MissingSecret(
                    f"{key} is not available: no step of this run produced it and the source does not"
                    " hold it; run the phase that creates it first"
                )
            self.put(key, obtained)
            return obtained

    def _key_lock(self, key: SecretKey[V]) -> threading.Lock:
        with self._lock:
            return self._obtaining.setdefault(key.name, threading.Lock())

    def __repr__(self) -> str:
        with self._lock:
            return f"SecretBroker({sorted(self._values)})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("a SecretBroker lives in memory only")
