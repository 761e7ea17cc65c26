"""Scheduling: taints/tolerations, nodeSelector, node and pod affinity, cordon, cpu/memory fit, node choice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .podaffinity import pod_affinity_problem, preference_score
from .quantity import parse_quantity
from .selectors import Requirement

Obj = dict[str, Any]
BLOCKING_EFFECTS = ("NoSchedule", "NoExecute")
UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


def tolerates(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """The real matching rule: empty key + Exists matches everything; empty effect matches all effects."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    operator = toleration.get("operator") or "Equal"
    key = toleration.get("key") or ""
    if not key:
        return operator == "Exists"
    if key != taint.get("key"):
        return False
    if operator == "Exists":
        return True
    return operator == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated_taints(pod_spec: Mapping[str, Any], node: Obj) -> list[Mapping[str, Any]]:
    tolerations = pod_spec.get("tolerations") or []
    return [
        taint
        for taint in node["spec"].get("taints") or []
        if taint.get("effect") in BLOCKING_EFFECTS and not any(tolerates(t, taint) for t in tolerations)
    ]


def _term_matches(term: Mapping[str, Any], node: Obj) -> bool:
    labels = node["metadata"].get("labels") or {}
    for expr in term.get("matchExpressions") or []:
        req = Requirement(expr["key"], expr["operator"], tuple(expr.get("values") or ()))
        if not req.matches(labels):
            return False
    fields = {"metadata.name": node["metadata"]["name"]}
    for expr in term.get("matchFields") or []:
        req = Requirement(expr["key"], expr["operator"], tuple(expr.get("values") or ()))
        if not req.matches(fields):
            return False
    return bool(term.get("matchExpressions") or term.get("matchFields"))


def node_matches(pod_spec: Mapping[str, Any], node: Obj) -> bool:
    """nodeSelector AND requiredDuringSchedulingIgnoredDuringExecution (terms ORed)."""
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = required.get("nodeSelectorTerms") or []
    return not terms or any(_term_matches(t, node) for t in terms)


def pod_requests(pod_spec: Mapping[str, Any]) -> dict[str, float]:
    total = {"cpu": 0.0, "memory": 0.0}
    for container in pod_spec.get("containers") or []:
        requests = (container.get("resources") or {}).get("requests") or {}
        for name in total:
            if name in requests:
                total[name] += parse_quantity(requests[name])
    return total


def fits(pod_spec: Mapping[str, Any], node: Obj, bound: Sequence[Obj]) -> str | None:
    """None when the pod fits the node's allocatable resources, else the insufficient resource."""
    allocatable = node["status"].get("allocatable") or {}
    if len(bound) + 1 > parse_quantity(allocatable.get("pods", 110)):
        return "pods"
    wanted = pod_requests(pod_spec)
    for name, amount in wanted.items():
        used = sum(pod_requests(p["spec"])[name] for p in bound)
        if amount and used + amount > parse_quantity(allocatable.get(name, 0)):
            return name
    return None


def _problem(
    pod: Obj, node: Obj, bound: Mapping[str, list[Obj]], placed: Sequence[tuple[Obj, Obj]]
) -> str | None:
    spec = pod["spec"]
    if node["spec"].get("unschedulable") and not any(
        tolerates(t, UNSCHEDULABLE_TAINT) for t in spec.get("tolerations") or []
    ):
        return "node(s) were unschedulable"
    if not node_matches(spec, node):
        return "node(s) didn't match Pod's node affinity/selector"
    if taints := untolerated_taints(spec, node):
        return f"node(s) had untolerated taint {{{taints[0].get('key')}: {taints[0].get('value', '')}}}"
    if missing := fits(spec, node, bound.get(node["metadata"]["name"], [])):
        return f"Insufficient {missing}"
    return pod_affinity_problem(pod, node, placed)


def choose_node(pod: Obj, nodes: Sequence[Obj], bound: Mapping[str, list[Obj]]) -> tuple[str | None, str]:
    """Pick the best feasible node (preferred affinity, then least loaded); or (None, reason message)."""
    by_name = {n["metadata"]["name"]: n for n in nodes}
    placed = [(p, by_name[name]) for name, pods in bound.items() if name in by_name for p in pods]
    reasons: dict[str, int] = {}
    feasible: list[tuple[int, int, str]] = []
    for node in nodes:
        name = node["metadata"]["name"]
        problem = _problem(pod, node, bound, placed)
        if problem is None:
            feasible.append((-preference_score(pod["spec"], node), len(bound.get(name, [])), name))
        else:
            reasons[problem] = reasons.get(problem, 0) + 1
    if feasible:
        return min(feasible)[2], ""
    detail = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
    return (
        None,
        f"0/{len(nodes)} nodes are available: {detail}." if nodes else "no nodes available to schedule pods",
    )
