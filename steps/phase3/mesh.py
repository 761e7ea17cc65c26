"""Cluster Mesh addressing, computed from the config so it is known at plan time.

Each cluster's clustermesh-apiserver sits behind an Azure internal load balancer in the mesh subnet
(`cilium.mesh_subnet`, the services subnet) at a fixed IP: the subnet's last usable address minus
`cilium_cluster_id - 1` (ID 1 gets .254 of a /24). Fixed and derived from the unique ID, the address
is the same on every run and after a cluster is re-created, and it stays clear of the addresses Azure
hands out dynamically (from the bottom of the subnet). So every cluster's peer list can name every
peer before any load balancer exists, and the A record `clustermesh-<cluster>.<zone>` can be written
in the same phase.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from orchestrator.config.model import Cluster, Deployment
from steps import names

CLUSTERMESH_PORT = 2379
MESH_DOMAIN = "mesh.cilium.io"  # clustermesh.config.domain: peers with `ips` are dialled by <name>.<domain>
AZURE_LB_INTERNAL = "service.beta.kubernetes.io/azure-load-balancer-internal"
AZURE_LB_SUBNET = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"
AZURE_LB_IPV4 = "service.beta.kubernetes.io/azure-load-balancer-ipv4"


def mesh_ip(config: Deployment, cluster: Cluster) -> str:
    """The fixed internal IP of `cluster`'s clustermesh-apiserver (checks.py keeps it inside the subnet)."""
    net = ipaddress.IPv4Network(config.subnet(config.cilium.mesh_subnet).cidr)
    return str(net.broadcast_address - cluster.cilium_cluster_id)


def record_name(cluster: Cluster) -> str:
    """The relative name of the A record in the private DNS zone."""
    return f"clustermesh-{cluster.name}"


def record_fqdn(config: Deployment, cluster: Cluster) -> str:
    return f"{record_name(cluster)}.{config.network.private_dns_zone}"


def service_annotations(config: Deployment, cluster: Cluster) -> dict[str, str]:
    """Internal LB, in the mesh subnet, at the fixed IP (the annotation AKS documents; the Service's
    `spec.loadBalancerIP` is deprecated upstream)."""
    return {
        AZURE_LB_INTERNAL: "true",
        AZURE_LB_SUBNET: names.subnet(config.cilium.mesh_subnet),
        AZURE_LB_IPV4: mesh_ip(config, cluster),
    }


def peers(config: Deployment, cluster: Cluster) -> list[dict[str, Any]]:
    """Every other cluster at its fixed IP. With `ips`, Cilium dials https://<name>.mesh.cilium.io:2379
    (a host alias to the IP), the name the peer's auto-generated server certificate carries."""
    return [
        {"name": peer.name, "ips": [mesh_ip(config, peer)], "port": CLUSTERMESH_PORT}
        for peer in config.clusters
        if peer.name != cluster.name
    ]
