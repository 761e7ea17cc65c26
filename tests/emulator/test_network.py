from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from arm_testkit import LOC
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.network import NetworkManagementClient

from emulator import LocalCloud


@pytest.fixture
def net(make_client: Callable[..., Any]) -> NetworkManagementClient:
    client: NetworkManagementClient = make_client(NetworkManagementClient)
    return client


def _vnet(*subnets: tuple[str, str]) -> dict[str, Any]:
    return {
        "location": LOC,
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": n, "properties": {"addressPrefix": p}} for n, p in subnets],
        },
    }


def test_vnet_lifecycle_with_inline_and_child_subnets(
    net: NetworkManagementClient, rg: str, local_cloud: LocalCloud
) -> None:
    vnet = net.virtual_networks.begin_create_or_update(rg, "v1", _vnet(("a", "10.0.1.0/24"))).result()
    assert vnet.provisioning_state == "Succeeded"
    assert vnet.resource_guid
    assert [s.name for s in vnet.subnets] == ["a"]
    sub = net.subnets.begin_create_or_update(
        rg, "v1", "b", {"properties": {"addressPrefix": "10.0.2.0/24"}}
    ).result()
    assert sub.id.endswith("/virtualNetworks/v1/subnets/b")
    assert sorted(s.name for s in net.virtual_networks.get(rg, "v1").subnets) == ["a", "b"]
    assert [s.name for s in net.subnets.list(rg, "v1")] == ["a", "b"]
    tagged = net.virtual_networks.update_tags(rg, "v1", {"tags": {"env": "dev"}})
    assert tagged.tags == {"env": "dev"}
    assert [v.name for v in net.virtual_networks.list_all()] == ["v1"]
    net.subnets.begin_delete(rg, "v1", "b").result()
    net.virtual_networks.begin_delete(rg, "v1").result()
    with pytest.raises(ResourceNotFoundError) as exc:
        net.virtual_networks.get(rg, "v1")
    assert exc.value.error is not None and exc.value.error.code == "ResourceNotFound"
    counts = local_cloud.request_total("GET", "Microsoft.Network/virtualNetworks")
    assert counts >= 3


def test_subnet_rules(net: NetworkManagementClient, rg: str) -> None:
    net.virtual_networks.begin_create_or_update(rg, "v1", _vnet(("a", "10.0.1.0/24"))).result()
    with pytest.raises(HttpResponseError) as exc:
        net.subnets.begin_create_or_update(rg, "v1", "b", {"properties": {"addressPrefix": "10.0.1.128/25"}})
    assert exc.value.status_code == 400 and exc.value.error.code == "NetcfgSubnetRangesOverlap"
    with pytest.raises(HttpResponseError) as exc:
        net.subnets.begin_create_or_update(rg, "v1", "c", {"properties": {"addressPrefix": "10.9.0.0/24"}})
    assert exc.value.error.code == "NetcfgSubnetRangeOutsideVnet"
    with pytest.raises(ResourceNotFoundError) as nf:
        net.subnets.begin_create_or_update(rg, "nope", "c", {"properties": {"addressPrefix": "10.0.3.0/24"}})
    assert nf.value.error.code == "ParentResourceNotFound"


def test_nsg_rules_and_association(net: NetworkManagementClient, rg: str) -> None:
    body = {
        "location": LOC,
        "properties": {
            "securityRules": [
                {
                    "name": "allow-https",
                    "properties": {
                        "priority": 100,
                        "direction": "Inbound",
                        "access": "Allow",
                        "protocol": "Tcp",
                        "sourceAddressPrefix": "*",
                        "sourcePortRange": "*",
                        "destinationAddressPrefix": "*",
                        "destinationPortRange": "443",
                    },
                }
            ]
        },
    }
    nsg = net.network_security_groups.begin_create_or_update(rg, "n1", body).result()
    assert len(nsg.default_security_rules) == 6
    assert [r.name for r in nsg.security_rules] == ["allow-https"]
    rule = dict(body["properties"]["securityRules"][0]["properties"], destinationPortRange="80")
    with pytest.raises(HttpResponseError) as exc:
        net.security_rules.begin_create_or_update(rg, "n1", "dup", {"properties": rule})
    assert exc.value.error.code == "SecurityRuleConflict"
    rule["priority"] = 110
    net.security_rules.begin_create_or_update(rg, "n1", "http", {"properties": rule}).result()
    assert [r.name for r in net.security_rules.list(rg, "n1")] == ["allow-https", "http"]
    assert net.security_rules.get(rg, "n1", "http").destination_port_range == "80"
    net.security_rules.begin_delete(rg, "n1", "http").result()
    assert net.network_security_groups.update_tags(rg, "n1", {"tags": {"a": "b"}}).tags == {"a": "b"}
    assert [n.name for n in net.network_security_groups.list(rg)] == ["n1"]
    net.virtual_networks.begin_create_or_update(rg, "v1", _vnet()).result()
    subnet = {"properties": {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": nsg.id}}}
    net.subnets.begin_create_or_update(rg, "v1", "s", subnet).result()
    assert net.network_security_groups.get(rg, "n1").subnets[0].id.endswith("/subnets/s")
    with pytest.raises(HttpResponseError) as exc:
        net.network_security_groups.begin_delete(rg, "n1").result()
    assert exc.value.error.code == "InUseNetworkSecurityGroupCannotBeDeleted"
    net.subnets.begin_create_or_update(
        rg, "v1", "s", {"properties": {"addressPrefix": "10.0.1.0/24"}}
    ).result()
    net.network_security_groups.begin_delete(rg, "n1").result()
    assert list(net.network_security_groups.list_all()) == []


def test_invalid_body_is_400(net: NetworkManagementClient, rg: str) -> None:
    bad = {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": "10.0.0.0/16"}}}
    with pytest.raises(HttpResponseError) as exc:
        net.virtual_networks.begin_create_or_update(rg, "v1", bad)
    assert exc.value.status_code == 400 and exc.value.error.code == "InvalidRequestContent"


def test_etag_preconditions(net: NetworkManagementClient, rg: str, local_cloud: LocalCloud) -> None:
    from azure.core.rest import HttpRequest

    body = _vnet()
    vnet = net.virtual_networks.begin_create_or_update(rg, "v1", body).result()
    url = f"{local_cloud.arm_url}{vnet.id}?api-version=2026-03-01"

    def put(**headers: str) -> int:
        return int(net.send_request(HttpRequest("PUT", url, json=body, headers=headers)).status_code)

    assert put(**{"If-None-Match": "*"}) == 412
    assert put(**{"If-Match": vnet.etag}) == 200
    assert put(**{"If-Match": vnet.etag}) == 412
    assert put(**{"If-Match": net.virtual_networks.get(rg, "v1").etag}) == 200
