"""Inter-pod affinity and anti-affinity (the required terms) and preferred node affinity scoring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .selectors import Requirement, from_label_selector, matches

Obj = dict[str, Any]
REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"


def _term_pods(term: Mapping[str, Any], pod: Obj, placed: Sequence[tuple[Obj, Obj]]) -> list[Obj]:
    """Nodes of the already placed pods a term selects (namespaces default to the pod's own)."""
    reqs = from_label_selector(term.get("labelSelector"))
    namespaces = set(term.get("namespaces") or [])
    every_namespace = term.get("namespaceSelector") == {}
    if not namespaces and not every_namespace:
        namespaces = {pod["metadata"].get("namespace")}
    return [
        node
        for other, node in placed
        if (every_namespace or other["metadata"].get("namespace") in namespaces)
        and matches(reqs, other["metadata"].get("labels"))
    ]


def _same_topology(node: Obj, others: list[Obj], key: str) -> bool:
    value = (node["metadata"].get("labels") or {}).get(key)
    return value is not None and any((o["metadata"].get("labels") or {}).get(key) == value for o in others)


def pod_affinity_problem(pod: Obj, node: Obj, placed: Sequence[tuple[Obj, Obj]]) -> str | None:
    """Why ``node`` breaks the pod's required (anti-)affinity, or None."""
    affinity = pod["spec"].get("affinity") or {}
    for term in (affinity.get("podAntiAffinity") or {}).get(REQUIRED) or []:
        if _same_topology(node, _term_pods(term, pod, placed), term.get("topologyKey", "")):
            return "node(s) didn't match pod anti-affinity rules"
    for term in (affinity.get("podAffinity") or {}).get(REQUIRED) or []:
        targets = _term_pods(term, pod, placed)
        own = matches(from_label_selector(term.get("labelSelector")), pod["metadata"].get("labels"))
        if not targets and own:
            continue  # the first pod of a group that selects itself may go anywhere
        if not _same_topology(node, targets, term.get("topologyKey", "")):
            return "node(s) didn't match pod affinity rules"
    return None


def preference_score(pod_spec: Mapping[str, Any], node: Obj) -> int:
    """Sum of the weights of matching preferredDuringScheduling node affinity terms."""
    node_affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    labels = node["metadata"].get("labels") or {}
    score = 0
    for item in node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
        exprs = (item.get("preference") or {}).get("matchExpressions") or []
        reqs = [Requirement(e["key"], e["operator"], tuple(e.get("values") or ())) for e in exprs]
        if reqs and all(r.matches(labels) for r in reqs):
            score += int(item.get("weight", 1))
    return score
