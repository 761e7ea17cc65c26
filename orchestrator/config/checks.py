"""Rules that relate several fields of a valid-looking config; each names the path it is about.

These are the static half of preflight: they need no API call, so `load_config` runs them and an
invalid topology is refused with exit code 2 before anything talks to Azure.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass

from orchestrator.config import rules
from orchestrator.config.model import Cluster, Deployment

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


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
        *_tag_problems(config.tags),
    ]


def _net(cidr: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(cidr)


def _earlier_overlaps(cidrs: list[str]) -> dict[int, list[int]]:
    """For each index, the earlier indexes whose CIDR overlaps it: a sweep over the sorted ranges, so
    hundreds of clusters check in milliseconds instead of comparing every pair."""
    spans = sorted(
        (int(n.network_address), int(n.broadcast_address), i) for i, n in enumerate(map(_net, cidrs))
    )
    found: dict[int, list[int]] = {}
    open_spans: list[tuple[int, int]] = []  # (last address, index) of ranges that may reach further
    for start, end, i in spans:
        open_spans = [(last, j) for last, j in open_spans if last >= start]
        for _, j in open_spans:
            found.setdefault(max(i, j), []).append(min(i, j))
        open_spans.append((end, i))
    return {i: sorted(js) for i, js in found.items()}


def _subnet_problems(config: Deployment) -> Iterator[Problem]:
    vnet = _net(config.network.vnet_cidr)
    seen: dict[str, int] = {}
    overlaps = _earlier_overlaps([s.cidr for s in config.network.subnets])
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
        for j in overlaps.get(i, []):
            other = config.network.subnets[j]
            yield Problem(f"{path}.cidr", f"{subnet.cidr} overlaps network.subnets[{j}] ({other.cidr})")


def _cluster_problems(config: Deployment) -> Iterator[Problem]:
    vnet = _net(config.network.vnet_cidr)
    names: dict[str, int] = {}
    mesh_ids: dict[int, int] = {}
    pod_overlaps = _earlier_overlaps([c.pod_cidr for c in config.clusters])
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
        yield from _capacity_problems(path, cluster, config)
        for j in pod_overlaps.get(i, []):
            other = config.clusters[j]
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


# Cilium's cluster pool gives each node one /24 of the cluster's pod CIDR (ADR-0003); Azure keeps 5
# addresses of every subnet; upgrading the system pool adds surge nodes (AKS default max surge 10%, at
# least one; Spot pools take no surge, ADR-0002).
POD_BLOCK_PREFIX = 24
AZURE_RESERVED_PER_SUBNET = 5


def peak_nodes(cluster: Cluster) -> int:
    """Nodes a cluster may have at once: each pool at its ceiling, plus the system pool's upgrade surge."""
    spot, system = cluster.spot_pool, cluster.system_pool.count
    return system + max(1, -(-system // 10)) + (spot.max_count if spot.autoscale else spot.count)


def _capacity_problems(path: str, cluster: Cluster, config: Deployment) -> Iterator[Problem]:
    """The address plan must hold the nodes asked for: pod blocks in the pod CIDR, IPs in the subnet."""
    nodes = peak_nodes(cluster)
    pod = _net(cluster.pod_cidr)
    blocks = 2 ** (POD_BLOCK_PREFIX - pod.prefixlen) if pod.prefixlen <= POD_BLOCK_PREFIX else 0
    if blocks < nodes:
        yield Problem(
            f"{path}.pod_cidr",
            f"{pod} holds {blocks} node blocks (/{POD_BLOCK_PREFIX}) but the pools may need {nodes} nodes"
            " (pool ceilings plus upgrade surge); use a larger pod CIDR or fewer nodes",
        )
    subnet = next((s for s in config.network.subnets if s.name == cluster.subnet), None)
    if subnet is None:
        return  # reported by _reference_problems
    usable = _net(subnet.cidr).num_addresses - AZURE_RESERVED_PER_SUBNET
    if usable < nodes:
        yield Problem(
            f"{path}.subnet",
            f"subnet {subnet.name!r} ({subnet.cidr}) has {max(usable, 0)} usable addresses but the pools may"
            f" need {nodes} nodes; give it a larger CIDR",
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
    yield from _mesh_subnet_problems(config, subnets)
    if config.state_backend.kind == "azure_blob":
        yield Problem(
            "state_backend.kind",
            "azure_blob is not available in this version (the state stays in a local file); use kind: local"
            " and keep .orchestrate/ on a shared, backed-up disk until the Blob backend lands",
        )


def _mesh_subnet_problems(config: Deployment, subnets: set[str]) -> Iterator[Problem]:
    """The clustermesh-apiserver load balancers take one fixed IP per cluster in the mesh subnet, counted
    down from its last usable address by `cilium_cluster_id` (`steps.phase3.mesh.mesh_ip`)."""
    name = config.cilium.mesh_subnet
    if not config.cilium.cluster_mesh:
        return
    if name not in subnets:
        yield Problem("cilium.mesh_subnet", f"no subnet named {name!r} in network.subnets")
        return
    if name in {c.subnet for c in config.clusters}:
        yield Problem(
            "cilium.mesh_subnet", f"subnet {name!r} holds a cluster's nodes; use a subnet of its own"
        )
    net = _net(config.subnet(name).cidr)
    room = net.num_addresses - AZURE_RESERVED_PER_SUBNET
    for i, cluster in enumerate(config.clusters):
        if cluster.cilium_cluster_id > room:
            yield Problem(
                f"clusters[{i}].cilium_cluster_id",
                f"{cluster.cilium_cluster_id} leaves no address for its clustermesh-apiserver in subnet"
                f" {name!r} ({net}, {room} usable); use a smaller ID or a larger subnet",
            )


def _tag_problems(tags: dict[str, str]) -> Iterator[Problem]:
    """Azure's tag limits, checked here so a bad tag fails now rather than on the first resource."""
    room = rules.TAGS_PER_RESOURCE - len(rules.PRODUCT_TAGS)
    if len(tags) > room:
        yield Problem(
            "tags",
            f"{len(tags)} tags; Azure allows {rules.TAGS_PER_RESOURCE} per resource and orchestrate adds"
            f" {len(rules.PRODUCT_TAGS)} of its own, so use at most {room}",
        )
    seen: dict[str, str] = {}
    for name, value in tags.items():
        path = key_path("tags", name)
        problem = rules.tag_name_problem(name)
        if problem:
            yield Problem(path, problem)
        elif name.lower() in seen:
            yield Problem(
                path, f"Azure tag names ignore case, so this is the same tag as {seen[name.lower()]!r}"
            )
        seen.setdefault(name.lower(), name)
        problem = rules.tag_value_problem(value)
        if problem:
            yield Problem(path, problem)


def key_path(parent: str, key: object) -> str:
    """`parent.key`, or `parent['odd key']` (cut short) when the key is not a short plain word."""
    if isinstance(key, str) and len(key) <= 40 and _PLAIN_KEY.match(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{rules.shown(key)}]"
