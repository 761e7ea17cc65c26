"""Network, Managed Identity and role assignments answer in the shapes real ARM gives."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from arm_testkit import LOC, SUB
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.network import NetworkManagementClient

PLURALS = ("sourceAddressPrefixes", "destinationAddressPrefixes", "sourcePortRanges", "destinationPortRanges")
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


@pytest.fixture
def net(make_client: Callable[..., Any]) -> NetworkManagementClient:
    client: NetworkManagementClient = make_client(NetworkManagementClient)
    return client


def test_nsg_rules_answer_the_empty_plural_fields(net: NetworkManagementClient, rg: str) -> None:
    rule = {
        "name": "https",
        "properties": {
            "priority": 100,
            "direction": "Inbound",
            "access": "Allow",
            "protocol": "Tcp",
            "sourceAddressPrefix": "*",
            "sourcePortRange": "*",
            "destinationAddressPrefix": "*",
            "destinationPortRanges": ["443", "8443"],
        },
    }
    body = {"location": LOC, "properties": {"securityRules": [rule]}}
    nsg = net.network_security_groups.begin_create_or_update(rg, "nsg", body).result().as_dict()
    props = nsg["properties"]["securityRules"][0]["properties"]
    assert props["destinationPortRanges"] == ["443", "8443"] and "destinationPortRange" not in props
    assert [props[k] for k in PLURALS if k != "destinationPortRanges"] == [[], [], []]
    for default in nsg["properties"]["defaultSecurityRules"]:
        assert all(default["properties"][k] == [] for k in PLURALS) and default["properties"]["description"]
    child = net.security_rules.get(rg, "nsg", "https").as_dict()
    assert child["type"] == "Microsoft.Network/networkSecurityGroups/securityRules"


def test_subnets_answer_the_prefix_form_they_were_given(net: NetworkManagementClient, rg: str) -> None:
    vnet = {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    net.virtual_networks.begin_create_or_update(rg, "v1", vnet).result()
    net.subnets.begin_create_or_update(
        rg, "v1", "one", {"properties": {"addressPrefix": "10.0.1.0/24"}}
    ).result()
    net.subnets.begin_create_or_update(
        rg, "v1", "two", {"properties": {"addressPrefixes": ["10.0.2.0/24"]}}
    ).result()
    one = net.subnets.get(rg, "v1", "one").as_dict()["properties"]
    two = net.subnets.get(rg, "v1", "two").as_dict()["properties"]
    assert one["addressPrefix"] == "10.0.1.0/24" and "addressPrefixes" not in one
    assert two["addressPrefixes"] == ["10.0.2.0/24"] and "addressPrefix" not in two
    assert "ipConfigurations" not in one  # nothing runs in it yet


def test_managed_identity_ids_use_lowercase_resourcegroups(make_client: Callable[..., Any], rg: str) -> None:
    msi: ManagedServiceIdentityClient = make_client(ManagedServiceIdentityClient)
    ident = msi.user_assigned_identities.create_or_update(rg, "id1", {"location": LOC})
    expected = f"/subscriptions/{SUB}/resourcegroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"
    assert ident.id == expected
    assert msi.user_assigned_identities.get(rg, "id1").id == expected
    assert [i.id for i in msi.user_assigned_identities.list_by_resource_group(rg)] == [expected]


@pytest.mark.parametrize("sent", ["/providers", f"/subscriptions/{SUB}/providers"])
def test_role_definition_id_comes_back_with_the_subscription(
    make_client: Callable[..., Any], rg: str, sent: str
) -> None:
    msi: ManagedServiceIdentityClient = make_client(ManagedServiceIdentityClient)
    principal = msi.user_assigned_identities.create_or_update(rg, "id1", {"location": LOC}).principal_id
    auth: AuthorizationManagementClient = make_client(AuthorizationManagementClient)
    scope = f"/subscriptions/{SUB}/resourceGroups/{rg}"
    role = f"{sent}/Microsoft.Authorization/roleDefinitions/{READER}"
    body = {
        "properties": {
            "roleDefinitionId": role,
            "principalId": principal,
            "principalType": "ServicePrincipal",
        }
    }
    created = auth.role_assignments.create(scope, str(uuid.uuid4()), body)
    answered = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}"
    assert created.role_definition_id == answered
    assert [a.role_definition_id for a in auth.role_assignments.list_for_scope(scope)] == [answered]
