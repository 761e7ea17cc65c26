"""PodDisruptionBudget status and the eviction subresource."""

from __future__ import annotations

import math
from typing import Any

from .conditions import condition_true, set_condition
from .errors import KubeError, success_status
from .events import record
from .objects import Objects
from .selectors import selector_matches
from .store import Obj


def _scaled(value: Any, total: int) -> int:
    if isinstance(value, str) and value.endswith("%"):
        return math.ceil(total * int(value[:-1]) / 100)
    return int(value)


def matching_pods(pdb: Obj, pods: list[Obj]) -> list[Obj]:
    selector = pdb["spec"].get("selector")
    return [
        p
        for p in pods
        if p["metadata"].get("namespace") == pdb["metadata"].get("namespace")
        and selector_matches(selector, p["metadata"].get("labels"))
        and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")
    ]


def compute_status(pdb: Obj, pods: list[Obj], now: str) -> Obj:
    selected = matching_pods(pdb, pods)
    expected = len(selected)
    healthy = sum(1 for p in selected if condition_true(p, "Ready"))
    spec = pdb["spec"]
    if "maxUnavailable" in spec:
        desired = max(0, expected - _scaled(spec["maxUnavailable"], expected))
    else:
        desired = _scaled(spec.get("minAvailable", 1), expected)
    allowed = max(0, healthy - desired)
    status = dict(pdb.get("status") or {})
    conditions = set_condition(
        status.get("conditions") or [],
        "DisruptionAllowed",
        "True" if allowed > 0 else "False",
        "SufficientPods" if allowed > 0 else "InsufficientPods",
        "",
        now=now,
    )
    for cond in conditions:
        cond["observedGeneration"] = pdb["metadata"].get("generation", 1)
    status.update(
        {
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "disruptionsAllowed": allowed,
            "expectedPods": expected,
            "observedGeneration": pdb["metadata"].get("generation", 1),
            "conditions": conditions,
        }
    )
    return status


def evict(objects: Objects, ns: str, name: str) -> Obj:
    """Delete the pod unless a PodDisruptionBudget forbids it (429) or several match it (500)."""
    pods_rt = objects.rt("pods")
    pod = objects.get(pods_rt, ns, name)
    pdbs = [
        pdb
        for pdb in objects.store.items("poddisruptionbudgets.policy", ns)
        if selector_matches(pdb["spec"].get("selector"), pod["metadata"].get("labels"))
    ]
    if len(pdbs) > 1:
        raise KubeError(
            500,
            "This pod has more than one PodDisruptionBudget, "
            "which the eviction subresource does not support.",
        )
    if pdbs and condition_true(pod, "Ready"):
        pdb = pdbs[0]
        status = compute_status(pdb, objects.store.items("pods", ns), objects.store.now())
        if status["disruptionsAllowed"] < 1:
            message = (
                f"The disruption budget {pdb['metadata']['name']} needs {status['desiredHealthy']} "
                f"healthy pods and has {status['currentHealthy']} currently"
            )
            raise KubeError(
                429,
                "Cannot evict pod as it would violate the pod's disruption budget.",
                "TooManyRequests",
                {"causes": [{"reason": "DisruptionBudget", "message": message}]},
            )
    record(objects.store, pod, "Killing", "Stopping container (evicted)", component="kubelet")
    objects.delete(pods_rt, ns, name)
    return success_status(code=201)
