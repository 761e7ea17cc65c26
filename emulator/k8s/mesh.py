"""Cluster Mesh model: is the link between two clusters up, and if not, why (one reason per cause).

A cluster ``a`` reaches ``b`` when: Cilium runs in both; ``a``'s ``cilium-clustermesh`` lists ``b`` under
``b``'s cluster name at the address ``b``'s clustermesh-apiserver got, port 2379, and that apiserver has a
ready pod; both hold the same ``cilium-ca``; both cluster IDs are in 1..255 and differ; the pod CIDRs do
not overlap; the tunnel settings agree; and the NSGs let TCP 2379 (to the apiserver's load balancer)
and UDP 8472 (VXLAN, node to node) through. A link is up when both directions are.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from .cloudview import CloudView
from .meshfacts import MeshFacts, overlap
from .nsg import Flow, blocked

Obj = dict[str, Any]
APISERVER_PORT = 2379
VXLAN_PORT = 8472
HEALTH_PORT = 4240


@dataclass(frozen=True)
class Network:
    """Where a cluster's nodes are: its subnet's CIDR and NSG (from the ARM state)."""

    cidr: str
    nsg: Obj | None


def subnet_of(view: CloudView, subnet_id: str | None) -> Network | None:
    body = view.subnet(subnet_id) if subnet_id else None
    if body is None:
        return None
    props = body.get("properties") or {}
    nsg_id = (props.get("networkSecurityGroup") or {}).get("id")
    cidr = props.get("addressPrefix") or (props.get("addressPrefixes") or [""])[0]
    return Network(str(cidr), view.nsg(str(nsg_id)) if nsg_id else None)


def subnet_holding(view: CloudView, ip: str) -> Network | None:
    """The subnet (of any VNet in the state) whose range holds ``ip``."""
    for body in view.of_type("microsoft.network/virtualnetworks/subnets"):
        network = subnet_of(view, str(body.get("id", "")))
        if network and network.cidr and ipaddress.ip_address(ip) in ipaddress.ip_network(network.cidr):
            return network
    return None


def _identity(a: MeshFacts, b: MeshFacts) -> list[str]:
    out = []
    for f in (a, b):
        if f.mesh_id is None or not 1 <= f.mesh_id <= 255:
            out.append(f"cluster.id of {f.name or f.cluster_id} is {f.mesh_id} (must be 1-255 and unique)")
    if a.mesh_id is not None and a.mesh_id == b.mesh_id:
        out.append(f"{a.name} and {b.name} have the same cluster.id {a.mesh_id}")
    if a.name == b.name:
        out.append(f"two clusters are named {a.name!r} (cluster.name must be unique)")
    if overlap(a.pod_cidrs, b.pod_cidrs):
        out.append(f"pod CIDRs overlap: {a.name} {a.pod_cidrs} and {b.name} {b.pod_cidrs}")
    if a.tunnel != b.tunnel:
        out.append(f"datapath differs: {a.name} {a.tunnel}, {b.name} {b.tunnel}")
    return out


def _ca(a: MeshFacts, b: MeshFacts) -> list[str]:
    missing = [f.name for f in (a, b) if f.ca is None]
    if missing:
        return [f"no cilium-ca Secret in {', '.join(missing)}"]
    if a.ca != b.ca:
        return [f"cilium-ca differs between {a.name} and {b.name} (TLS to clustermesh-apiserver fails)"]
    return []


def _tls(a: MeshFacts, b: MeshFacts) -> list[str]:
    """``a``'s client certificate and ``b``'s server certificate, as certgen issued them."""
    out = []
    if b.certgen and b.server_cert_ca is None:
        out.append(
            f"{b.name}'s clustermesh-apiserver has no server certificate (the certgen Job has not completed)"
        )
    if a.certgen and a.client_cert_ca is None:
        out.append(f"{a.name} has no clustermesh client certificate (the certgen Job has not completed)")
    if a.client_cert_ca is not None and b.server_cert_ca is not None and a.client_cert_ca != b.server_cert_ca:
        out.append(f"{a.name}'s client and {b.name}'s server certificates were issued by different CAs")
    return out


def _listing(a: MeshFacts, b: MeshFacts) -> list[str]:
    """Does ``a`` list ``b`` at the address and port ``b``'s clustermesh-apiserver answers on?"""
    if b.apiserver_ip is None:
        return [f"{b.name}'s clustermesh-apiserver Service has no load-balancer address"]
    at_ip = [e for e in a.peers if e.host == b.apiserver_ip]
    named = [e for e in a.peers if e.name == b.name]
    if not at_ip:
        if named:
            where = f"{named[0].host}:{named[0].port}"
            return [
                f"{a.name} lists peer {b.name} at {where}, but its clustermesh-apiserver is at {b.apiserver_ip}"
            ]
        return [f"{a.name} does not list peer {b.name} (cilium-clustermesh / clustermesh.config.clusters)"]
    out = []
    if at_ip[0].name != b.name:
        out.append(
            f"{a.name} lists {at_ip[0].name!r} at {b.apiserver_ip}, but the cluster there is {b.name!r}"
        )
    if at_ip[0].port != APISERVER_PORT:
        out.append(f"{a.name} dials {b.name} on port {at_ip[0].port}; clustermesh-apiserver listens on 2379")
    if not b.apiserver_ready:
        out.append(f"{b.name}'s clustermesh-apiserver has no ready pod")
    return out


def _firewall(view: CloudView, a: MeshFacts, b: MeshFacts, nets: dict[str, Network | None]) -> list[str]:
    src, dst = nets.get(a.cluster_id), nets.get(b.cluster_id)
    if src is None or dst is None:
        return []  # no ARM network known (a bare test cluster): nothing to check
    out = []
    if b.apiserver_ip:
        front = subnet_holding(view, b.apiserver_ip)
        flow = Flow(src.cidr, b.apiserver_ip, "Tcp", APISERVER_PORT)
        for nsg in {id(n): n for n in (dst.nsg, front.nsg if front else None) if n is not None}.values():
            reason = blocked(src.nsg, nsg, flow)
            if reason:
                out.append(f"{a.name} -> {b.name} clustermesh-apiserver {b.apiserver_ip}:2379: {reason}")
                break
    reason = blocked(src.nsg, dst.nsg, Flow(src.cidr, _node(b, dst), "Udp", VXLAN_PORT))
    if reason:
        out.append(f"{a.name} -> {b.name} VXLAN (UDP 8472): {reason}")
    return out


def _node(facts: MeshFacts, net: Network) -> str:
    """A node address of the cluster in its subnet (the subnet itself when no node IP is in it)."""
    inside = [ip for ip in facts.node_ips if ipaddress.ip_address(ip) in ipaddress.ip_network(net.cidr)]
    return inside[0] if inside else net.cidr


def direction(view: CloudView, a: MeshFacts, b: MeshFacts, nets: dict[str, Network | None]) -> list[str]:
    """Why ``a``'s agents cannot use ``b`` (empty: they can)."""
    return [*_listing(a, b), *_tls(a, b), *_firewall(view, a, b, nets)]


def link(view: CloudView, a: MeshFacts, b: MeshFacts, nets: dict[str, Network | None]) -> list[str]:
    """Why the link between ``a`` and ``b`` is down (empty: it is up)."""
    agents = [f"{f.name or f.cluster_id}: {f.agents}" for f in (a, b) if f.agents]
    if agents:
        return agents
    found = [*_identity(a, b), *_ca(a, b), *direction(view, a, b, nets), *direction(view, b, a, nets)]
    return list(dict.fromkeys(found))


def health_warnings(a: MeshFacts, b: MeshFacts, nets: dict[str, Network | None]) -> list[str]:
    """cilium-health (TCP 4240) is optional: blocked, the mesh works but health reports it."""
    src, dst = nets.get(a.cluster_id), nets.get(b.cluster_id)
    if src is None or dst is None:
        return []
    reason = blocked(src.nsg, dst.nsg, Flow(src.cidr, _node(b, dst), "Tcp", HEALTH_PORT))
    return [f"{a.name} -> {b.name} cilium-health (TCP 4240): {reason}"] if reason else []


def id_conflicts(own: MeshFacts, peers: list[MeshFacts]) -> dict[str, list[str]]:
    """Peers that share a cluster.id with another peer: ``own``'s agents refuse one of them (the
    identities of two remote clusters would collide); both are reported, per peer ARM id."""
    out: dict[str, list[str]] = {}
    for peer in peers:
        others = [p for p in peers if p is not peer and p.mesh_id is not None and p.mesh_id == peer.mesh_id]
        if others:
            names = " and ".join(sorted([peer.name, *(o.name for o in others)]))
            out[peer.cluster_id] = [
                f"{names} have the same cluster.id {peer.mesh_id} ({own.name} connects to one only)"
            ]
    return out
