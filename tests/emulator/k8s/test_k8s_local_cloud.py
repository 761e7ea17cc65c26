"""The clusters of a real LocalCloud: own files, watches through its HTTPS server, restarts, migration."""

from __future__ import annotations

import json
import queue
import threading
import time
from pathlib import Path

from aks_testkit import CNI_DAEMONSET
from cloud_kit import SETTINGS, create_aks, reattach
from kubernetes import client, watch

from emulator import LocalCloud
from emulator.arm.providers import aks_kube
from emulator.k8s import KubeCluster

OPERATOR = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "cilium-operator",
        "namespace": "kube-system",
        "labels": {"io.cilium/app": "operator"},
    },
    "spec": {
        "selector": {"matchLabels": {"io.cilium/app": "operator"}},
        "template": {
            "metadata": {"labels": {"io.cilium/app": "operator"}},
            "spec": {
                "hostNetwork": True,
                "tolerations": [{"operator": "Exists"}],
                "containers": [{"name": "operator", "image": "quay.io/cilium/operator-generic:v1.18.0"}],
            },
        },
    },
}


def _crd_names(api: client.ApiClient) -> set[str]:
    return {c.metadata.name for c in client.ApiextensionsV1Api(api).list_custom_resource_definition().items}


def test_objects_live_in_the_clusters_own_file_and_controller_kinds_persist(tmp_path: Path) -> None:
    state = tmp_path / "cloud"
    with LocalCloud.start(state, SETTINGS) as first:
        aks = create_aks(first)
        core = client.CoreV1Api(aks.api())
        core.create_namespace({"metadata": {"name": "keep"}})
        aks_kube.update_kube(first.backend, aks.id, lambda kube: kube.disable_controller("cilium-operator"))
        key = aks.key()
    assert (state / "k8s" / f"{key}.sqlite").is_file()
    assert (
        "kube-root-ca.crt" not in (state / "arm-state.json").read_text()
    )  # objects are not in the ARM state
    with LocalCloud.start(state, SETTINGS) as second:
        api = reattach(aks, second).api()
        assert "keep" in {ns.metadata.name for ns in client.CoreV1Api(api).list_namespace().items}
        apps = client.AppsV1Api(api)
        apps.create_namespaced_daemon_set("kube-system", CNI_DAEMONSET)
        apps.create_namespaced_deployment("kube-system", OPERATOR)
        assert _crd_names(api) == set()  # the operator model stays off in this later process
        aks_kube.update_kube(second.backend, aks.id, lambda kube: kube.enable_controller("cilium-operator"))
    with LocalCloud.start(state, SETTINGS) as third:
        api = reattach(aks, third).api()
        extensions = client.ApiextensionsV1Api(api)
        extensions.delete_custom_resource_definition("ciliumnetworkpolicies.cilium.io")
        assert "ciliumnetworkpolicies.cilium.io" in _crd_names(api)  # registered again, in this process


def test_a_watch_through_the_https_server_streams_and_ends_when_the_cloud_stops(tmp_path: Path) -> None:
    cloud = LocalCloud.start(tmp_path / "cloud", SETTINGS)
    aks = create_aks(cloud)
    core = client.CoreV1Api(aks.api())
    events: queue.Queue[tuple[str, str] | None] = queue.Queue()

    def read() -> None:
        stream = watch.Watch().stream(core.list_namespace, timeout_seconds=120)  # type: ignore[no-untyped-call]
        for event in stream:
            events.put((event["type"], event["object"].metadata.name))
        events.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    writer = client.CoreV1Api(aks.api())
    writer.create_namespace({"metadata": {"name": "late"}})
    seen = set()
    while ("ADDED", "late") not in seen:
        item = events.get(timeout=10)
        assert item is not None
        seen.add(item)
    started = time.monotonic()
    cloud.stop()
    reader.join(timeout=10)
    assert not reader.is_alive() and time.monotonic() - started < 10


def test_clusters_saved_by_an_older_emulator_move_to_their_own_file(tmp_path: Path) -> None:
    state = tmp_path / "cloud"
    with LocalCloud.start(state, SETTINGS) as first:
        aks = create_aks(first)
        client.CoreV1Api(aks.api()).create_namespace({"metadata": {"name": "old"}})
        key = aks.key()
    file = state / "k8s" / f"{key}.sqlite"
    legacy = KubeCluster.open(file).to_json()
    arm_state = json.loads((state / "arm-state.json").read_text())
    entry = arm_state["extras"]["aks_kube"][key]
    arm_state["extras"]["aks_kube"][key] = {"clusterId": entry["clusterId"], "cluster": legacy}
    (state / "arm-state.json").write_text(json.dumps(arm_state))
    for suffix in ("", "-wal", "-shm"):
        file.with_name(file.name + suffix).unlink(missing_ok=True)
    with LocalCloud.start(state, SETTINGS) as second:
        api = reattach(aks, second).api()
        assert "old" in {ns.metadata.name for ns in client.CoreV1Api(api).list_namespace().items}
    assert file.is_file()
    migrated = json.loads((state / "arm-state.json").read_text())["extras"]["aks_kube"][key]
    assert "cluster" not in migrated and migrated["instance"]
