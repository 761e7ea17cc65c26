"""AKS rules: every refusal reaches the SDK as the same exception class + error code as real AKS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aks_testkit import AksEnv, cluster, make_env, spot_pool, system_pool
from arm_testkit import LOC
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerservice.models import AgentPool, AgentPoolUpgradeSettings

from emulator import LocalCloud, Settings
from emulator.settings import FaultKind, FaultRule


@pytest.fixture
def env(make_client: Callable[..., Any], rg: str, local_cloud: LocalCloud) -> AksEnv:
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}))
    return make_env(make_client, rg)


def _refused(env: AksEnv, body: Any, status: int, code: str) -> str:
    with pytest.raises(HttpResponseError) as exc:
        env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", body).result()
    assert (exc.value.status_code, exc.value.error.code) == (status, code), exc.value.message
    return str(exc.value.error.message)


CASES: dict[str, tuple[Callable[[AksEnv], Any], int, str]] = {
    "spot system pool": (
        lambda env: cluster(env, [system_pool(env, scale_set_priority="Spot")]),
        400,
        "InvalidParameter",
    ),
    "max surge on spot": (
        lambda env: cluster(
            env,
            [system_pool(env), spot_pool(env, upgrade_settings=AgentPoolUpgradeSettings(max_surge="33%"))],
        ),
        400,
        "InvalidParameter",
    ),
    "pool name too long": (
        lambda env: cluster(env, [system_pool(env, name="systempool123")]),
        400,
        "InvalidParameter",
    ),
    "pool name not lowercase": (
        lambda env: cluster(env, [system_pool(env, name="Sys")]),
        400,
        "InvalidParameter",
    ),
    "pool name starts with digit": (
        lambda env: cluster(env, [system_pool(env, name="1sys")]),
        400,
        "InvalidParameter",
    ),
    "no system pool": (lambda env: cluster(env, [spot_pool(env)]), 400, "MustDefineAtLeastOneSystemPool"),
    "system sku too low": (
        lambda env: cluster(env, [system_pool(env, vm_size="Standard_DS1_v2")]),
        400,
        "SystemPoolSkuTooLow",
    ),
    "service cidr overlaps subnet": (
        lambda env: cluster(env, service_cidr="10.1.0.0/16", dns_service_ip="10.1.0.10"),
        400,
        "ServiceCidrOverlapExistingSubnetsCidr",
    ),
    "pod cidr overlaps vnet": (
        lambda env: cluster(env, pod_cidr="10.1.128.0/20"),
        400,
        "NetworkProfileCIDROverlapVNET",
    ),
    "dns ip outside service cidr": (
        lambda env: cluster(env, dns_service_ip="172.17.0.10"),
        400,
        "InvalidParameter",
    ),
    "ephemeral disk larger than cache": (
        lambda env: cluster(env, [system_pool(env), spot_pool(env, os_disk_size_gb=64)]),
        400,
        "InvalidParameter",
    ),
    "autoscale count outside range": (
        lambda env: cluster(env, [system_pool(env), spot_pool(env, count=5)]),
        400,
        "InvalidParameter",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_cluster_rules(env: AksEnv, case: str) -> None:
    build, status, code = CASES[case]
    _refused(env, build(env), status, code)


def test_version_not_offered(env: AksEnv) -> None:
    body = cluster(env)
    body.kubernetes_version = "1.29.4"
    message = _refused(env, body, 400, "AgentPoolK8sVersionNotSupported")
    assert "is not supported in this region" in message


def test_restricted_sku(env: AksEnv, local_cloud: LocalCloud) -> None:
    quotas = {"lowPriorityCores": 10}
    local_cloud.set_settings(Settings(quotas=quotas, sku_restrictions={"Standard_D4s_v3": [LOC]}))
    _refused(env, cluster(env, [system_pool(env, vm_size="Standard_D4s_v3")]), 400, "SkuNotAvailable")


def test_missing_subnet_permission(make_client: Callable[..., Any], rg: str) -> None:
    env = make_env(make_client, rg, grant=False)
    message = _refused(env, cluster(env, [system_pool(env)]), 403, "LinkedAuthorizationFailed")
    assert env.principal_id in message and "subnets/join/action" in message


def test_spot_quota_fails_the_create_lro(
    make_client: Callable[..., Any], rg: str, local_cloud: LocalCloud
) -> None:
    env = make_env(make_client, rg)  # default lowPriorityCores quota: 3; two D2s_v3 Spot nodes need 4
    message = _refused(env, cluster(env), 200, "QuotaExceeded")
    assert "exceeding approved LowPriorityCores quota" in message
    assert env.aks.managed_clusters.get(env.rg, "aks1").provisioning_state == "Failed"
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 4}))
    mc = env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env)).result()
    assert mc.provisioning_state == "Succeeded"
    assert local_cloud.backend.quota.usage["lowPriorityCores"] == 4
    env.aks.agent_pools.begin_delete(env.rg, "aks1", "spot").result()
    assert local_cloud.backend.quota.usage["lowPriorityCores"] == 0


def test_regular_quota_message(env: AksEnv, local_cloud: LocalCloud) -> None:
    local_cloud.set_settings(Settings(quotas={"cores": 1}))
    message = _refused(env, cluster(env, [system_pool(env)]), 200, "QuotaExceeded")
    assert "Total Regional Cores" in message


def test_spot_capacity_fault_fails_the_pool(env: AksEnv, local_cloud: LocalCloud) -> None:
    env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env, [system_pool(env)])).result()
    rule = FaultRule(
        FaultKind.LRO_FAILURE,
        resource_type="Microsoft.ContainerService/managedClusters/agentPools",
        error_code="OverconstrainedAllocationRequest",
        count=1,
    )
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}, faults=(rule,)))
    pool = AgentPool(
        count=1,
        vm_size="Standard_D2s_v3",
        mode="User",
        scale_set_priority="Spot",
        type_properties_type="VirtualMachineScaleSets",
    )
    with pytest.raises(HttpResponseError) as exc:
        env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "spot", pool).result()
    assert exc.value.error.code == "OverconstrainedAllocationRequest"
    assert "Allocation failed" in str(exc.value.error.message)
    assert env.aks.agent_pools.get(env.rg, "aks1", "spot").provisioning_state == "Failed"
    retried = env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "spot", pool).result()
    assert retried.provisioning_state == "Succeeded" and retried.count == 1


def test_inline_spot_pool_capacity_fault(env: AksEnv, local_cloud: LocalCloud) -> None:
    rule = FaultRule(
        FaultKind.LRO_FAILURE,
        resource_type="Microsoft.ContainerService/managedClusters/agentPools",
        error_code="SkuNotAvailable",
        count=1,
    )
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}, faults=(rule,)))
    message = _refused(env, cluster(env), 200, "SkuNotAvailable")
    assert "Standard_D2s_v3" in message


def test_immutable_pool_fields(env: AksEnv) -> None:
    env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env)).result()
    pool = env.aks.agent_pools.get(env.rg, "aks1", "spot")
    pool.scale_set_priority = "Regular"
    with pytest.raises(HttpResponseError) as exc:
        env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "spot", pool)
    assert (exc.value.status_code, exc.value.error.code) == (400, "BadRequest")
    assert "ScaleSetPriority is immutable" in str(exc.value.error.message)
    pool = env.aks.agent_pools.get(env.rg, "aks1", "spot")
    pool.os_disk_size_gb = 40
    with pytest.raises(HttpResponseError) as exc:
        env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "spot", pool)
    assert exc.value.error.code == "PropertyChangeNotAllowed"
    mc = env.aks.managed_clusters.get(env.rg, "aks1")
    next(p for p in mc.agent_pool_profiles if p.name == "spot").spot_max_price = 0.05
    with pytest.raises(HttpResponseError) as exc:
        env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", mc)
    assert "SpotMaxPrice is immutable" in str(exc.value.error.message)


def test_pool_update_through_cluster_put_and_last_system_pool(env: AksEnv) -> None:
    env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env)).result()
    mc = env.aks.managed_clusters.get(env.rg, "aks1")
    next(p for p in mc.agent_pool_profiles if p.name == "system").count = 2
    env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", mc).result()
    assert env.aks.agent_pools.get(env.rg, "aks1", "system").count == 2
    with pytest.raises(HttpResponseError) as exc:
        env.aks.agent_pools.begin_delete(env.rg, "aks1", "system")
    assert exc.value.status_code == 400 and exc.value.error.code == "OperationNotAllowed"
