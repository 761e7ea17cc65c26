"""Child resources and what deleting their container does, as in Azure, seen through the SDK and the
local cloud's inventory: record sets and links of a private DNS zone, subnets of a VNet, pools of a
cluster."""

from __future__ import annotations

import json
import ssl
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from aks_testkit import AksEnv, cluster, make_env
from arm_testkit import LOC
from azure.core.exceptions import HttpResponseError, ResourceExistsError
from azure.mgmt.containerservice.models import AgentPool
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient

from emulator import LocalCloud, Settings

ZONE = "corp.internal"
POOL = "Microsoft.ContainerService/managedClusters/agentPools"
VNET_BODY = {
    "location": LOC,
    "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "ours", "properties": {"addressPrefix": "10.0.1.0/24"}}],
    },
}


@pytest.fixture
def dns(make_client: Callable[..., Any], rg: str) -> PrivateDnsManagementClient:
    client: PrivateDnsManagementClient = make_client(PrivateDnsManagementClient)
    client.private_zones.begin_create_or_update(rg, ZONE, {"location": "global"}).result()
    return client


def _ids(cloud: LocalCloud, under: str) -> list[str]:
    return [
        r["id"].rsplit("/", 2)[-2] + "/" + r["name"] for r in cloud.resources(under=under) if r["id"] != under
    ]


def test_record_sets_are_child_resources(
    dns: PrivateDnsManagementClient, rg: str, local_cloud: LocalCloud
) -> None:
    body = {
        "properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.0.1.4"}], "metadata": {"owner": "them"}}
    }
    created = dns.record_sets.create_or_update(rg, ZONE, "A", "www", body)
    assert (created.type, created.fqdn, created.ttl) == (
        "Microsoft.Network/privateDnsZones/A",
        f"www.{ZONE}.",
        300,
    )
    assert sorted((r.type.rsplit("/", 1)[-1], r.name) for r in dns.record_sets.list(rg, ZONE)) == [
        ("A", "www"),
        ("SOA", "@"),  # every zone has its SOA record set
    ]
    assert [r.name for r in dns.record_sets.list_by_type(rg, ZONE, "A")] == ["www"]
    assert dns.private_zones.get(rg, ZONE).number_of_record_sets == 2
    updated = dns.record_sets.update(rg, ZONE, "A", "www", {"properties": {"ttl": 60}})
    assert updated.ttl == 60 and updated.a_records[0].ipv4_address == "10.0.1.4"
    www = next(
        r for r in local_cloud.resources(under=dns.private_zones.get(rg, ZONE).id) if r["name"] == "www"
    )
    assert www["tags"] == {"owner": "them"}  # record sets carry ownership in metadata
    dns.record_sets.delete(rg, ZONE, "A", "www")
    assert [r.name for r in dns.record_sets.list(rg, ZONE)] == ["@"]


def test_zone_with_a_link_cannot_be_deleted_and_goes_with_its_record_sets(
    dns: PrivateDnsManagementClient, rg: str, make_client: Callable[..., Any], local_cloud: LocalCloud
) -> None:
    net: NetworkManagementClient = make_client(NetworkManagementClient)
    vnet = net.virtual_networks.begin_create_or_update(rg, "v1", VNET_BODY).result()
    link = {
        "location": "global",
        "properties": {"virtualNetwork": {"id": vnet.id}, "registrationEnabled": False},
    }
    dns.virtual_network_links.begin_create_or_update(rg, ZONE, "link1", link).result()
    dns.record_sets.create_or_update(
        rg, ZONE, "A", "db", {"properties": {"aRecords": [{"ipv4Address": "10.0.1.5"}]}}
    )
    with pytest.raises(ResourceExistsError) as exc:
        dns.private_zones.begin_delete(rg, ZONE).result()
    assert (exc.value.status_code, exc.value.error.code) == (409, "CannotDeleteResource")
    assert f"privateDnsZones/{ZONE}/virtualNetworkLinks/link1" in str(exc.value.error.message)
    zone_id = dns.private_zones.get(rg, ZONE).id
    assert sorted(_ids(local_cloud, zone_id)) == ["A/db", "SOA/@", "virtualNetworkLinks/link1"]
    dns.virtual_network_links.begin_delete(rg, ZONE, "link1").result()
    dns.private_zones.begin_delete(rg, ZONE).result()
    assert local_cloud.resources(under=zone_id) == []


def test_vnet_goes_with_every_subnet_including_foreign_ones(
    rg: str, make_client: Callable[..., Any], local_cloud: LocalCloud
) -> None:
    net: NetworkManagementClient = make_client(NetworkManagementClient)
    vnet = net.virtual_networks.begin_create_or_update(rg, "v1", VNET_BODY).result()
    net.subnets.begin_create_or_update(
        rg, "v1", "theirs", {"properties": {"addressPrefix": "10.0.2.0/24"}}
    ).result()
    assert sorted(_ids(local_cloud, str(vnet.id))) == ["subnets/ours", "subnets/theirs"]
    net.virtual_networks.begin_delete(rg, "v1").result()
    assert local_cloud.resources(under=str(vnet.id)) == []


@pytest.fixture
def env(make_client: Callable[..., Any], rg: str, local_cloud: LocalCloud) -> AksEnv:
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}))
    environment = make_env(make_client, rg)
    environment.aks.managed_clusters.begin_create_or_update(rg, "aks1", cluster(environment)).result()
    return environment


def test_subnet_with_nodes_blocks_its_vnet_and_a_cluster_goes_with_its_pools(
    env: AksEnv, local_cloud: LocalCloud
) -> None:
    foreign = AgentPool(count=1, vm_size="Standard_D2s_v3", mode="User", tags={"owner": "someone-else"})
    env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "extra", foreign).result()
    cluster_id = env.aks.managed_clusters.get(env.rg, "aks1").id
    pools = {r["name"]: r["tags"] for r in local_cloud.resources(POOL, under=cluster_id)}
    assert pools == {"spot": {}, "system": {}, "extra": {"owner": "someone-else"}}
    deletes = (env.net.subnets.begin_delete, env.net.virtual_networks.begin_delete)
    for delete, args in zip(deletes, (("vnet", "nodes"), ("vnet",)), strict=True):
        with pytest.raises(HttpResponseError) as exc:
            delete(env.rg, *args).result()
        assert (exc.value.status_code, exc.value.error.code) == (400, "InUseSubnetCannotBeDeleted")
        assert "|providers|Microsoft.Compute|virtualMachineScaleSets|aks-" in str(exc.value.error.message)
    env.aks.managed_clusters.begin_delete(env.rg, "aks1").result()
    assert local_cloud.resources(under=cluster_id) == []
    assert local_cloud.resources("Microsoft.Compute/virtualMachineScaleSets") == []
    env.net.virtual_networks.begin_delete(env.rg, "vnet").result()  # nothing uses the subnet any more
    assert local_cloud.resources("Microsoft.Network/virtualNetworks/subnets") == []


def test_inventory_over_http_filters_by_type_and_parent(
    dns: PrivateDnsManagementClient, rg: str, local_cloud: LocalCloud
) -> None:
    dns.record_sets.create_or_update(
        rg, ZONE, "TXT", "note", {"properties": {"txtRecords": [{"value": ["x"]}]}}
    )
    zone_id = dns.private_zones.get(rg, ZONE).id
    query = urllib.parse.urlencode({"under": zone_id, "type": "Microsoft.Network/privateDnsZones/TXT"})
    request = urllib.request.Request(
        f"{local_cloud.arm_url}/_emulator/resources?{query}",
        headers={"Authorization": f"Bearer {local_cloud.token}"},
    )
    context = ssl.create_default_context(cafile=str(local_cloud.ca_path))
    with urllib.request.urlopen(request, context=context) as answer:
        found = json.loads(answer.read())["value"]
    assert [(r["name"], r["type"]) for r in found] == [("note", "Microsoft.Network/privateDnsZones/TXT")]
