"""Helpers for status conditions that keep lastTransitionTime stable while the status is unchanged."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def set_condition(
    conditions: list[Obj],
    kind: str,
    status: str,
    reason: str = "",
    message: str = "",
    *,
    now: str,
    update_time: bool = False,
) -> list[Obj]:
    """Return ``conditions`` with condition ``kind`` set (in place order preserved)."""
    out = []
    replaced = False
    for cond in conditions:
        if cond.get("type") != kind:
            out.append(cond)
            continue
        replaced = True
        changed = cond.get("status") != status
        new = dict(cond, status=status, reason=reason, message=message)
        if changed:
            new["lastTransitionTime"] = now
        if update_time and (changed or cond.get("reason") != reason):
            new["lastUpdateTime"] = now
        out.append(new)
    if not replaced:
        new = {
            "type": kind,
            "status": status,
            "reason": reason,
            "message": message,
            "lastTransitionTime": now,
        }
        if update_time:
            new["lastUpdateTime"] = now
        out.append(new)
    return out


def condition_true(obj: Obj, kind: str) -> bool:
    conditions = (obj.get("status") or {}).get("conditions") or []
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)
