"""Shared builders for the AKS emulator tests: network + identity prerequisites and cluster bodies."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from arm_testkit import LOC, SUB
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.containerservice.models import (
    ContainerServiceNetworkProfile,
    ManagedCluster,
    ManagedClusterAgentPoolProfile,
    ManagedClusterIdentity,
    ManagedClusterOIDCIssuerProfile,
)
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.network import NetworkManagementClient
from kubernetes import client as kclient
from kubernetes import config as kconfig

NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
CNI_DAEMONSET: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "DaemonSet",
    "metadata": {"name": "cilium", "namespace": "kube-system", "labels": {"k8s-app": "cilium"}},
    "spec": {
        "selector": {"matchLabels": {"k8s-app": "cilium"}},
        "template": {
            "metadata": {"labels": {"k8s-app": "cilium"}},
            "spec": {
                "hostNetwork": True,
                "tolerations": [{"operator": "Exists"}],
                "containers": [{"name": "cilium-agent", "image": "quay.io/cilium/cilium:v1.18.0"}],
            },
        },
    },
}


@dataclass
class AksEnv:
    aks: ContainerServiceClient
    compute: ComputeManagementClient
    net: NetworkManagementClient
    auth: AuthorizationManagementClient
    rg: str
    subnet_id: str
    identity_id: str
    principal_id: str


def make_env(make_client: Callable[..., Any], rg: str, *, grant: bool = True) -> AksEnv:
    net: NetworkManagementClient = make_client(NetworkManagementClient)
    vnet = {
        "location": LOC,
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
            "subnets": [{"name": "nodes", "properties": {"addressPrefix": "10.1.0.0/22"}}],
        },
    }
    net.virtual_networks.begin_create_or_update(rg, "vnet", vnet).result()
    subnet_id = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes"
    msi: ManagedServiceIdentityClient = make_client(ManagedServiceIdentityClient)
    ident = msi.user_assigned_identities.create_or_update(rg, "aks-cp", {"location": LOC})
    auth: AuthorizationManagementClient = make_client(AuthorizationManagementClient)
    if grant:
        role = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{NETWORK_CONTRIBUTOR}"
        body = {
            "properties": {
                "roleDefinitionId": role,
                "principalId": ident.principal_id,
                "principalType": "ServicePrincipal",
            }
        }
        auth.role_assignments.create(subnet_id, str(uuid.uuid4()), body)
    return AksEnv(
        make_client(ContainerServiceClient),
        make_client(ComputeManagementClient),
        net,
        auth,
        rg,
        subnet_id,
        str(ident.id),
        str(ident.principal_id),
    )


def system_pool(env: AksEnv, **kw: Any) -> ManagedClusterAgentPoolProfile:
    args: dict[str, Any] = {
        "name": "system",
        "mode": "System",
        "count": 1,
        "vm_size": "Standard_D2s_v3",
        "type": "VirtualMachineScaleSets",
        "vnet_subnet_id": env.subnet_id,
        **kw,
    }
    return ManagedClusterAgentPoolProfile(**args)


def spot_pool(env: AksEnv, **kw: Any) -> ManagedClusterAgentPoolProfile:
    args: dict[str, Any] = {
        "name": "spot",
        "mode": "User",
        "count": 2,
        "vm_size": "Standard_D2s_v3",
        "type": "VirtualMachineScaleSets",
        "scale_set_priority": "Spot",
        "enable_auto_scaling": True,
        "min_count": 1,
        "max_count": 3,
        "os_disk_type": "Ephemeral",
        "os_disk_size_gb": 30,
        "vnet_subnet_id": env.subnet_id,
        **kw,
    }
    return ManagedClusterAgentPoolProfile(**args)


def cluster(
    env: AksEnv, pools: list[ManagedClusterAgentPoolProfile] | None = None, **network: Any
) -> ManagedCluster:
    net = {
        "network_plugin": "none",
        "pod_cidr": "192.168.0.0/20",
        "service_cidr": "172.16.0.0/16",
        "dns_service_ip": "172.16.0.10",
        **network,
    }
    return ManagedCluster(
        location=LOC,
        dns_prefix="aks1",
        kubernetes_version="1.33",
        identity=ManagedClusterIdentity(type="UserAssigned", user_assigned_identities={env.identity_id: {}}),
        network_profile=ContainerServiceNetworkProfile(**net),
        oidc_issuer_profile=ManagedClusterOIDCIssuerProfile(enabled=True),
        agent_pool_profiles=pools if pools is not None else [system_pool(env), spot_pool(env)],
    )


def kube_client(env: AksEnv, name: str, *, retries: bool = True) -> kclient.ApiClient:
    """The kubernetes client from the admin kubeconfig (`retries=False`: no urllib3 Retry-After waits)."""
    creds = env.aks.managed_clusters.list_cluster_admin_credentials(env.rg, name)
    settings = kclient.Configuration()
    if not retries:
        settings.retries = False
    config = yaml.safe_load(creds.kubeconfigs[0].value)
    api: kclient.ApiClient = kconfig.new_client_from_config_dict(config, client_configuration=settings)
    return api
