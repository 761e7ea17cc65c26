"""Service controller model: load-balancer ingress IPs (Azure annotations honoured) and Endpoints."""

from __future__ import annotations

import copy

from .conditions import condition_true
from .network import LOAD_BALANCER_CIDR, allocate
from .objects import Objects
from .store import Obj
from .workloads import active

AZURE_LB_IP = "service.beta.kubernetes.io/azure-load-balancer-ipv4"
AZURE_LB_INTERNAL = "service.beta.kubernetes.io/azure-load-balancer-internal"
# internal LBs in a named subnet are the Azure cloud-provider model's (azurelb.py), not this controller's
AZURE_LB_SUBNET = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"


def requested_ip(svc: Obj) -> str | None:
    return _requested_ip(svc)


def _in_named_subnet(svc: Obj) -> bool:
    return _internal(svc) and bool((svc["metadata"].get("annotations") or {}).get(AZURE_LB_SUBNET))


def _requested_ip(svc: Obj) -> str | None:
    annotations = svc["metadata"].get("annotations") or {}
    requested = annotations.get(AZURE_LB_IP) or svc["spec"].get("loadBalancerIP")
    return str(requested) if requested else None


def _internal(svc: Obj) -> bool:
    return (svc["metadata"].get("annotations") or {}).get(AZURE_LB_INTERNAL) == "true"


def _lb_range(svc: Obj, node_cidr: str) -> str:
    """Public frontends come from a fake public range; internal ones from the node subnet."""
    return node_cidr if _internal(svc) else LOAD_BALANCER_CIDR


MANAGED_ENDPOINTS = "endpoints.kubernetes.io/last-change-trigger-time"


class ServiceController:
    def __init__(self, objects: Objects) -> None:
        self.objects = objects
        self.store = objects.store

    def run(self) -> None:
        self._services([p for p in self.store.items("pods") if active(p)])
        self._orphan_endpoints()

    def _save(self, svc: Obj, status: Obj) -> None:
        if svc.get("status") != status:
            updated = copy.deepcopy(svc)
            updated["status"] = status
            self.store.update("services", updated)

    def _services(self, pods: list[Obj]) -> None:
        services = self.store.items("services")
        used = [
            i.get("ip", "")
            for s in services
            for i in s["status"].get("loadBalancer", {}).get("ingress") or []
        ]
        for svc in services:
            status = copy.deepcopy(svc.get("status") or {})
            if svc["spec"].get("type") == "LoadBalancer" and _in_named_subnet(svc):
                pass  # the Azure cloud-provider model allocates it (or leaves it pending)
            elif svc["spec"].get("type") == "LoadBalancer":
                wanted = _requested_ip(svc)
                current = [i.get("ip") for i in status.get("loadBalancer", {}).get("ingress") or []]
                if (wanted and current != [wanted]) or not current:
                    ip = wanted or allocate(
                        _lb_range(svc, self.objects.network.node_cidr),
                        used,
                        skip=0 if not _internal(svc) else 100,
                    )
                    used.append(ip)
                    status["loadBalancer"] = {"ingress": [{"ip": ip, "ipMode": "VIP"}]}
            else:
                status["loadBalancer"] = {}
            self._save(svc, status)
            self._endpoints(svc, pods)

    def _endpoints(self, svc: Obj, pods: list[Obj]) -> None:
        if not svc["spec"].get("selector"):
            return
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        subsets = endpoint_subsets(svc, pods)
        rt = self.objects.rt("endpoints")
        current = self.objects.find(rt, ns, name)
        if current is None:
            body = {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {
                    "name": name,
                    "labels": dict(svc["metadata"].get("labels") or {}),
                    "annotations": {MANAGED_ENDPOINTS: self.store.now()},
                },
                "subsets": subsets,
            }
            self.objects.create(rt, ns, body, None)
        elif current.get("subsets", []) != subsets:
            updated = copy.deepcopy(current)
            updated["subsets"] = subsets
            self.store.update("endpoints", updated)

    def _orphan_endpoints(self) -> None:
        for endpoints in self.store.items("endpoints"):
            meta = endpoints["metadata"]
            managed = MANAGED_ENDPOINTS in (meta.get("annotations") or {})
            if managed and self.store.get("services", meta["namespace"], meta["name"]) is None:
                self.store.remove("endpoints", meta["namespace"], meta["name"])


def target_port(port: Obj, pod: Obj) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    for container in pod["spec"].get("containers") or []:
        for declared in container.get("ports") or []:
            if declared.get("name") == target:
                return int(declared["containerPort"])
    return None


def endpoint_subsets(svc: Obj, pods: list[Obj]) -> list[Obj]:
    """One subset with the ready pods the Service selects (ports resolved on the first of them)."""
    ns, selector = svc["metadata"]["namespace"], svc["spec"]["selector"]
    ready = [
        p
        for p in pods
        if p["metadata"]["namespace"] == ns
        and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())
        and p["status"].get("podIP")
        and condition_true(p, "Ready")
    ]
    if not ready:
        return []
    addresses = [
        {
            "ip": p["status"]["podIP"],
            "nodeName": p["spec"]["nodeName"],
            "targetRef": {
                "kind": "Pod",
                "namespace": ns,
                "name": p["metadata"]["name"],
                "uid": p["metadata"]["uid"],
            },
        }
        for p in ready
    ]
    ports = []
    for port in svc["spec"].get("ports") or []:
        number = target_port(port, ready[0])
        if number is not None:
            entry = {"port": number, "protocol": port.get("protocol", "TCP")}
            ports.append({**entry, "name": port["name"]} if port.get("name") else entry)
    return [{"addresses": addresses, "ports": ports}]
