"""EndpointSlice controller model: one ``discovery.k8s.io/v1`` slice per Service with a selector.

Like the real controller, the slice lists every selected pod that has an IP, with ``ready`` /
``serving`` / ``terminating`` conditions (not-ready pods stay in the slice, not ready), names its
Service in the ``kubernetes.io/service-name`` label, and is owned by the Service (deleted with it).
One slice per Service (the real controller splits at 100 endpoints); IPv4 only.
"""

from __future__ import annotations

import copy

from .conditions import condition_true
from .objects import Objects
from .services import target_port
from .store import Obj
from .workloads import active, owner_ref

KEY = "endpointslices.discovery.k8s.io"
SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
CONTROLLER = "endpointslice-controller.k8s.io"


def _selected(svc: Obj, pods: list[Obj]) -> list[Obj]:
    ns, selector = svc["metadata"]["namespace"], svc["spec"]["selector"]
    return [
        p
        for p in pods
        if p["metadata"]["namespace"] == ns
        and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())
        and (p.get("status") or {}).get("podIP")
    ]


def _endpoint(pod: Obj) -> Obj:
    ready = condition_true(pod, "Ready")
    terminating = bool(pod["metadata"].get("deletionTimestamp"))
    endpoint: Obj = {
        "addresses": [pod["status"]["podIP"]],
        "conditions": {"ready": ready and not terminating, "serving": ready, "terminating": terminating},
        "targetRef": {
            "kind": "Pod",
            "namespace": pod["metadata"]["namespace"],
            "name": pod["metadata"]["name"],
            "uid": pod["metadata"]["uid"],
        },
    }
    if pod["spec"].get("nodeName"):
        endpoint["nodeName"] = pod["spec"]["nodeName"]
    return endpoint


def _ports(svc: Obj, pods: list[Obj]) -> list[Obj]:
    ports = []
    for port in svc["spec"].get("ports") or []:
        number = target_port(port, pods[0]) if pods else port.get("targetPort", port.get("port"))
        if not isinstance(number, int):
            continue
        entry: Obj = {"port": number, "protocol": port.get("protocol", "TCP")}
        if port.get("name"):
            entry["name"] = port["name"]
        ports.append(entry)
    return ports


def desired_slice(svc: Obj, pods: list[Obj]) -> Obj:
    selected = sorted(_selected(svc, pods), key=lambda p: p["metadata"]["name"])
    labels = {
        **(svc["metadata"].get("labels") or {}),
        SERVICE_NAME: svc["metadata"]["name"],
        MANAGED_BY: CONTROLLER,
    }
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "generateName": f"{svc['metadata']['name']}-",
            "labels": labels,
            "ownerReferences": [owner_ref({**svc, "apiVersion": "v1", "kind": "Service"})],
        },
        "addressType": "IPv4",
        "endpoints": [_endpoint(p) for p in selected],
        "ports": _ports(svc, selected),
    }


class EndpointSliceController:
    def __init__(self, objects: Objects) -> None:
        self.objects = objects
        self.store = objects.store

    def _current(self, svc: Obj) -> Obj | None:
        uid = svc["metadata"]["uid"]
        owned = [o for key, o in self.store.dependents(uid) if key == KEY]
        return owned[0] if owned else None

    def run(self) -> None:
        pods = [p for p in self.store.items("pods") if active(p)]
        for svc in self.store.items("services"):
            if not (svc.get("spec") or {}).get("selector"):
                continue
            wanted = desired_slice(svc, pods)
            current = self._current(svc)
            if current is None:
                self.objects.create(self.objects.rt(KEY), svc["metadata"]["namespace"], wanted, None)
                continue
            fields = ("addressType", "endpoints", "ports")
            same = all(current.get(f) == wanted[f] for f in fields)
            if same and current["metadata"].get("labels") == wanted["metadata"]["labels"]:
                continue
            updated = copy.deepcopy(current)
            updated.update({f: wanted[f] for f in fields})
            updated["metadata"]["labels"] = wanted["metadata"]["labels"]
            self.store.update(KEY, updated)
