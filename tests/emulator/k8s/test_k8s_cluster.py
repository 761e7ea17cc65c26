"""Simulated cluster behaviour: BYO CNI readiness, scheduling on spot nodes, PDB evictions, node loss."""

from __future__ import annotations

import json

import pytest
from kube_testkit import SPOT_TOLERATION, TOKEN, Kube, deployment, install_cni, pods, ready_nodes
from kubernetes import client
from kubernetes.client import ApiException

from emulator.k8s import KubeCluster


def test_byo_cni_nodes_not_ready_until_cni_daemonset(kube: Kube) -> None:
    kube.add_nodes(system=1, spot=2)
    assert ready_nodes(kube) == {"aks-system-0": False, "aks-spot-0": False, "aks-spot-1": False}
    node = kube.core.read_node("aks-spot-0")
    ready = next(c for c in node.status.conditions if c.type == "Ready")
    assert ready.reason == "NetworkPluginNotReady"
    assert node.metadata.labels["kubernetes.azure.com/scalesetpriority"] == "spot"
    assert node.metadata.labels["kubernetes.azure.com/mode"] == "user"
    assert node.metadata.labels["kubernetes.azure.com/agentpool"] == "spot"
    assert node.status.allocatable["cpu"] == "1900m"
    taints = {(t.key, t.effect) for t in node.spec.taints}
    assert ("kubernetes.azure.com/scalesetpriority", "NoSchedule") in taints
    assert ("node.kubernetes.io/not-ready", "NoSchedule") in taints

    kube.apps.create_namespaced_deployment("default", deployment("early", 1))
    (pending,) = pods(kube, "app=early")
    assert pending.status.phase == "Pending"
    scheduled = next(c for c in pending.status.conditions if c.type == "PodScheduled")
    assert (scheduled.status, scheduled.reason) == ("False", "Unschedulable")

    coredns = kube.apps.read_namespaced_deployment("coredns", "kube-system")
    assert not coredns.status.ready_replicas
    kube_proxy = kube.apps.read_namespaced_daemon_set("kube-proxy", "kube-system")
    assert kube_proxy.status.number_ready == 3  # hostNetwork pods run without a CNI

    install_cni(kube)
    assert set(ready_nodes(kube).values()) == {True}
    coredns = kube.apps.read_namespaced_deployment("coredns", "kube-system")
    assert coredns.status.ready_replicas == 2
    dns_pods = kube.core.list_namespaced_pod("kube-system", label_selector="k8s-app=kube-dns").items
    assert {p.spec.node_name for p in dns_pods} == {"aks-system-0"}  # AKS system pods avoid spot nodes
    ds = kube.apps.read_namespaced_daemon_set("cilium", "kube-system")
    assert (ds.status.desired_number_scheduled, ds.status.number_ready) == (3, 3)
    (running,) = pods(kube, "app=early")
    assert running.status.phase == "Running" and running.spec.node_name == "aks-system-0"
    assert running.status.container_statuses[0].ready


def test_spot_toleration_alone_does_not_pin_to_spot(kube: Kube) -> None:
    kube.add_nodes(system=1, spot=2)
    install_cni(kube)
    for spot in ("aks-spot-0", "aks-spot-1"):
        kube.core.patch_node(spot, {"spec": {"unschedulable": True}})
    kube.apps.create_namespaced_deployment(
        "default", deployment("anywhere", 2, tolerations=[SPOT_TOLERATION])
    )
    assert {p.spec.node_name for p in pods(kube, "app=anywhere")} == {"aks-system-0"}
    for spot in ("aks-spot-0", "aks-spot-1"):
        kube.core.patch_node(spot, {"spec": {"unschedulable": False}})

    selector = {"kubernetes.azure.com/scalesetpriority": "spot"}
    kube.apps.create_namespaced_deployment(
        "default", deployment("spot", 4, tolerations=[SPOT_TOLERATION], nodeSelector=selector)
    )
    assert {p.spec.node_name for p in pods(kube, "app=spot")} == {"aks-spot-0", "aks-spot-1"}
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.azure.com/scalesetpriority", "operator": "DoesNotExist"}
                        ]
                    }
                ]
            }
        }
    }
    kube.apps.create_namespaced_deployment("default", deployment("regular", 2, affinity=affinity))
    assert {p.spec.node_name for p in pods(kube, "app=regular")} == {"aks-system-0"}
    kube.apps.create_namespaced_deployment("default", deployment("untolerated", 1, nodeSelector=selector))
    (stuck,) = pods(kube, "app=untolerated")
    assert stuck.status.phase == "Pending"
    dep = kube.apps.read_namespaced_deployment("spot", "default")
    assert (dep.status.replicas, dep.status.ready_replicas, dep.status.available_replicas) == (4, 4, 4)
    assert {c.type: c.status for c in dep.status.conditions} == {"Available": "True", "Progressing": "True"}


def test_eviction_respects_pod_disruption_budget(kube: Kube) -> None:
    kube.add_nodes(system=1, user=1)
    install_cni(kube)
    kube.apps.create_namespaced_deployment("default", deployment("web", 2))
    policy = client.PolicyV1Api(kube.api)
    policy.create_namespaced_pod_disruption_budget(
        "default",
        client.V1PodDisruptionBudget(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1PodDisruptionBudgetSpec(min_available=2, selector={"matchLabels": {"app": "web"}}),
        ),
    )
    pdb = policy.read_namespaced_pod_disruption_budget("web", "default")
    assert (pdb.status.current_healthy, pdb.status.desired_healthy, pdb.status.disruptions_allowed) == (
        2,
        2,
        0,
    )
    victim = pods(kube, "app=web")[0].metadata.name
    eviction = client.V1Eviction(metadata=client.V1ObjectMeta(name=victim, namespace="default"))
    with pytest.raises(ApiException) as err:
        kube.core.create_namespaced_pod_eviction(victim, "default", eviction)
    assert err.value.status == 429

    policy.patch_namespaced_pod_disruption_budget("web", "default", {"spec": {"minAvailable": "50%"}})
    assert policy.read_namespaced_pod_disruption_budget("web", "default").status.disruptions_allowed == 1
    kube.core.create_namespaced_pod_eviction(victim, "default", eviction)
    names = {p.metadata.name for p in pods(kube, "app=web")}
    assert victim not in names and len(names) == 2
    with pytest.raises(ApiException) as missing:
        kube.core.create_namespaced_pod_eviction(victim, "default", eviction)
    assert missing.value.status == 404


def test_remove_node_reschedules_and_cordon_is_respected(kube: Kube) -> None:
    kube.add_nodes(system=1, user=1)
    install_cni(kube)
    kube.core.patch_node("aks-system-0", {"spec": {"unschedulable": True}})
    kube.apps.create_namespaced_deployment("default", deployment("web", 2))
    assert {p.spec.node_name for p in pods(kube, "app=web")} == {"aks-user-0"}
    kube.core.patch_node("aks-system-0", {"spec": {"unschedulable": False}})

    kube.cluster.remove_node("aks-user-0")
    assert kube.cluster.node_names() == ["aks-system-0"]
    running = pods(kube, "app=web")
    assert len(running) == 2 and {p.spec.node_name for p in running} == {"aks-system-0"}
    kube.cluster.remove_node("aks-system-0")
    running = pods(kube, "app=web")
    assert len(running) == 2 and {p.status.phase for p in running} == {"Pending"}
    ds = kube.apps.read_namespaced_daemon_set("cilium", "kube-system")
    assert ds.status.desired_number_scheduled == 0


def test_statefulset_ordinals_and_scale(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    body = deployment("db", 3)
    body.update(kind="StatefulSet")
    body["spec"]["serviceName"] = "db"
    kube.apps.create_namespaced_stateful_set("default", body)
    assert sorted(p.metadata.name for p in pods(kube, "app=db")) == ["db-0", "db-1", "db-2"]
    kube.apps.patch_namespaced_stateful_set_scale("db", "default", {"spec": {"replicas": 1}})
    assert [p.metadata.name for p in pods(kube, "app=db")] == ["db-0"]
    assert kube.apps.read_namespaced_stateful_set("db", "default").status.ready_replicas == 1


def test_persistence_round_trip_and_power(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    kube.apps.create_namespaced_deployment("default", deployment("web", 1))
    restored = KubeCluster.from_json(json.loads(json.dumps(kube.cluster.to_json())))
    assert restored.node_names() == ["aks-system-0"]
    resp = restored.handle(
        "GET",
        "/apis/apps/v1/namespaces/default/deployments/web",
        {},
        {"Authorization": f"Bearer {TOKEN}"},
        b"",
    )
    assert resp.status == 200 and b'"readyReplicas": 1' in resp.body
    restored.set_powered(False)
    assert restored.handle("GET", "/version", {}, {"Authorization": f"Bearer {TOKEN}"}, b"").status == 503
    restored.set_powered(True)
    restored.set_kubernetes_version("1.34.1")
    version = restored.handle("GET", "/version", {}, {"Authorization": f"Bearer {TOKEN}"}, b"")
    assert json.loads(version.body)["gitVersion"] == "v1.34.1"
    node = restored.handle("GET", "/api/v1/nodes/aks-system-0", {}, {"Authorization": f"Bearer {TOKEN}"}, b"")
    assert json.loads(node.body)["status"]["nodeInfo"]["kubeletVersion"] == "v1.34.1"
    assert restored.handle("GET", "/version", {}, {"Authorization": f"Bearer {TOKEN}"}, b"").status == 200


def test_spot_drain_scenario(kube: Kube) -> None:
    """Cordon, evict under a PDB, rescheduling onto the remaining spot node, then the VM goes away."""
    kube.add_nodes(system=1, spot=2)
    install_cni(kube)
    selector = {"kubernetes.azure.com/scalesetpriority": "spot"}
    kube.apps.create_namespaced_deployment(
        "default", deployment("app", 2, tolerations=[SPOT_TOLERATION], nodeSelector=selector)
    )
    client.PolicyV1Api(kube.api).create_namespaced_pod_disruption_budget(
        "default",
        client.V1PodDisruptionBudget(
            metadata=client.V1ObjectMeta(name="app"),
            spec=client.V1PodDisruptionBudgetSpec(min_available=1, selector={"matchLabels": {"app": "app"}}),
        ),
    )
    kube.core.patch_node("aks-spot-0", {"spec": {"unschedulable": True}})
    on_node = kube.core.list_pod_for_all_namespaces(field_selector="spec.nodeName=aks-spot-0").items
    evictable = [p for p in on_node if p.metadata.owner_references[0].kind != "DaemonSet"]
    assert [p.metadata.labels.get("app") for p in evictable] == ["app"]
    for pod in evictable:
        body = client.V1Eviction(
            metadata=client.V1ObjectMeta(name=pod.metadata.name, namespace=pod.metadata.namespace)
        )
        kube.core.create_namespaced_pod_eviction(pod.metadata.name, pod.metadata.namespace, body)
    assert {p.spec.node_name for p in pods(kube, "app=app")} == {"aks-spot-1"}
    kube.cluster.remove_node("aks-spot-0")
    dep = kube.apps.read_namespaced_deployment("app", "default")
    assert dep.status.ready_replicas == 2
    reasons = {e.reason for e in kube.core.list_namespaced_event("default").items}
    assert {"Scheduled", "SuccessfulCreate", "Killing"} <= reasons


def test_stopped_cluster_answers_503_through_the_client(kube: Kube) -> None:
    kube.cluster.set_powered(False)
    with pytest.raises(ApiException) as err:
        kube.core.list_namespace()
    assert err.value.status == 503
    kube.cluster.set_powered(True)
    assert kube.core.list_namespace().items


def test_pod_anti_affinity_and_preferred_node_affinity(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    anti = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "op"}}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    kube.apps.create_namespaced_deployment("default", deployment("op", 2, affinity=anti))
    phases = sorted(p.status.phase for p in pods(kube, "app=op"))
    assert phases == ["Pending", "Running"]
    pending = next(p for p in pods(kube, "app=op") if p.status.phase == "Pending")
    assert "didn't match pod anti-affinity rules" in pending.status.conditions[0].message
    kube.cluster.add_node("aks-system-1", pool="system", mode="System", spot=False, vm_size="Standard_D2s_v3")
    assert {p.spec.node_name for p in pods(kube, "app=op")} == {"aks-system-0", "aks-system-1"}

    kube.add_nodes(system=0, spot=1)
    prefer_spot = {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "preference": {
                        "matchExpressions": [
                            {
                                "key": "kubernetes.azure.com/scalesetpriority",
                                "operator": "In",
                                "values": ["spot"],
                            }
                        ]
                    },
                }
            ]
        }
    }
    kube.apps.create_namespaced_deployment(
        "default", deployment("cheap", 3, tolerations=[SPOT_TOLERATION], affinity=prefer_spot)
    )
    assert {p.spec.node_name for p in pods(kube, "app=cheap")} == {"aks-spot-0"}
