"""Least-privilege inbound rules for each subnet's NSG (reference: aks-network-cilium.md section 5).

Cluster subnets: everything within the subnet (AKS nodes need all ports among themselves), the Cilium
Cluster Mesh ports from the other cluster subnets, 80/443 from the Internet only where ingress lives,
the Azure load balancer's probes, and an explicit deny of the rest of the VNet (which the default
AllowVnetInBound rule at 65000 would otherwise let in). Outbound keeps Azure's defaults: nodes need
egress to the API server, MCR and package mirrors.
"""

from __future__ import annotations

from typing import Any

from orchestrator.config.model import Deployment, Subnet

# (rule name, protocol, destination ports): Cilium's inter-cluster ports.
MESH_PORTS: tuple[tuple[str, str, list[str]], ...] = (
    ("allow-mesh-vxlan", "Udp", ["8472"]),
    ("allow-mesh-health", "Tcp", ["4240"]),
    ("allow-mesh-icmp", "Icmp", ["*"]),
    ("allow-mesh-hubble", "Tcp", ["4244"]),
    ("allow-mesh-apiserver", "Tcp", ["2379", "32379"]),
)
CLUSTERMESH_APISERVER_PORTS = ["2379", "32379"]


def rule(
    name: str,
    priority: int,
    *,
    protocol: str = "*",
    sources: list[str],
    ports: list[str],
    destination: str | list[str] = "*",
    access: str = "Allow",
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "priority": priority,
        "direction": "Inbound",
        "access": access,
        "protocol": protocol,
        "sourcePortRange": "*",
    }
    destinations = [destination] if isinstance(destination, str) else destination
    props.update(
        {"destinationAddressPrefix": destinations[0]}
        if len(destinations) == 1
        else {"destinationAddressPrefixes": destinations}
    )
    props.update(
        {"sourceAddressPrefix": sources[0]} if len(sources) == 1 else {"sourceAddressPrefixes": sources}
    )
    props.update({"destinationPortRange": ports[0]} if len(ports) == 1 else {"destinationPortRanges": ports})
    return {"name": name, "properties": props}


def cluster_subnet_names(config: Deployment) -> list[str]:
    return [c.subnet for c in config.clusters]


def rules_for(config: Deployment, subnet: Subnet) -> list[dict[str, Any]]:
    cluster_subnets = {
        s.name: s.cidr for s in config.network.subnets if s.name in cluster_subnet_names(config)
    }
    if subnet.name in cluster_subnets:
        services = [s.cidr for s in config.network.subnets if s.name not in cluster_subnets]
        peers = [c for n, c in cluster_subnets.items() if n != subnet.name]
        rules = _cluster_rules(config, subnet, peers, services)
    else:
        rules = _service_rules(config, subnet, list(cluster_subnets.values()))
    return [
        *rules,
        rule("allow-azure-load-balancer", 180, sources=["AzureLoadBalancer"], ports=["*"]),
        rule("deny-vnet-inbound", 4000, sources=["VirtualNetwork"], ports=["*"], access="Deny"),
    ]


def _cluster_rules(
    config: Deployment, subnet: Subnet, peers: list[str], services: list[str]
) -> list[dict[str, Any]]:
    rules = [rule("allow-intra-subnet", 100, sources=[subnet.cidr], ports=["*"], destination=subnet.cidr)]
    if config.network.cluster_mesh_ports and peers:
        for i, (name, proto, ports) in enumerate(MESH_PORTS):
            # The clustermesh-apiserver sits behind an internal load balancer in the services subnet; with
            # AKS's floating IP the packets reach the nodes still addressed to that frontend IP.
            targets = [subnet.cidr, *services] if name == "allow-mesh-apiserver" else subnet.cidr
            rules.append(
                rule(name, 120 + 10 * i, protocol=proto, sources=peers, ports=ports, destination=targets)
            )
    if subnet.ingress:
        rules.append(
            rule("allow-ingress-http", 170, protocol="Tcp", sources=["Internet"], ports=["80", "443"])
        )
    return rules


def _service_rules(config: Deployment, subnet: Subnet, clusters: list[str]) -> list[dict[str, Any]]:
    rules = []
    if config.network.cluster_mesh_ports and clusters:
        rules.append(
            rule(
                "allow-mesh-apiserver",
                100,
                protocol="Tcp",
                sources=clusters,
                ports=CLUSTERMESH_APISERVER_PORTS,
                destination=subnet.cidr,
            )
        )
    if subnet.ingress:
        rules.append(
            rule("allow-ingress-http", 170, protocol="Tcp", sources=["Internet"], ports=["80", "443"])
        )
    return rules
