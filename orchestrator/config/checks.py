"""Rules that relate several fields of a valid-looking config; each names the path it is about.

These are the static half of preflight: they need no API call, so `load_config` runs them and an
invalid topology is refused with exit code 2 before anything talks to Azure.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass

from orchestrator.config.model import Cluster, Deployment

# Ranges AKS refuses for pod, service and VNet CIDRs (aks-docs use-byo-cni.md).
RESERVED_RANGES = tuple(
    ipaddress.IPv4Network(c) for c in ("169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24")
)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def check_deployment(config: Deployment) -> list[Problem]:
    return [
        *_subnet_problems(config),
        *_cluster_problems(config),
        *_reference_problems(config),
    ]


def _net(cidr: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(cidr)


def _subnet_problems(config: Deployment) -> Iterator[Problem]:
    vnet = _net(config.network.vnet_cidr)
    seen: dict[str, int] = {}
    for i, subnet in enumerate(config.network.subnets):
        path = f"network.subnets[{i}]"
        if subnet.name in seen:
            yield Problem(
                f"{path}.name", f"duplicate subnet name {subnet.name!r} (also subnets[{seen[subnet.name]}])"
            )
        seen.setdefault(subnet.name, i)
        net = _net(subnet.cidr)
        if not net.subnet_of(vnet):
            yield Problem(f"{path}.cidr", f"{subnet.cidr} is not inside the VNet {vnet}")
        for j, other in enumerate(config.network.subnets[:i]):
            if net.overlaps(_net(other.cidr)):
                yield Problem(f"{path}.cidr", f"{subnet.cidr} overlaps network.subnets[{j}] ({other.cidr})")


def _cluster_problems(config: Deployment) -> Iterator[Problem]:
    vnet = _net(config.network.vnet_cidr)
    names: dict[str, int] = {}
    mesh_ids: dict[int, int] = {}
    for i, cluster in enumerate(config.clusters):
        path = f"clusters[{i}]"
        if cluster.name in names:
            yield Problem(f"{path}.name", f"duplicate cluster name {cluster.name!r}")
        names.setdefault(cluster.name, i)
        if cluster.cilium_cluster_id in mesh_ids:
            yield Problem(
                f"{path}.cilium_cluster_id",
                f"{cluster.cilium_cluster_id} is already used by clusters[{mesh_ids[cluster.cilium_cluster_id]}]"
                " (Cluster Mesh needs unique IDs)",
            )
        mesh_ids.setdefault(cluster.cilium_cluster_id, i)
        yield from _cidr_problems(path, cluster, vnet)
        yield from _pool_problems(path, cluster)
        for j, other in enumerate(config.clusters[:i]):
            if _net(cluster.pod_cidr).overlaps(_net(other.pod_cidr)):
                yield Problem(
                    f"{path}.pod_cidr",
                    f"{cluster.pod_cidr} overlaps clusters[{j}].pod_cidr ({other.pod_cidr});"
                    " Cluster Mesh needs a unique pod CIDR per cluster",
                )


def _cidr_problems(path: str, cluster: Cluster, vnet: ipaddress.IPv4Network) -> Iterator[Problem]:
    pod, svc = _net(cluster.pod_cidr), _net(cluster.service_cidr)
    for field, net in (("pod_cidr", pod), ("service_cidr", svc)):
        if net.overlaps(vnet):
            yield Problem(
                f"{path}.{field}",
                f"{net} overlaps the VNet {vnet}; choose a range outside it (e.g. 192.168.0.0/16 or 172.16.0.0/12)",
            )
        for reserved in RESERVED_RANGES:
            if net.overlaps(reserved):
                yield Problem(f"{path}.{field}", f"{net} overlaps {reserved}, which AKS reserves")
    if pod.overlaps(svc):
        yield Problem(f"{path}.service_cidr", f"{svc} overlaps this cluster's pod_cidr {pod}")
    if svc.prefixlen < 12:
        yield Problem(
            f"{path}.service_cidr", f"{svc} is too large; AKS needs a service CIDR smaller than /12"
        )
    dns = ipaddress.IPv4Address(cluster.dns_service_ip)
    if dns not in svc:
        yield Problem(f"{path}.dns_service_ip", f"{dns} is not inside service_cidr {svc}")
    elif int(dns) - int(svc.network_address) < 2 or dns == svc.broadcast_address:
        yield Problem(
            f"{path}.dns_service_ip", f"{dns} is reserved in {svc}; use e.g. {svc.network_address + 10}"
        )


def _pool_problems(path: str, cluster: Cluster) -> Iterator[Problem]:
    system, spot = cluster.system_pool, cluster.spot_pool
    if system.name == spot.name:
        yield Problem(f"{path}.spot_pool.name", f"{spot.name!r} is also the system pool's name")
    if system.vm_size.startswith("Standard_B"):
        yield Problem(f"{path}.system_pool.vm_size", "AKS system pools do not support B-series sizes")
    if spot.autoscale:
        if spot.min_count > spot.max_count:
            yield Problem(
                f"{path}.spot_pool.min_count", f"{spot.min_count} is above max_count {spot.max_count}"
            )
        elif not spot.min_count <= spot.count <= spot.max_count:
            yield Problem(
                f"{path}.spot_pool.count",
                f"{spot.count} is outside the autoscaler bounds {spot.min_count}..{spot.max_count}",
            )
    if spot.max_price != -1 and spot.max_price <= 0:
        yield Problem(f"{path}.spot_pool.max_price", "use -1 (on-demand cap) or a positive price")


def _reference_problems(config: Deployment) -> Iterator[Problem]:
    subnets = {s.name for s in config.network.subnets}
    clusters = {c.name for c in config.clusters}
    used_subnets: dict[str, int] = {}
    for i, cluster in enumerate(config.clusters):
        if cluster.subnet not in subnets:
            yield Problem(f"clusters[{i}].subnet", f"no subnet named {cluster.subnet!r} in network.subnets")
        elif cluster.subnet in used_subnets:
            yield Problem(
                f"clusters[{i}].subnet",
                f"subnet {cluster.subnet!r} is already used by clusters[{used_subnets[cluster.subnet]}]",
            )
        used_subnets.setdefault(cluster.subnet, i)
    refs = [
        ("argocd.cluster", config.argocd.cluster),
        ("drills.spot_eviction_cluster", config.drills.spot_eviction_cluster),
        *(
            (f"security.workload_identities[{i}].cluster", wi.cluster)
            for i, wi in enumerate(config.security.workload_identities)
        ),
    ]
    for path, name in refs:
        if name not in clusters:
            yield Problem(path, f"no cluster named {name!r} in clusters")
    if config.state_backend.kind == "azure_blob":
        yield Problem(
            "state_backend.kind",
            "azure_blob is not available in this version (the state stays in a local file); use kind: local"
            " and keep .orchestrate/ on a shared, backed-up disk until the Blob backend lands",
        )
