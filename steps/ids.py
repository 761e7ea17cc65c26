"""Every step ID of phases 1-2, in one place, built from typed parts (`orchestrator.engine.graph`).
A step's constructor and every step that depends on it use these, so an ID cannot be misspelt."""

from __future__ import annotations

from orchestrator.engine.graph import StepId, step_id

VNET = step_id(1, "vnet")
DNS_ZONE = step_id(1, "private-dns-zone")
DNS_LINK = step_id(1, "private-dns-link")


def resource_group(phase: int, name: str) -> StepId:
    return step_id(phase, "resource-group", name)


def nsg(subnet: str) -> StepId:
    return step_id(1, "nsg", subnet)


def subnet(name: str) -> StepId:
    return step_id(1, "subnet", name)


def identity(cluster: str) -> StepId:
    return step_id(2, "identity", cluster)


def subnet_role(cluster: str) -> StepId:
    return step_id(2, "subnet-role", cluster)


def cluster(name: str) -> StepId:
    return step_id(2, "cluster", name)


def pool(cluster: str, pool: str) -> StepId:
    return step_id(2, "pool", cluster, pool)


def power(cluster: str) -> StepId:
    return step_id("power", cluster)


# -- phase 3: CNI, Cluster Mesh, Gateway API ---------------------------------------------------
def gateway_api_crds(cluster: str) -> StepId:
    return step_id(3, "gateway-api-crds", cluster)


def cilium_ca(cluster: str) -> StepId:
    """The shared `cilium-ca` Secret: generated on the first cluster, copied to the others."""
    return step_id(3, "cilium-ca", cluster)


def mesh_subnet_role(cluster: str) -> StepId:
    """Network Contributor on the mesh subnet, so AKS can put the internal load balancer there."""
    return step_id(3, "mesh-subnet-role", cluster)


def cilium(cluster: str) -> StepId:
    return step_id(3, "cilium", cluster)


def mesh_dns_record(cluster: str) -> StepId:
    return step_id(3, "mesh-dns-record", cluster)


def kustomization(cluster: str, name: str) -> StepId:
    return step_id(3, "kustomize", name, cluster)


def verify(check: str, cluster: str) -> StepId:
    return step_id(3, "verify", check, cluster)
