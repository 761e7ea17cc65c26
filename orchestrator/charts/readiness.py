"""Readiness of what a release runs: a typed description, and the check on the live object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from orchestrator.charts.digest import ChartError

WorkloadKind = Literal["DaemonSet", "Deployment", "StatefulSet", "Job"]
_API = {"DaemonSet": "apps/v1", "Deployment": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1"}


@dataclass(frozen=True)
class Readiness:
    kind: WorkloadKind
    namespace: str
    name: str

    @staticmethod
    def rollout(
        kind: Literal["DaemonSet", "Deployment", "StatefulSet"], namespace: str, name: str
    ) -> Readiness:
        return Readiness(kind, namespace, name)

    @staticmethod
    def job_complete(namespace: str, name: str) -> Readiness:
        return Readiness("Job", namespace, name)

    @property
    def api_version(self) -> str:
        return _API[self.kind]

    def describe(self) -> str:
        what = "complete" if self.kind == "Job" else "rolled out"
        return f"{self.kind}/{self.namespace}/{self.name} {what}"

    def check(self, live: Mapping[str, Any] | None) -> tuple[bool, str]:
        """(ready, what was seen); a failed Job raises, it will not become ready by waiting."""
        if live is None:
            return False, "not found"
        return _CHECKS[self.kind](live)


def _generation_seen(live: Mapping[str, Any]) -> bool:
    status, meta = live.get("status") or {}, live.get("metadata") or {}
    return int(status.get("observedGeneration") or 0) >= int(meta.get("generation") or 0)


def _daemonset(live: Mapping[str, Any]) -> tuple[bool, str]:
    s = live.get("status") or {}
    want = int(s.get("desiredNumberScheduled") or 0)
    updated, available = int(s.get("updatedNumberScheduled") or 0), int(s.get("numberAvailable") or 0)
    ok = _generation_seen(live) and want > 0 and updated == want and available == want
    return ok, f"{available}/{want} available, {updated} updated"


def _replicas(live: Mapping[str, Any], ready_key: str) -> tuple[bool, str]:
    s = live.get("status") or {}
    want = int((live.get("spec") or {}).get("replicas", 1) or 0)
    updated, ready = int(s.get("updatedReplicas") or 0), int(s.get(ready_key) or 0)
    ok = _generation_seen(live) and updated >= want and ready >= want
    return ok, f"{ready}/{want} ready, {updated} updated"


def _job(live: Mapping[str, Any]) -> tuple[bool, str]:
    conditions = {c.get("type"): c for c in (live.get("status") or {}).get("conditions") or []}
    failed = conditions.get("Failed")
    if failed is not None and failed.get("status") == "True":
        name = (live.get("metadata") or {}).get("name")
        raise ChartError(f"Job {name} failed: {failed.get('reason', '')} {failed.get('message', '')}".strip())
    complete = conditions.get("Complete")
    return bool(complete and complete.get("status") == "True"), "complete" if complete else "running"


_CHECKS = {
    "DaemonSet": _daemonset,
    "Deployment": lambda live: _replicas(live, "availableReplicas"),
    "StatefulSet": lambda live: _replicas(live, "readyReplicas"),
    "Job": _job,
}
