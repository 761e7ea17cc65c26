"""Fault injection of a long-running operation's final state, per resource, once or N times: the SDK
sees exactly what real Azure's failed operation gives it, and the resource is left as AKS leaves it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aks_testkit import AksEnv, cluster, make_env, system_pool
from arm_testkit import LOC, SUB, StaticToken, client_kwargs
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerservice.models import AgentPool
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from emulator import FaultKind, FaultRule, LocalCloud, Settings

CLUSTER = "Microsoft.ContainerService/managedClusters"
POOL = "Microsoft.ContainerService/managedClusters/agentPools"
VNET = "Microsoft.Network/virtualNetworks"
VNET_BODY = {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}


@pytest.fixture
def env(make_client: Callable[..., Any], rg: str, local_cloud: LocalCloud) -> AksEnv:
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}))
    return make_env(make_client, rg)


def _failure(poller: Any) -> HttpResponseError:
    with pytest.raises(HttpResponseError) as exc:
        poller.result()
    return exc.value


@pytest.mark.parametrize("code", ["OverconstrainedAllocationRequest", "QuotaExceeded", "InternalServerError"])
def test_cluster_create_ends_failed_with_the_code(env: AksEnv, local_cloud: LocalCloud, code: str) -> None:
    rule = FaultRule.failed_operation(code, CLUSTER, resource="aks1", method="PUT")
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}, faults=(rule,)))
    body = cluster(env, [system_pool(env)])
    err = _failure(env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", body))
    assert err.status_code == 200 and err.error.code == code  # raised from the status monitor
    status = err.response.json()
    assert status["status"] == "Failed" and status["error"]["code"] == code and status["error"]["message"]
    assert env.aks.managed_clusters.get(env.rg, "aks1").provisioning_state == "Failed"
    assert env.aks.agent_pools.get(env.rg, "aks1", "system").provisioning_state == "Failed"
    again = env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", body).result()  # fired once only
    assert again.provisioning_state == "Succeeded"
    assert env.aks.agent_pools.get(env.rg, "aks1", "system").provisioning_state == "Succeeded"


def test_one_spot_pool_fails_twice_then_succeeds(env: AksEnv, local_cloud: LocalCloud) -> None:
    env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env, [system_pool(env)])).result()
    rule = FaultRule.failed_operation(
        "OverconstrainedAllocationRequest", POOL, resource="*/aks1/agentPools/spot", count=2
    )
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}, faults=(rule,)))
    pool = AgentPool(
        count=1,
        vm_size="Standard_D2s_v3",
        mode="User",
        scale_set_priority="Spot",
        type_properties_type="VirtualMachineScaleSets",
    )
    other = env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "spot2", pool).result()
    assert other.provisioning_state == "Succeeded"  # another resource of the same type: untouched
    for _ in range(2):
        err = _failure(env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "spot", pool))
        assert err.error.code == "OverconstrainedAllocationRequest"
        assert "Allocation failed" in str(err.error.message) and "Spot" in str(err.error.message)
        assert env.aks.agent_pools.get(env.rg, "aks1", "spot").provisioning_state == "Failed"
    third = env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "spot", pool).result()
    assert third.provisioning_state == "Succeeded" and third.count == 1


def test_the_rule_can_carry_its_own_message(
    rg: str, make_client: Callable[..., Any], local_cloud: LocalCloud
) -> None:
    net: NetworkManagementClient = make_client(NetworkManagementClient)
    rule = FaultRule.failed_operation("InternalServerError", VNET, resource="v1", message="Try again later.")
    local_cloud.set_settings(Settings(faults=(rule,)))
    err = _failure(net.virtual_networks.begin_create_or_update(rg, "v1", VNET_BODY))
    assert (err.error.code, err.error.message) == ("InternalServerError", "Try again later.")
    assert (
        net.virtual_networks.begin_create_or_update(rg, "v2", VNET_BODY).result().provisioning_state
        == "Succeeded"
    )


def test_request_faults_can_target_one_resource(
    rg: str, make_client: Callable[..., Any], local_cloud: LocalCloud
) -> None:
    net: NetworkManagementClient = make_client(NetworkManagementClient, retry_total=0)
    net.virtual_networks.begin_create_or_update(rg, "v1", VNET_BODY).result()
    net.virtual_networks.begin_create_or_update(rg, "v2", VNET_BODY).result()
    local_cloud.set_settings(
        Settings(faults=(FaultRule(FaultKind.UNAVAILABLE, VNET, "GET", resource="*/v2"),))
    )
    assert net.virtual_networks.get(rg, "v1").name == "v1"
    with pytest.raises(HttpResponseError) as exc:
        net.virtual_networks.get(rg, "v2")
    assert exc.value.status_code == 503


def _net(cloud: LocalCloud) -> NetworkManagementClient:
    return NetworkManagementClient(StaticToken(cloud.token), SUB, **client_kwargs(cloud))


def test_once_means_once_for_every_process_of_the_cloud(tmp_path: Path) -> None:
    state = tmp_path / "shared"
    Settings(faults=(FaultRule.failed_operation("InternalServerError", VNET, resource="v1"),)).save(state)
    with LocalCloud.start(state) as first:
        ResourceManagementClient(
            StaticToken(first.token), SUB, **client_kwargs(first)
        ).resource_groups.create_or_update("rg1", {"location": LOC})
        assert _failure(
            _net(first).virtual_networks.begin_create_or_update("rg1", "v1", VNET_BODY)
        ).error.code
    with LocalCloud.start(state) as second:  # a later process (e.g. `resume`): the fault has fired
        done = _net(second).virtual_networks.begin_create_or_update("rg1", "v1", VNET_BODY).result()
        assert done.provisioning_state == "Succeeded"
        Settings(
            faults=(FaultRule.failed_operation("InternalServerError", VNET, resource="v1"),), seed=1
        ).save(state)
        assert _failure(
            _net(second).virtual_networks.begin_create_or_update("rg1", "v1", VNET_BODY)
        ).error.code


def test_configure_writes_a_final_state_fault(tmp_path: Path) -> None:
    from emulator.cli import main

    spec = (
        "kind=lro_failure,type=Microsoft.ContainerService/managedClusters/agentPools,"
        "resource=*/aks-app1/agentPools/spot,code=OverconstrainedAllocationRequest,count=2,message=No Spot capacity."
    )
    assert main(["configure", "--dir", str(tmp_path), "--fault", spec]) == 0
    settings = Settings.load(tmp_path)
    assert settings is not None
    assert settings.faults == (
        FaultRule.failed_operation(
            "OverconstrainedAllocationRequest",
            POOL,
            resource="*/aks-app1/agentPools/spot",
            count=2,
            message="No Spot capacity.",
        ),
    )
