from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from arm_testkit import LOC, SUB
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from emulator import LocalCloud, Settings


@pytest.fixture
def res(make_client: Callable[..., Any]) -> ResourceManagementClient:
    client: ResourceManagementClient = make_client(ResourceManagementClient)
    return client


def test_resource_group_crud_and_existence(res: ResourceManagementClient) -> None:
    assert res.resource_groups.check_existence("rg1") is False
    created = res.resource_groups.create_or_update("rg1", {"location": "Korea Central", "tags": {"a": "1"}})
    assert created.location == LOC and created.properties.provisioning_state == "Succeeded"
    assert res.resource_groups.check_existence("rg1") is True
    assert res.resource_groups.update("rg1", {"tags": {"b": "2"}}).tags == {"b": "2"}
    assert [g.name for g in res.resource_groups.list()] == ["rg1"]
    res.resource_groups.begin_delete("rg1").result()
    with pytest.raises(ResourceNotFoundError) as exc:
        res.resource_groups.get("rg1")
    assert exc.value.error.code == "ResourceGroupNotFound"
    with pytest.raises(ResourceNotFoundError):
        res.resource_groups.begin_delete("rg1")


def test_rg_delete_cascades(
    res: ResourceManagementClient, make_client: Callable[..., Any], local_cloud: LocalCloud
) -> None:
    net: NetworkManagementClient = make_client(NetworkManagementClient)
    res.resource_groups.create_or_update("rg1", {"location": LOC})
    body = {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    net.virtual_networks.begin_create_or_update("rg1", "v1", body).result()
    assert len(local_cloud.resources()) == 2
    poller = res.resource_groups.begin_delete("rg1")
    poller.result()
    assert local_cloud.resources() == []
    with pytest.raises(ResourceNotFoundError) as exc:
        net.virtual_networks.get("rg1", "v1")
    assert exc.value.error.code == "ResourceGroupNotFound"


def test_rg_missing_for_child_resource(make_client: Callable[..., Any]) -> None:
    net: NetworkManagementClient = make_client(NetworkManagementClient)
    body = {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    with pytest.raises(ResourceNotFoundError) as exc:
        net.virtual_networks.begin_create_or_update("nope", "v1", body)
    assert exc.value.error.code == "ResourceGroupNotFound"


def test_pagination_with_tiny_pages(tmp_path: Any, make_client: Callable[..., Any]) -> None:
    from arm_testkit import StaticToken, client_kwargs

    with LocalCloud.start(tmp_path / "paged", Settings(page_size=2)) as cloud:
        client = ResourceManagementClient(StaticToken(cloud.token), SUB, **client_kwargs(cloud))
        for i in range(5):
            client.resource_groups.create_or_update(f"rg{i}", {"location": LOC})
        assert [g.name for g in client.resource_groups.list()] == [f"rg{i}" for i in range(5)]
        assert cloud.request_total("GET", "Microsoft.Resources/resourceGroups") == 3


def test_providers_listed_registered(res: ResourceManagementClient) -> None:
    providers = {p.namespace: p for p in res.providers.list()}
    assert providers["Microsoft.Network"].registration_state == "Registered"
    assert "Microsoft.KeyVault" in providers


def test_wrong_token_is_401(local_cloud: LocalCloud) -> None:
    from arm_testkit import StaticToken, client_kwargs
    from azure.core.exceptions import ClientAuthenticationError

    client = ResourceManagementClient(StaticToken("wrong"), SUB, **client_kwargs(local_cloud))
    with pytest.raises(ClientAuthenticationError) as exc:
        client.resource_groups.get("rg1")
    assert exc.value.status_code == 401 and exc.value.error.code == "AuthenticationFailed"
    assert "WWW-Authenticate" not in exc.value.response.headers


def test_case_insensitive_routing_and_request_id(
    res: ResourceManagementClient, make_client: Callable[..., Any]
) -> None:
    res.resource_groups.create_or_update("RG-Mixed", {"location": LOC})
    got = res.resource_groups.get("rg-mixed")
    assert got.name == "RG-Mixed"
    net: NetworkManagementClient = make_client(NetworkManagementClient)
    body = {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    net.virtual_networks.begin_create_or_update("rg-mixed", "V1", body).result()
    raw = net.virtual_networks.get("RG-MIXED", "v1", cls=lambda resp, obj, hdrs: resp.http_response.headers)
    assert raw["x-ms-request-id"]


def test_bad_api_usage_errors_are_arm_errors(res: ResourceManagementClient) -> None:
    with pytest.raises(HttpResponseError) as exc:
        res.resource_groups.create_or_update("rg1", {"tags": {}})
    assert exc.value.status_code == 400 and exc.value.error.code == "InvalidRequestContent"
    assert "location" in exc.value.error.message
    assert "Retry-After" not in exc.value.response.headers
