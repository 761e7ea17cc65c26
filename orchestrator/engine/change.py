"""What a step would do: a typed Change computed by diffing the live resource against the desired one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "noop"


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: Any
    after: Any

    def describe(self) -> str:
        return f"{self.path}: {_short(self.before)} -> {_short(self.after)}"


@dataclass(frozen=True)
class Change:
    action: Action
    fields: tuple[FieldChange, ...] = ()
    reason: str = ""
    desired: Any = field(default=None, compare=False, repr=False)
    replace: bool = False  # an immutable field changes: apply deletes and creates again

    @property
    def is_noop(self) -> bool:
        return self.action is Action.NOOP

    def field_paths(self) -> list[str]:
        return [f.path for f in self.fields]

    @staticmethod
    def noop(reason: str) -> Change:
        return Change(Action.NOOP, reason=reason)


def _short(value: Any, limit: int = 60) -> str:
    if value is None:
        return "(absent)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
