"""Server-side printing of built-in kinds: the columns and cells kube-apiserver's printers produce.

Column names, types and priorities (1 = only with ``-o wide``) follow the real API server, so kubectl
shows the same headers (``kubectl get nodes``: NAME STATUS ROLES AGE VERSION). Workload kinds are in
``printers_apps``. Kinds without a printer get the generic NAME / CREATED AT table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .durations import since
from .store import Obj

Cells = Callable[[Obj, float], list[Any]]


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    priority: int = 0
    description: str = ""
    format: str = ""

    def definition(self) -> Obj:
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        }


@dataclass(frozen=True)
class Printer:
    columns: tuple[Column, ...]
    cells: Cells


NAME = Column("Name", format="name", description="Name of the object, unique within its namespace.")
AGE = Column("Age", description="Time since the object was created (creationTimestamp).")


def age(obj: Obj, now: float) -> str:
    return since(obj["metadata"].get("creationTimestamp"), now)


def name(obj: Obj) -> str:
    return str(obj["metadata"]["name"])


def format_labels(labels: Mapping[str, Any] | None) -> str:
    text = ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items()))
    return text or "<none>"


def format_selector(selector: Mapping[str, Any] | None) -> str:
    """A LabelSelector as kubectl prints it (requirements sorted by key)."""
    terms: list[tuple[str, str]] = [
        (k, f"{k}={v}") for k, v in (selector or {}).get("matchLabels", {}).items()
    ]
    for expr in (selector or {}).get("matchExpressions") or []:
        key, op, values = expr.get("key", ""), expr.get("operator", ""), expr.get("values") or []
        rendered = {
            "In": f"{key} in ({','.join(sorted(values))})",
            "NotIn": f"{key} notin ({','.join(sorted(values))})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(op, key)
        terms.append((key, rendered))
    return ",".join(text for _, text in sorted(terms)) or "<none>"


def containers(spec: Obj | None) -> list[str]:
    items = (spec or {}).get("containers") or []
    return [",".join(c.get("name", "") for c in items), ",".join(c.get("image", "") for c in items)]


def condition_status(obj: Obj, kind: str) -> str | None:
    found = next(
        (c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), None
    )
    return None if found is None else str(found.get("status"))


def simple(*getters: Callable[[Obj], Any]) -> Cells:
    def cells(obj: Obj, now: float) -> list[Any]:
        return [name(obj), *(g(obj) for g in getters), age(obj, now)]

    return cells


def _created(obj: Obj, now: float) -> list[Any]:
    return [name(obj), obj["metadata"].get("creationTimestamp", "")]


DEFAULT = Printer((NAME, Column("Created At", "date", description="Creation time of the object.")), _created)


def builtin_printers() -> dict[str, Printer]:
    from .printers_apps import apps_printers
    from .printers_core import core_printers

    return core_printers() | apps_printers()
