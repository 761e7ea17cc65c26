"""LimitRange defaulting/limits and ResourceQuota admission for pods, plus ResourceQuota status."""

from __future__ import annotations

import copy
from typing import Any

from .errors import KubeError
from .quantity import parse_quantity
from .store import Obj, Store

COMPUTE = ("cpu", "memory")


def _forbidden(pod: Obj, message: str) -> KubeError:
    name = pod["metadata"].get("name") or pod["metadata"].get("generateName", "")
    return KubeError(403, f'pods "{name}" is forbidden: {message}', "Forbidden")


def apply_limit_ranges(pod: Obj, ranges: list[Obj]) -> None:
    """Default container requests/limits from LimitRanges, then enforce their min/max (403)."""
    for item in (i for r in ranges for i in (r.get("spec") or {}).get("limits") or []):
        if item.get("type", "Container") != "Container":
            continue
        for container in pod["spec"].get("containers") or []:
            resources = container.setdefault("resources", {})
            limits = resources.setdefault("limits", {})
            requests = resources.setdefault("requests", {})
            for name, value in (item.get("default") or {}).items():
                limits.setdefault(name, value)
            for name, value in (item.get("defaultRequest") or {}).items():
                requests.setdefault(name, value)
            for name, value in limits.items():
                requests.setdefault(name, value)
            _check_bounds(pod, container, item)
            for key in ("limits", "requests"):
                if not resources[key]:
                    resources.pop(key)


def _check_bounds(pod: Obj, container: Obj, item: Obj) -> None:
    resources = container["resources"]
    for name, maximum in (item.get("max") or {}).items():
        limit = resources.get("limits", {}).get(name)
        if limit is None or parse_quantity(limit) > parse_quantity(maximum):
            raise _forbidden(
                pod, f"maximum {name} usage per Container is {maximum}, but limit is {limit or 'unset'}"
            )
    for name, minimum in (item.get("min") or {}).items():
        request = resources.get("requests", {}).get(name)
        if request is None or parse_quantity(request) < parse_quantity(minimum):
            raise _forbidden(
                pod, f"minimum {name} usage per Container is {minimum}, but request is {request}"
            )


def qos_class(spec: Obj) -> str:
    """Guaranteed when every container's cpu and memory limits equal its requests; else Burstable/BestEffort."""
    containers = spec.get("containers") or []
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    guaranteed = all(
        (r.get("limits") or {}).get(n) is not None
        and parse_quantity((r.get("requests") or {}).get(n, r["limits"][n])) == parse_quantity(r["limits"][n])
        for r in resources
        for n in COMPUTE
    )
    return "Guaranteed" if guaranteed else "Burstable"


def pod_usage(pod: Obj) -> dict[str, float]:
    usage = {"pods": 1.0}
    for container in pod["spec"].get("containers") or []:
        resources = container.get("resources") or {}
        for kind in ("requests", "limits"):
            for name in COMPUTE:
                if name in (resources.get(kind) or {}):
                    key = f"{kind}.{name}"
                    usage[key] = usage.get(key, 0.0) + parse_quantity(resources[kind][name])
    for name in COMPUTE:
        if f"requests.{name}" in usage:
            usage[name] = usage[f"requests.{name}"]
    return usage


def _usage(pods: list[Obj]) -> dict[str, float]:
    total: dict[str, float] = {}
    for pod in pods:
        for key, value in pod_usage(pod).items():
            total[key] = total.get(key, 0.0) + value
    return total


def _active(pods: list[Obj]) -> list[Obj]:
    return [p for p in pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]


def check_quotas(pod: Obj, quotas: list[Obj], pods: list[Obj]) -> None:
    """403 when the pod would exceed a ResourceQuota or lacks a request/limit a quota tracks."""
    wanted = pod_usage(pod)
    used = _usage(_active(pods))
    for quota in quotas:
        hard = (quota.get("spec") or {}).get("hard") or {}
        name = quota["metadata"]["name"]
        missing = [k for k in hard if k != "pods" and k in _tracked() and k not in wanted]
        if missing:
            raise _forbidden(pod, f"failed quota: {name}: must specify {','.join(sorted(missing))}")
        over = [k for k in hard if k in wanted and used.get(k, 0.0) + wanted[k] > parse_quantity(hard[k])]
        if over:
            detail = ",".join(f"{k}={_fmt(wanted[k])}" for k in over)
            usage = ",".join(f"{k}={_fmt(used.get(k, 0.0))}" for k in over)
            limits = ",".join(f"{k}={hard[k]}" for k in over)
            raise _forbidden(
                pod, f"exceeded quota: {name}, requested: {detail}, used: {usage}, limited: {limits}"
            )


def _tracked() -> tuple[str, ...]:
    return ("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory")


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{round(value * 1000)}m"


def quota_status(quota: Obj, pods: list[Obj]) -> dict[str, Any]:
    hard = dict((quota.get("spec") or {}).get("hard") or {})
    used = _usage(_active(pods))
    return {"hard": hard, "used": {k: _fmt(used.get(k, 0.0)) for k in hard}}


class QuotaStatusWriter:
    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self) -> None:
        for quota in self.store.items("resourcequotas"):
            status = quota_status(quota, self.store.items("pods", quota["metadata"]["namespace"]))
            if quota.get("status") != status:
                updated = copy.deepcopy(quota)
                updated["status"] = status
                self.store.update("resourcequotas", updated)
