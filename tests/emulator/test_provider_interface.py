"""The provider interface as the AKS provider uses it: a type registered at runtime, an LRO that fails
with a quota error from `on_started`, an action LRO, and direct resource creation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from arm_testkit import LOC, SUB
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.resource.resources import ResourceManagementClient

from emulator import LocalCloud
from emulator.arm.errors import QuotaExceeded
from emulator.arm.http import Response
from emulator.arm.lro import lro_headers
from emulator.arm.registry import Ctx, Lro, ResourceType
from emulator.arm.routing import RG_TYPE
from emulator.arm.store import Operation, Resource

WIDGET = "Microsoft.Example/widgets"


def _take_cores(ctx: Ctx, resource: Resource, op: Operation) -> None:
    cores = int(resource.body["properties"].get("cores", 0))
    if op.kind == "delete":
        ctx.backend.release_cores("lowPriorityCores", cores)
        return
    try:
        ctx.backend.consume_cores("lowPriorityCores", cores)
    except QuotaExceeded as exc:
        ctx.backend.fail_operation(op, exc.code, exc.message)


def _stop(ctx: Ctx, resource: Resource) -> Response:
    op = ctx.backend.start_operation(resource.id, "action", 60, WIDGET)
    resource.body["properties"]["powerState"] = {"code": "Stopped"}
    ctx.backend.save(resource)
    return Response(202, None, lro_headers(ctx.backend, ctx.request, ctx.rtype, op, Lro.ASYNC_OPERATION))


def _node_group(backend: Any, resource: Resource, op: Operation) -> None:
    if op.kind == "create" and op.status == "Succeeded":
        backend.put_resource(
            f"/subscriptions/{SUB}/resourceGroups/MC_{resource.body['name']}", RG_TYPE, {"location": LOC}
        )


@pytest.fixture
def res(local_cloud: LocalCloud, make_client: Callable[..., Any], rg: str) -> ResourceManagementClient:
    local_cloud.backend.registry.add(
        ResourceType(
            WIDGET,
            lro=Lro.ASYNC_OPERATION,
            location_header=True,
            create_code=201,
            delete_lro=Lro.ASYNC_OPERATION,
            delete_code=202,
            duration_s=300,
            on_started=_take_cores,
            on_settled=_node_group,
            actions={"stop": _stop},
        )
    )
    client: ResourceManagementClient = make_client(ResourceManagementClient)
    return client


def _id(name: str) -> str:
    return f"/subscriptions/{SUB}/resourceGroups/rg1/providers/{WIDGET}/{name}"


def test_runtime_type_lifecycle_and_action(res: ResourceManagementClient, local_cloud: LocalCloud) -> None:
    body = {"location": LOC, "properties": {"cores": 2}}
    made = res.resources.begin_create_or_update_by_id(_id("w1"), body, api_version="2024-01-01").result()
    assert made.properties["provisioningState"] == "Succeeded"
    assert res.resource_groups.check_existence("MC_w1") is True
    stop = HttpRequest("POST", f"{local_cloud.arm_url}{_id('w1')}/stop?api-version=2024-01-01")
    resp = res.send_request(stop)  # no SDK operation for this type: the client's raw pipeline
    assert resp.status_code == 202 and "api-version=" in resp.headers["Azure-AsyncOperation"]
    res.resources.begin_delete_by_id(_id("w1"), api_version="2024-01-01").result()
    assert [r["id"] for r in local_cloud.resources(WIDGET)] == []
    assert local_cloud.backend.quota.usage["lowPriorityCores"] == 0


def test_quota_failure_reaches_the_poller(res: ResourceManagementClient) -> None:
    poller = res.resources.begin_create_or_update_by_id(
        _id("big"), {"location": LOC, "properties": {"cores": 4}}, api_version="2024-01-01"
    )
    with pytest.raises(HttpResponseError) as exc:
        poller.result()
    assert exc.value.error.code == "QuotaExceeded" and "lowPriorityCores" in exc.value.error.message


def test_subnet_in_use_cannot_be_deleted(
    local_cloud: LocalCloud, make_client: Callable[..., Any], rg: str
) -> None:
    from azure.mgmt.network import NetworkManagementClient

    local_cloud.backend.registry.add(ResourceType("Microsoft.Network/networkInterfaces"))
    net: NetworkManagementClient = make_client(NetworkManagementClient)
    res: ResourceManagementClient = make_client(ResourceManagementClient)
    space = {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}
    vnet_body = {
        "location": LOC,
        "properties": {**space, "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.1.0/24"}}]},
    }
    subnet_id = net.virtual_networks.begin_create_or_update(rg, "v1", vnet_body).result().subnets[0].id
    nic = {
        "location": LOC,
        "properties": {"ipConfigurations": [{"name": "ip", "properties": {"subnet": {"id": subnet_id}}}]},
    }
    nic_id = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/n1"
    res.resources.begin_create_or_update_by_id(nic_id, nic, api_version="2024-01-01").result()
    for attempt in (
        lambda: net.subnets.begin_delete(rg, "v1", "s").result(),
        lambda: net.virtual_networks.begin_create_or_update(rg, "v1", {"location": LOC, "properties": space}),
        lambda: net.virtual_networks.begin_delete(rg, "v1").result(),
    ):
        with pytest.raises(HttpResponseError) as exc:
            attempt()
        assert exc.value.error.code == "InUseSubnetCannotBeDeleted"
    res.resources.begin_delete_by_id(nic_id, api_version="2024-01-01").result()
    net.virtual_networks.begin_delete(rg, "v1").result()
