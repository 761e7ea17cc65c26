"""The local state backend: one JSON file, written atomically, guarded by an OS-level lock.

Atomic write: a temporary file in the same directory, flushed and fsynced, renamed over the old
file, then the directory fsynced, so a crash leaves either the old or the new state, never half.
Lock: `fcntl.flock` on `<state>.lock`, held for the whole command; the kernel drops it when the
process dies, so a crashed run never leaves a stale lock. The lock file records who holds it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from orchestrator.errors import StateError, StateLockedError
from orchestrator.secret import json_default


class LocalBackend:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._lock_file: IO[str] | None = None

    def describe(self) -> str:
        return str(self.path)

    def load(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StateError(
                f"{self.path} is not valid JSON ({exc}); restore it from {self.path}.bak"
            ) from None
        if not isinstance(data, dict):
            raise StateError(f"{self.path} does not hold a state document")
        return data

    def save(self, document: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(document, indent=2, sort_keys=True, default=json_default) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.path.parent)

    def acquire(self, command: str) -> None:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the command)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _describe_holder(handle.read())
            handle.close()
            raise StateLockedError(str(self.path), holder) from None
        handle.seek(0)
        handle.truncate()
        info = {"pid": os.getpid(), "host": socket.gethostname(), "command": command, "since": time.time()}
        handle.write(json.dumps(info))
        handle.flush()
        self._lock_file = handle

    def release(self) -> None:
        if self._lock_file is None:
            return
        self._lock_file.seek(0)
        self._lock_file.truncate()
        fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
        self._lock_file.close()
        self._lock_file = None


def _describe_holder(text: str) -> str:
    try:
        info = json.loads(text)
        return f"pid {info['pid']} on host {info['host']} (`orchestrate {info['command']}`)"
    except (ValueError, KeyError, TypeError):
        return "another orchestrate process"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
