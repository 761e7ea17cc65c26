"""A state backend that keeps the document in memory only: for steps whose records must not outlive
the command (`orchestrate verify` runs its checks against a copy of the state, so a failed check
never marks a phase's step failed, and nothing it records is saved)."""

from __future__ import annotations

import copy
from typing import Any


class MemoryBackend:
    def __init__(self, document: dict[str, Any] | None, name: str = "(in memory)") -> None:
        self._document = copy.deepcopy(document)
        self._name = name

    def describe(self) -> str:
        return self._name

    def load(self) -> dict[str, Any] | None:
        return copy.deepcopy(self._document)

    def save(self, document: dict[str, Any]) -> None:
        self._document = document

    def acquire(self, command: str) -> None:
        """Nothing to lock: the document lives and dies with this process."""

    def release(self) -> None:
        """Nothing was locked."""
