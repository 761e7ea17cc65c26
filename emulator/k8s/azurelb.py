"""Azure cloud provider model: internal load balancers in the subnet a Service names.

A Service of type LoadBalancer annotated ``service.beta.kubernetes.io/azure-load-balancer-internal:
"true"`` and ``...-internal-subnet: <name>`` gets a frontend IP in that subnet of the cluster's VNet
(read from the ARM state): the requested one (``...-ipv4`` annotation, else ``spec.loadBalancerIP``) or
the first free one (Azure keeps the first four addresses and the last). It stays pending, with a
Warning Event naming the cause, when the subnet does not exist, the IP is outside it or reserved, or
another Service (of any cluster) holds it. Internal Services without the subnet annotation keep the
built-in service controller's behaviour (node subnet).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .cloudview import CloudView, view_of
from .extensions import ControllerContext
from .services import AZURE_LB_INTERNAL, AZURE_LB_SUBNET, requested_ip

Obj = dict[str, Any]
COMPONENT = "service-controller"


def owned(svc: Obj) -> bool:
    annotations = svc["metadata"].get("annotations") or {}
    lb = svc.get("spec", {}).get("type") == "LoadBalancer"
    return lb and annotations.get(AZURE_LB_INTERNAL) == "true" and bool(annotations.get(AZURE_LB_SUBNET))


def _ips(services: list[Obj]) -> set[str]:
    return {
        i.get("ip", "")
        for s in services
        for i in (s.get("status") or {}).get("loadBalancer", {}).get("ingress") or []
    }


def _taken(view: CloudView, own_id: str, mine: list[Obj], svc: Obj) -> set[str]:
    uid = svc["metadata"]["uid"]
    used = _ips([s for s in mine if s["metadata"]["uid"] != uid])
    for key, cid in view.clusters().items():
        if cid.lower() != own_id.lower():
            peer = view.peer(key, ["services"])
            used |= _ips(peer.items("services")) if peer else set()
    return used


def choose(cidr: str, subnet: str, wanted: str | None, used: set[str]) -> tuple[str | None, str]:
    """(IP, '') or (None, why not)."""
    net = ipaddress.ip_network(cidr, strict=False)
    reserved = {str(net.network_address + i) for i in range(4)} | {str(net.broadcast_address)}
    if wanted:
        try:
            inside = ipaddress.ip_address(wanted) in net
        except ValueError:
            return None, f"requested IP {wanted!r} is not an IPv4 address"
        if not inside:
            return None, f"requested IP {wanted} is not in subnet {subnet} ({cidr})"
        if wanted in reserved:
            return None, f"requested IP {wanted} is reserved by Azure in subnet {subnet} ({cidr})"
        if wanted in used:
            return None, f"requested IP {wanted} is already used by another frontend in subnet {subnet}"
        return wanted, ""
    for host in net.hosts():
        if str(host) not in used and str(host) not in reserved:
            return str(host), ""
    return None, f"subnet {subnet} ({cidr}) has no free address"


class AzureLoadBalancerModel:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def __call__(self, ctx: ControllerContext) -> None:
        services = ctx.list("v1", "Service")
        todo = [s for s in services if owned(s) and not self._settled(s)]
        view = view_of(self.config) if todo else None
        for svc in todo:
            self._reconcile(ctx, view, services, svc)

    def _settled(self, svc: Obj) -> bool:
        ingress = (svc.get("status") or {}).get("loadBalancer", {}).get("ingress") or []
        wanted = requested_ip(svc)
        return bool(ingress) and (wanted is None or ingress[0].get("ip") == wanted)

    def _reconcile(
        self, ctx: ControllerContext, view: CloudView | None, services: list[Obj], svc: Obj
    ) -> None:
        subnet = str((svc["metadata"].get("annotations") or {})[AZURE_LB_SUBNET])
        ip, why = None, "the cluster's virtual network is not known to the local cloud"
        if view is not None:
            ip, why = self._pick(view, services, svc, subnet)
        if ip is None:
            ctx.set_status(svc, {"loadBalancer": {}})
            ctx.record(
                svc,
                "SyncLoadBalancerFailed",
                f"Error syncing load balancer: {why}",
                component=COMPONENT,
                warning=True,
            )
            return
        ctx.set_status(svc, {"loadBalancer": {"ingress": [{"ip": ip, "ipMode": "VIP"}]}})
        ctx.record(svc, "EnsuredLoadBalancer", "Ensured load balancer", component=COMPONENT)

    def _pick(self, view: CloudView, services: list[Obj], svc: Obj, subnet: str) -> tuple[str | None, str]:
        own_id = str(self.config.get("clusterId", ""))
        node_subnet = view.cluster_subnet(own_id)
        if node_subnet is None:
            return None, f"cluster {own_id} has no subnet in the ARM state"
        vnet = node_subnet.split("/subnets/")[0]
        body = view.subnet(f"{vnet}/subnets/{subnet}")
        if body is None:
            return None, f"subnet {subnet!r} not found in virtual network {vnet.rsplit('/', 1)[-1]!r}"
        props = body.get("properties") or {}
        cidr = str(props.get("addressPrefix") or (props.get("addressPrefixes") or [""])[0])
        return choose(cidr, subnet, requested_ip(svc), _taken(view, own_id, services, svc))
