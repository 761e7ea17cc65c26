"""Persistent state: resources, operations and provider extras in one JSON file, written atomically.

A re-entrant lock serialises requests inside the process; an fcntl lock on `state.lock` serialises
processes that share a directory. Each transaction reloads the file when another process changed it.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "arm-state.json"
LOCK_FILE = "state.lock"


@dataclass
class Resource:
    id: str  # canonical casing as first written
    type: str  # canonical resource type, e.g. Microsoft.Network/virtualNetworks/subnets
    body: dict[str, Any]
    operation_id: str | None = None  # pending LRO on this resource


@dataclass
class Operation:
    id: str
    resource_id: str
    kind: str  # create | update | delete | action
    started_at: float
    duration_s: float  # already scaled
    location: str
    outcome: str = "Succeeded"  # Succeeded | Failed: what it becomes when due
    error: dict[str, Any] | None = None
    status: str = "InProgress"
    ended_at: float | None = None
    result: dict[str, Any] | None = None  # body answered by the Location URL when done

    def due(self, now: float) -> bool:
        return now >= self.started_at + self.duration_s


@dataclass
class State:
    resources: dict[str, Resource] = field(default_factory=dict)  # key: lower-cased id
    operations: dict[str, Operation] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)  # provider-owned JSON (deleted vaults, usage)


class Store:
    def __init__(self, state_dir: Path) -> None:
        self._path = state_dir / STATE_FILE
        self._lock_path = state_dir / LOCK_FILE
        self._lock = threading.RLock()
        self._depth = 0
        self._stamp: tuple[int, int] | None = None
        self._dirty = False
        self.state = State()
        state_dir.mkdir(parents=True, exist_ok=True)
        self._reload()

    @contextmanager
    def transaction(self) -> Iterator[State]:
        """Serialise a request; reload if another process wrote; save once at the end if dirty. A request
        that fails leaves nothing behind: its in-memory changes are dropped (the file is read again)."""
        with self._lock:
            self._depth += 1
            outer = self._depth == 1
            fh = open(self._lock_path, "a+b") if outer else None  # noqa: SIM115
            try:
                if fh is not None:
                    fcntl.flock(fh, fcntl.LOCK_EX)
                    if self._file_stamp() != self._stamp:
                        self._reload()
                try:
                    yield self.state
                except BaseException:
                    if outer and self._dirty:
                        self._reload()
                        self._dirty = False
                    raise
                if outer and self._dirty:
                    self._save()
            finally:
                self._depth -= 1
                if fh is not None:
                    fcntl.flock(fh, fcntl.LOCK_UN)
                    fh.close()

    def mark_dirty(self) -> None:
        self._dirty = True

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _reload(self) -> None:
        self._stamp = self._file_stamp()
        if self._stamp is None:
            self.state = State()
            return
        raw = json.loads(self._path.read_text(encoding="utf-8"))
        self.state = State(
            resources={k: Resource(**v) for k, v in raw.get("resources", {}).items()},
            operations={k: Operation(**v) for k, v in raw.get("operations", {}).items()},
            extras=raw.get("extras", {}),
        )

    def _save(self) -> None:
        raw = {  # vars(), not asdict(): no deep copy of every body on each write
            "resources": {k: vars(v) for k, v in self.state.resources.items()},
            "operations": {k: vars(v) for k, v in self.state.operations.items()},
            "extras": self.state.extras,
        }
        tmp = self._path.with_name(self._path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(raw, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self._path)
        self._stamp = self._file_stamp()
        self._dirty = False
