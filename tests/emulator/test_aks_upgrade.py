"""AKS versions, upgrades and the autoscaler-owned count across client PUTs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aks_testkit import AksEnv, cluster, kube_client, make_env
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from kubernetes import client as kclient

from emulator import LocalCloud, Settings
from emulator.arm.errors import ArmError
from emulator.arm.providers import aks_ops


@pytest.fixture
def env(make_client: Callable[..., Any], rg: str, local_cloud: LocalCloud) -> AksEnv:
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}))
    made = make_env(make_client, rg)
    made.aks.managed_clusters.begin_create_or_update(rg, "aks1", cluster(made)).result()
    return made


def test_upgrade_follows_in_kube_and_downgrade_is_refused(env: AksEnv) -> None:
    profile = env.aks.managed_clusters.get_upgrade_profile(env.rg, "aks1")
    offered = [u.kubernetes_version for u in profile.control_plane_profile.upgrades]
    assert offered == ["1.34.0", "1.34.1"]
    mc = env.aks.managed_clusters.get(env.rg, "aks1")
    mc.kubernetes_version = "1.34.1"
    upgraded = env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", mc).result()
    assert upgraded.current_kubernetes_version == "1.34.1"
    version = kclient.VersionApi(kube_client(env, "aks1")).get_code()
    assert version.git_version.startswith("v1.34.1")
    mc.kubernetes_version = "1.33.3"
    with pytest.raises(HttpResponseError) as exc:
        env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", mc)
    assert (exc.value.status_code, exc.value.error.code) == (400, "OperationNotAllowed")
    assert "Downgrading Kubernetes version 1.34.1 to 1.33.3" in str(exc.value.error.message)


def test_client_put_keeps_the_autoscaled_count(env: AksEnv, local_cloud: LocalCloud) -> None:
    pool_id = env.aks.agent_pools.get(env.rg, "aks1", "spot").id
    url = f"{local_cloud.arm_url}{pool_id}/simulateAutoscale"
    env.aks.send_request(HttpRequest("POST", url, params={"api-version": "2026-08-01", "count": "3"}))
    # the product re-applies its desired state (count 2 from config): the live count stays 3
    env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env)).result()
    assert env.aks.agent_pools.get(env.rg, "aks1", "spot").count == 3
    pool = env.aks.agent_pools.get(env.rg, "aks1", "spot")
    pool.max_count = 2
    env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "spot", pool).result()
    assert env.aks.agent_pools.get(env.rg, "aks1", "spot").count == 2
    assert len(kclient.CoreV1Api(kube_client(env, "aks1")).list_node().items) == 3
    assert local_cloud.backend.quota.usage["lowPriorityCores"] == 4


def test_update_tags_and_agent_pool_scale(env: AksEnv) -> None:
    tagged = env.aks.managed_clusters.begin_update_tags(env.rg, "aks1", {"tags": {"env": "dev"}}).result()
    assert tagged.tags == {"env": "dev"}
    pool = env.aks.agent_pools.get(env.rg, "aks1", "system")
    pool.count = 3
    env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "system", pool).result()
    nodes = kclient.CoreV1Api(kube_client(env, "aks1")).list_node().items
    assert sum(1 for n in nodes if n.metadata.labels["agentpool"] == "system") == 3
    pool.count = 1
    env.aks.agent_pools.begin_create_or_update(env.rg, "aks1", "system", pool).result()
    nodes = kclient.CoreV1Api(kube_client(env, "aks1")).list_node().items
    assert sum(1 for n in nodes if n.metadata.labels["agentpool"] == "system") == 1


def test_python_autoscaler_api(env: AksEnv, local_cloud: LocalCloud) -> None:
    pool_id = env.aks.agent_pools.get(env.rg, "aks1", "spot").id
    shown = aks_ops.autoscale(local_cloud.backend, pool_id, 1)
    assert shown["properties"]["count"] == 1
    assert env.aks.agent_pools.get(env.rg, "aks1", "spot").count == 1
    assert len(kclient.CoreV1Api(kube_client(env, "aks1")).list_node().items) == 2
    assert local_cloud.backend.quota.usage["lowPriorityCores"] == 2
    system_id = env.aks.agent_pools.get(env.rg, "aks1", "system").id
    with pytest.raises(ArmError) as exc:
        aks_ops.autoscale(local_cloud.backend, system_id, 2)
    assert exc.value.code == "OperationNotAllowed"
