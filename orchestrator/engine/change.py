"""What a step would do: a typed Change computed by diffing the live resource against the desired one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# The `after` of a FieldChange that stands for a whole object of a release (its path names the object).
OBJECT_CREATED, OBJECT_PRUNED = "(create)", "(prune)"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"  # an immutable field changes: destroys and re-creates the resource
    DELETE = "delete"
    NOOP = "noop"

    @property
    def destroys(self) -> bool:
        """True when applying this action deletes the live resource (and what runs in it)."""
        return self in (Action.REPLACE, Action.DELETE)


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
    forces_replacement: tuple[str, ...] = ()  # the immutable fields that make this a REPLACE
    needs_approval: bool = False  # a REPLACE that destroys what runs on the resource: not on --yes alone
    blockers: tuple[str, ...] = ()  # destroy only: why this resource must be kept (foreign children)

    @property
    def is_noop(self) -> bool:
        return self.action is Action.NOOP

    @property
    def replace(self) -> bool:
        return self.action is Action.REPLACE

    @staticmethod
    def replacement(
        fields: tuple[FieldChange, ...], forced_by: tuple[str, ...], desired: Any, *, needs_approval: bool
    ) -> Change:
        reason = f"destroys and re-creates: {', '.join(forced_by)} cannot change in place"
        return Change(
            Action.REPLACE,
            fields,
            reason,
            desired,
            forces_replacement=forced_by,
            needs_approval=needs_approval,
        )

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
