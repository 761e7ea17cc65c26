"""Helm hooks mapped to ordered stages, as Argo CD maps them to its sync phases.

| Helm hook | Stage here | Argo CD |
|---|---|---|
| pre-install, pre-upgrade | PRE: after CRDs and namespaces, before the release's other objects | PreSync |
| post-install, post-upgrade | POST: after the objects are applied, pruned and ready | PostSync |
| test, test-success | SKIP: never run | skipped |
| pre/post-delete, pre/post-rollback | SKIP: destroy deletes by label; there is no rollback | skipped |

Within a stage hooks run by `helm.sh/hook-weight` (ascending), then kind and name. Delete policies:
`before-hook-creation` (the default when none is given) deletes a previous copy first;
`hook-succeeded` deletes it once it succeeded; `hook-failed` once it failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from orchestrator.charts.digest import ChartError

HOOK = "helm.sh/hook"
WEIGHT = "helm.sh/hook-weight"
DELETE_POLICY = "helm.sh/hook-delete-policy"
BEFORE_CREATION, SUCCEEDED, FAILED = "before-hook-creation", "hook-succeeded", "hook-failed"

_PRE = frozenset({"pre-install", "pre-upgrade"})
_POST = frozenset({"post-install", "post-upgrade"})
_SKIPPED = frozenset(
    {"test", "test-success", "pre-delete", "post-delete", "pre-rollback", "post-rollback", "test-failure"}
)


class Stage(StrEnum):
    PRE = "pre"
    POST = "post"
    SKIP = "skip"


@dataclass(frozen=True)
class Hook:
    events: tuple[str, ...]
    stage: Stage
    weight: int
    delete_policies: frozenset[str]

    def describe(self) -> str:
        return f"hook {','.join(self.events)}, weight {self.weight}"


def hook_of(body: Mapping[str, Any], source: str) -> Hook | None:
    annotations = (body.get("metadata") or {}).get("annotations") or {}
    raw = annotations.get(HOOK)
    if not raw:
        return None
    events = tuple(sorted(e.strip() for e in str(raw).split(",") if e.strip()))
    unknown = [e for e in events if e not in _PRE | _POST | _SKIPPED]
    if unknown:
        raise ChartError(f"{source}: unknown helm hook {', '.join(unknown)}")
    stage = Stage.PRE if _PRE & set(events) else Stage.POST if _POST & set(events) else Stage.SKIP
    try:
        weight = int(str(annotations.get(WEIGHT, "0")).strip() or "0")
    except ValueError:
        raise ChartError(f"{source}: {WEIGHT} {annotations.get(WEIGHT)!r} is not an integer") from None
    policies = frozenset(p.strip() for p in str(annotations.get(DELETE_POLICY, "")).split(",") if p.strip())
    return Hook(events, stage, weight, policies or frozenset({BEFORE_CREATION}))
