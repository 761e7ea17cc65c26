"""Deterministic names for everything, so a re-run finds what an earlier run made (DESIGN section 5).

Azure abbreviations (Cloud Adoption Framework): rg-, vnet-, snet-, nsg-, id-; AKS clusters keep the
names the seed gives them (aks-mgmt, aks-app1, aks-app2).
"""

from __future__ import annotations

import uuid

from orchestrator.config.model import Deployment

# A fixed namespace: the same inputs give the same role-assignment name on every machine.
_NAMESPACE = uuid.UUID("6f1c3c52-6d0e-4b0a-9a58-4c1f5f9e2a11")
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"


def network_rg(config: Deployment) -> str:
    return f"rg-{config.name}-network"


def clusters_rg(config: Deployment) -> str:
    return f"rg-{config.name}-aks"


def vnet(config: Deployment) -> str:
    return f"vnet-{config.name}"


def subnet(name: str) -> str:
    return f"snet-{name}"


def nsg(config: Deployment, subnet_name: str) -> str:
    return f"nsg-{config.name}-{subnet_name}"


def dns_link(config: Deployment) -> str:
    return f"link-vnet-{config.name}"


def control_plane_identity(cluster: str) -> str:
    return f"id-{cluster}-cp"


def dns_prefix(config: Deployment, cluster: str) -> str:
    return f"{config.name}-{cluster}"[:54]


def role_assignment(scope: str, role_guid: str, principal_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{scope.lower()}|{role_guid}|{principal_id}"))


def cluster_lock(rg: str, cluster: str) -> str:
    """AKS runs one operation at a time on a cluster and its pools (409 OperationNotAllowed)."""
    return f"aks:{rg}/{cluster}".lower()


def federated_credentials_lock(rg: str, identity: str) -> str:
    """Azure writes the federated credentials of one identity one at a time
    (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity)."""
    return f"fic:{rg}/{identity}".lower()


def rg_id(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def res_id(sub: str, rg: str, provider_type: str, name: str) -> str:
    return f"{rg_id(sub, rg)}/providers/{provider_type}/{name}"
