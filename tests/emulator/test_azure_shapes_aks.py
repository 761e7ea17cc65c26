"""AKS answers in the shapes real AKS gives (`az aks show`, GET): ID and type spelling, eTags, and the
fields AKS fills in. Read through the real SDK, compared on the REST document it received."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aks_testkit import AksEnv, cluster, make_env
from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError
from azure.mgmt.containerservice.models import ManagedClusterIdentity

from emulator import LocalCloud, Settings


@pytest.fixture
def env(make_client: Callable[..., Any], rg: str, local_cloud: LocalCloud) -> AksEnv:
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}))
    environment = make_env(make_client, rg)
    body = cluster(environment)
    sent_key = environment.identity_id.replace(
        "/resourcegroups/", "/resourceGroups/"
    )  # as the product builds it
    body.identity = ManagedClusterIdentity(type="UserAssigned", user_assigned_identities={sent_key: {}})
    environment.aks.managed_clusters.begin_create_or_update(rg, "aks1", body).result()
    return environment


def _doc(env: AksEnv) -> dict[str, Any]:
    doc: dict[str, Any] = env.aks.managed_clusters.get(env.rg, "aks1").as_dict()
    return doc


def test_cluster_id_type_etag_and_identity_key_as_aks_spells_them(env: AksEnv) -> None:
    doc = _doc(env)
    assert doc["id"] == (
        f"/subscriptions/{env.subnet_id.split('/')[2]}/resourcegroups/{env.rg}/providers/"
        "Microsoft.ContainerService/managedClusters/aks1"
    )
    assert doc["type"] == "Microsoft.ContainerService/ManagedClusters"
    assert doc["eTag"] and "etag" not in doc and not doc["eTag"].startswith('W/"')
    keys = list(doc["identity"]["userAssignedIdentities"])
    assert keys == [env.identity_id] and "/resourcegroups/" in keys[0]  # sent with /resourceGroups/
    assert doc["identity"]["userAssignedIdentities"][keys[0]]["principalId"] == env.principal_id
    listed = next(iter(env.aks.managed_clusters.list_by_resource_group(env.rg))).as_dict()
    assert (listed["id"], listed["type"]) == (doc["id"], doc["type"])


def test_cluster_fields_aks_fills_in(env: AksEnv) -> None:
    p = _doc(env)["properties"]
    assert p["servicePrincipalProfile"] == {"clientId": "msi"}
    net = p["networkProfile"]
    assert net["loadBalancerSku"] == "Standard"  # sent as "standard"
    assert (net["outboundType"], net["networkPolicy"], net["podLinkLocalAccess"]) == (
        "loadBalancer",
        "none",
        "IMDS",
    )
    assert (net["podCidrs"], net["serviceCidrs"]) == (["192.168.0.0/20"], ["172.16.0.0/16"])
    assert p["autoUpgradeProfile"]["nodeOSUpgradeChannel"] == "NodeImage"
    assert all(
        p["storageProfile"][d]["enabled"] for d in ("diskCSIDriver", "fileCSIDriver", "snapshotController")
    )
    assert p["identityProfile"]["kubeletidentity"]["resourceId"].count("/resourcegroups/") == 1


def test_pool_fields_and_etags(env: AksEnv) -> None:
    profiles = {p["name"]: p for p in _doc(env)["properties"]["agentPoolProfiles"]}
    system, spot = profiles["system"], profiles["spot"]
    assert system["upgradeSettings"] == {"maxSurge": "10%", "maxUnavailable": "0"}
    assert system["securityProfile"]["sshAccess"] == "LocalUser"
    assert system["scaleDownMode"] == spot["scaleDownMode"] == "Delete"
    assert "scaleSetPriority" not in system and "scaleSetEvictionPolicy" not in system
    assert (spot["scaleSetPriority"], spot["scaleSetEvictionPolicy"]) == ("Spot", "Delete")
    assert "maxSurge" not in (spot.get("upgradeSettings") or {})
    pool = env.aks.agent_pools.get(env.rg, "aks1", "spot").as_dict()
    assert (
        "/resourcegroups/" in pool["id"]
        and pool["type"] == "Microsoft.ContainerService/managedClusters/agentPools"
    )
    assert pool["properties"]["eTag"] == spot["eTag"] and "etag" not in pool


def test_if_match_uses_the_aks_etag(env: AksEnv) -> None:
    mc = env.aks.managed_clusters.get(env.rg, "aks1")
    stale = mc.e_tag
    mc.tags = {"team": "platform"}
    updated = env.aks.managed_clusters.begin_create_or_update(
        env.rg, "aks1", mc, etag=stale, match_condition=MatchConditions.IfNotModified
    ).result()
    assert updated.e_tag != stale and updated.tags == {"team": "platform"}
    with pytest.raises(ResourceModifiedError):
        env.aks.managed_clusters.begin_create_or_update(
            env.rg, "aks1", mc, etag=stale, match_condition=MatchConditions.IfNotModified
        )


def test_get_then_put_round_trips(env: AksEnv) -> None:
    """What a GET answers can be sent back as the PUT body (read-only and echoed fields accepted)."""
    mc = env.aks.managed_clusters.get(env.rg, "aks1")
    again = env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", mc).result()
    assert again.provisioning_state == "Succeeded"
    assert [p.name for p in again.agent_pool_profiles] == ["spot", "system"]
    pool = env.aks.agent_pools.get(env.rg, "aks1", "spot")
    assert env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "spot", pool).result().count == 2


def test_node_subnet_lists_the_nodes_ip_configurations(env: AksEnv) -> None:
    vnet, subnet = env.subnet_id.split("/")[8], env.subnet_id.split("/")[-1]
    configs = env.net.subnets.get(env.rg, vnet, subnet).as_dict()["properties"]["ipConfigurations"]
    assert len(configs) == 3  # one system node, two Spot nodes
    assert all(
        "/virtualMachineScaleSets/aks-" in c["id"] and c["id"].endswith("/ipConfigurations/ipconfig1")
        for c in configs
    )
    inlined = env.net.virtual_networks.get(env.rg, vnet).as_dict()["properties"]["subnets"][0]["properties"]
    assert inlined["ipConfigurations"] == configs
