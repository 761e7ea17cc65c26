"""The revision log watches read: the newest committed changes of one cluster, bounded.

A watch that starts after a revision the log no longer covers gets ``410 Gone`` (reason ``Expired``) and
relists, as against a real API server whose watch cache has moved on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from .store import Change

LOG_LIMIT = 5000


class ChangeLog:
    def __init__(self, start: int, limit: int = LOG_LIMIT) -> None:
        self._changes: deque[Change] = deque(maxlen=limit)
        self._floor = start  # every change after this revision is in the log

    @property
    def floor(self) -> int:
        return self._floor

    def append(self, changes: Iterable[Change]) -> None:
        for change in changes:
            if len(self._changes) == self._changes.maxlen:
                self._floor = self._changes[0].revision
            self._changes.append(change)

    def since(self, revision: int) -> list[Change] | None:
        """The changes after ``revision``, oldest first; None when some of them were dropped."""
        if revision < self._floor:
            return None
        newer: list[Change] = []
        for change in reversed(self._changes):
            if change.revision <= revision:
                break
            newer.append(change)
        newer.reverse()
        return newer

    def reset(self, revision: int) -> None:
        """Forget the history (the store was reloaded wholesale)."""
        self._changes.clear()
        self._floor = revision
