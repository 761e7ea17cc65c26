"""AKS provider end to end: real SDK clients over HTTPS, the real kubernetes client through the
kubeconfig that listClusterAdminCredential returns. No mocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from aks_testkit import CNI_DAEMONSET, AksEnv, cluster, kube_client, make_env, spot_pool, system_pool
from arm_testkit import LOC, SUB, StaticToken, client_kwargs
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.rest import HttpRequest
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.resource.resources import ResourceManagementClient
from kubernetes import client as kclient
from kubernetes.client.exceptions import ApiException

from emulator import LocalCloud, Settings

SPOT_LABEL = "kubernetes.azure.com/scalesetpriority"
API = "2026-08-01"


@pytest.fixture
def env(make_client: Callable[..., Any], rg: str, local_cloud: LocalCloud) -> AksEnv:
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}))
    return make_env(make_client, rg)


@pytest.fixture
def aks1(env: AksEnv) -> str:
    env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env)).result()
    return "aks1"


def _nodes(api: kclient.ApiClient) -> list[Any]:
    return list(kclient.CoreV1Api(api).list_node().items)


def _ready(node: Any) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in node.status.conditions or [])


def test_create_fills_aks_defaults(env: AksEnv, aks1: str) -> None:
    mc = env.aks.managed_clusters.get(env.rg, aks1)
    assert mc.provisioning_state == "Succeeded" and mc.power_state.code == "Running"
    assert mc.fqdn.startswith("aks1-") and mc.fqdn.endswith(".hcp.koreacentral.azmk8s.io")
    assert mc.azure_portal_fqdn.endswith(".portal.hcp.koreacentral.azmk8s.io")
    assert mc.node_resource_group == f"MC_{env.rg}_aks1_{LOC}"
    assert mc.current_kubernetes_version == "1.33.3" and mc.kubernetes_version == "1.33"
    assert mc.oidc_issuer_profile.issuer_url.startswith("https://koreacentral.oic.prod-aks.azure.com/")
    assert mc.identity_profile["kubeletidentity"].client_id
    net = mc.network_profile
    assert (net.load_balancer_sku, net.outbound_type, net.ip_families) == (
        "Standard",  # AKS's spelling, though the request (and az) send "standard"
        "loadBalancer",
        ["IPv4"],
    )
    assert net.load_balancer_profile.managed_outbound_i_ps.count == 1
    pools = {p.name: p for p in mc.agent_pool_profiles}
    system, spot = pools["system"], pools["spot"]
    assert (system.os_disk_type, system.os_disk_size_gb, system.max_pods) == ("Managed", 128, 110)
    assert (system.os_type, system.os_sku, system.type, system.mode) == (
        "Linux",
        "Ubuntu",
        "VirtualMachineScaleSets",
        "System",
    )
    assert system.orchestrator_version == "1.33" and system.current_orchestrator_version == "1.33.3"
    assert (spot.os_disk_type, spot.os_disk_size_gb) == ("Ephemeral", 30)
    assert spot.scale_set_eviction_policy == "Delete" and spot.spot_max_price == -1
    assert spot.node_labels[SPOT_LABEL] == "spot" and f"{SPOT_LABEL}=spot:NoSchedule" in spot.node_taints
    ap = env.aks.agent_pools.get(env.rg, aks1, "spot")
    assert ap.type_properties_type == "VirtualMachineScaleSets" and ap.count == 2
    assert sorted(p.name for p in env.aks.agent_pools.list(env.rg, aks1)) == ["spot", "system"]
    versions = env.aks.managed_clusters.list_kubernetes_versions(LOC)
    assert [v.version for v in versions.values_property] == ["1.31", "1.32", "1.33", "1.34"]


def test_node_resource_group_vmss_and_vms(env: AksEnv, aks1: str, make_client: Callable[..., Any]) -> None:
    node_rg = f"MC_{env.rg}_aks1_{LOC}"
    rgs = make_client(ResourceManagementClient)
    assert rgs.resource_groups.get(node_rg).tags["aks-managed-cluster-name"] == "aks1"
    sets = {s.tags["aks-managed-poolName"]: s for s in env.compute.virtual_machine_scale_sets.list(node_rg)}
    spot = sets["spot"]
    assert (
        spot.name.startswith("aks-spot-")
        and spot.name.endswith("-vmss")
        and len(spot.name) == len("aks-spot-12345678-vmss")
    )
    assert spot.sku.capacity == 2 and spot.virtual_machine_profile.priority == "Spot"
    assert spot.virtual_machine_profile.eviction_policy == "Delete"
    assert spot.virtual_machine_profile.billing_profile.max_price == -1
    disk = spot.virtual_machine_profile.storage_profile.os_disk
    assert disk.diff_disk_settings.option == "Local" and disk.disk_size_gb == 30
    assert sets["system"].virtual_machine_profile.priority == "Regular"
    vms = list(env.compute.virtual_machine_scale_set_vms.list(node_rg, spot.name))
    assert [vm.instance_id for vm in vms] == ["0", "1"]
    assert vms[0].os_profile.computer_name == f"{spot.name}000000"
    one = env.compute.virtual_machine_scale_set_vms.get(node_rg, spot.name, "1")
    assert one.os_profile.computer_name == f"{spot.name}000001"


def test_kube_api_nodes_ready_after_cni_and_spot_taints(env: AksEnv, aks1: str) -> None:
    api = kube_client(env, aks1)
    assert api.configuration.host.endswith("/k8s/" + api.configuration.host.rsplit("/", 1)[1])
    nodes = _nodes(api)
    assert len(nodes) == 3 and not any(_ready(n) for n in nodes)
    spot = [n for n in nodes if n.metadata.labels.get(SPOT_LABEL) == "spot"]
    assert len(spot) == 2
    assert all(any(t.key == SPOT_LABEL and t.effect == "NoSchedule" for t in n.spec.taints) for n in spot)
    kclient.AppsV1Api(api).create_namespaced_daemon_set("kube-system", CNI_DAEMONSET)
    assert all(_ready(n) for n in _nodes(api))


def test_credentials_shape_and_local_accounts(env: AksEnv, aks1: str, local_cloud: LocalCloud) -> None:
    creds = env.aks.managed_clusters.list_cluster_admin_credentials(env.rg, aks1)
    assert creds.kubeconfigs[0].name == "clusterAdmin"
    config = yaml.safe_load(creds.kubeconfigs[0].value)
    server = config["clusters"][0]["cluster"]["server"]
    assert server.startswith(f"{local_cloud.arm_url}/k8s/")
    assert config["users"][0]["user"]["token"] != local_cloud.token
    user = env.aks.managed_clusters.list_cluster_user_credentials(env.rg, aks1)
    assert user.kubeconfigs[0].name == "clusterUser"
    mc = env.aks.managed_clusters.get(env.rg, aks1)
    mc.disable_local_accounts = True
    env.aks.managed_clusters.begin_create_or_update(env.rg, aks1, mc).result()
    with pytest.raises(HttpResponseError) as exc:
        env.aks.managed_clusters.list_cluster_admin_credentials(env.rg, aks1)
    assert exc.value.status_code == 400 and exc.value.error.code == "BadRequest"


def test_eviction_removes_node_and_autoscaler_replaces_below_min(env: AksEnv, aks1: str) -> None:
    node_rg = f"MC_{env.rg}_aks1_{LOC}"
    api = kube_client(env, aks1)
    spot_set = next(s for s in env.compute.virtual_machine_scale_sets.list(node_rg) if "spot" in s.name)
    vms = env.compute.virtual_machine_scale_set_vms
    vms.simulate_eviction(node_rg, spot_set.name, "0")
    names = {n.metadata.name for n in _nodes(api)}
    assert f"{spot_set.name}000000" not in names and len(names) == 2
    assert env.aks.agent_pools.get(env.rg, aks1, "spot").count == 1
    vms.begin_delete(node_rg, spot_set.name, "1").result()
    # count 0 < minCount 1: the autoscaler adds a node (after ~90 s scaled: time_scale 0 -> next request)
    env.aks.managed_clusters.get(env.rg, aks1)
    assert env.aks.agent_pools.get(env.rg, aks1, "spot").count == 1
    assert [v.instance_id for v in vms.list(node_rg, spot_set.name)] == ["2"]
    assert f"{spot_set.name}000002" in {n.metadata.name for n in _nodes(api)}
    system_set = next(s for s in env.compute.virtual_machine_scale_sets.list(node_rg) if "system" in s.name)
    with pytest.raises(HttpResponseError) as exc:
        vms.simulate_eviction(node_rg, system_set.name, "0")
    assert exc.value.status_code == 409 and exc.value.error.code == "OperationNotAllowed"


def test_autoscaler_moves_count_without_client_write(env: AksEnv, aks1: str, local_cloud: LocalCloud) -> None:
    pool_id = env.aks.agent_pools.get(env.rg, aks1, "spot").id
    puts = local_cloud.request_total("PUT")
    url = f"{local_cloud.arm_url}{pool_id}/simulateAutoscale"
    response = env.aks.send_request(HttpRequest("POST", url, params={"api-version": API, "count": "3"}))
    assert response.status_code == 200 and response.json()["properties"]["count"] == 3
    assert local_cloud.request_total("PUT") == puts
    assert env.aks.agent_pools.get(env.rg, aks1, "spot").count == 3
    assert len(_nodes(kube_client(env, aks1))) == 4
    too_many = env.aks.send_request(HttpRequest("POST", url, params={"api-version": API, "count": "9"}))
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "InvalidParameter"


def test_stop_start(env: AksEnv, aks1: str, local_cloud: LocalCloud) -> None:
    api = kube_client(env, aks1, retries=False)
    env.aks.managed_clusters.begin_stop(env.rg, aks1).result()
    mc = env.aks.managed_clusters.get(env.rg, aks1)
    assert mc.power_state.code == "Stopped" and mc.provisioning_state == "Succeeded"
    assert local_cloud.backend.quota.usage.get("lowPriorityCores") == 0
    with pytest.raises(ApiException) as kexc:
        kclient.CoreV1Api(api).list_node()
    assert kexc.value.status == 503
    with pytest.raises(HttpResponseError) as exc:
        env.aks.managed_clusters.begin_create_or_update(env.rg, aks1, mc)
    assert exc.value.status_code == 409 and exc.value.error.code == "OperationNotAllowed"
    env.aks.managed_clusters.list_cluster_admin_credentials(env.rg, aks1)
    env.aks.managed_clusters.begin_start(env.rg, aks1).result()
    assert env.aks.managed_clusters.get(env.rg, aks1).power_state.code == "Running"
    assert len(_nodes(api)) == 3
    assert local_cloud.backend.quota.usage.get("lowPriorityCores") == 4


def test_delete_removes_node_rg_and_releases_quota(
    env: AksEnv, aks1: str, local_cloud: LocalCloud, make_client: Callable[..., Any]
) -> None:
    env.aks.managed_clusters.begin_delete(env.rg, aks1).result()
    rgs = make_client(ResourceManagementClient)
    assert not rgs.resource_groups.check_existence(f"MC_{env.rg}_aks1_{LOC}")
    usage = local_cloud.backend.quota.usage
    assert usage.get("lowPriorityCores") == 0 and usage.get("cores") == 0


def test_cluster_survives_restart(tmp_path: Path) -> None:
    state = tmp_path / "cloud"
    settings = Settings(quotas={"lowPriorityCores": 10})
    with LocalCloud.start(state, settings) as first:
        env = _env_for(first)
        env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env)).result()
        kclient.CoreV1Api(kube_client(env, "aks1")).create_namespace({"metadata": {"name": "keep"}})
    with LocalCloud.start(state, settings) as second:
        aks = ContainerServiceClient(StaticToken(second.token), SUB, **client_kwargs(second))
        env.aks = aks
        core = kclient.CoreV1Api(kube_client(env, "aks1"))
        assert "keep" in {ns.metadata.name for ns in core.list_namespace().items}
        assert len(core.list_node().items) == 3
        assert aks.managed_clusters.get("rg1", "aks1").power_state.code == "Running"


def test_write_while_an_operation_runs_is_refused(tmp_path: Path) -> None:
    with LocalCloud.start(
        tmp_path / "c", Settings(time_scale=0.005, quotas={"lowPriorityCores": 10})
    ) as cloud:
        env = _env_for(cloud)
        poller = env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env))
        with pytest.raises(HttpResponseError) as exc:
            env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env))
        assert exc.value.status_code == 409 and exc.value.error.code == "OperationNotAllowed"
        assert "in progress" in exc.value.error.message
        with pytest.raises(HttpResponseError) as exc:
            env.aks.agent_pools.begin_delete(env.rg, "aks1", "spot")
        assert exc.value.status_code == 409 and exc.value.error.code == "OperationNotAllowed"
        assert poller.status() == "InProgress"
        delete = env.aks.managed_clusters.begin_delete(env.rg, "aks1")  # a delete pre-empts the create
        delete.result(timeout=60)  # bounded: the pre-empted create's poller is still polling beside it
        assert delete.done()
        with pytest.raises(HttpResponseError) as cancelled:  # the create it pre-empted ends Canceled
            poller.result(timeout=60)
        assert cancelled.value.error.code == "OperationCanceled"
        with pytest.raises(ResourceNotFoundError):
            env.aks.managed_clusters.get(env.rg, "aks1")
        assert cloud.resources("Microsoft.Compute/virtualMachineScaleSets") == []


def _env_for(cloud: LocalCloud) -> AksEnv:
    def factory(cls: Callable[..., Any], **extra: Any) -> Any:
        return cls(StaticToken(cloud.token), SUB, **client_kwargs(cloud, **extra))

    factory(ResourceManagementClient).resource_groups.create_or_update("rg1", {"location": LOC})
    return make_env(factory, "rg1")


def test_deallocate_eviction_keeps_the_vm_and_its_quota(env: AksEnv, local_cloud: LocalCloud) -> None:
    pools = [system_pool(env), spot_pool(env, scale_set_eviction_policy="Deallocate")]
    env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", cluster(env, pools)).result()
    node_rg = f"MC_{env.rg}_aks1_{LOC}"
    spot_set = next(s for s in env.compute.virtual_machine_scale_sets.list(node_rg) if "spot" in s.name)
    vms = env.compute.virtual_machine_scale_set_vms
    running = vms.get_instance_view(node_rg, spot_set.name, "0")
    assert [s.code for s in running.statuses][-1] == "PowerState/running"
    vms.simulate_eviction(node_rg, spot_set.name, "0")
    view = vms.get_instance_view(node_rg, spot_set.name, "0")
    assert [s.code for s in view.statuses][-1] == "PowerState/deallocated"
    assert len(_nodes(kube_client(env, "aks1"))) == 2
    assert local_cloud.backend.quota.usage["lowPriorityCores"] == 4


def test_two_emulators_on_one_state_dir_share_the_kube_api(tmp_path: Path) -> None:
    state = tmp_path / "cloud"
    settings = Settings(quotas={"lowPriorityCores": 10})
    with LocalCloud.start(state, settings) as a, LocalCloud.start(state, settings) as b:
        env_a = _env_for(a)
        env_a.aks.managed_clusters.begin_create_or_update(env_a.rg, "aks1", cluster(env_a)).result()
        env_b = AksEnv(
            **{**env_a.__dict__, "aks": ContainerServiceClient(StaticToken(b.token), SUB, **client_kwargs(b))}
        )
        kclient.CoreV1Api(kube_client(env_b, "aks1")).create_namespace({"metadata": {"name": "from-b"}})
        names = {
            ns.metadata.name for ns in kclient.CoreV1Api(kube_client(env_a, "aks1")).list_namespace().items
        }
        assert "from-b" in names
