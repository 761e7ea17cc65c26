"""Less common paths: YAML apply bodies, jobs, collections, PDB edge cases, dry runs, pagination."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from kube_testkit import TOKEN, Kube, deployment, install_cni, pods
from kubernetes import client, watch
from kubernetes.client import ApiException

from emulator.k8s import KubeCluster

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _call(cluster: KubeCluster, method: str, path: str, body: Any = None, **query: str) -> tuple[int, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    headers = dict(AUTH)
    if query.pop("yaml", None):
        headers["Content-Type"] = "application/apply-patch+yaml"
    resp = cluster.handle(method, path, {k: [v] for k, v in query.items()}, headers, raw)
    text = resp.body.decode()
    return resp.status, json.loads(text) if resp.headers["Content-Type"] == "application/json" else text


def test_apply_with_yaml_body_and_update_manager_conflict() -> None:
    cluster = KubeCluster("c", TOKEN)
    doc = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: '1'\n"
    path = "/api/v1/namespaces/default/configmaps/cfg"
    status, body = _call(cluster, "PATCH", path, doc, yaml="1", fieldManager="orchestrate")
    assert status == 201 and body["data"] == {"a": "1"}
    status, _ = _call(cluster, "PATCH", path, doc, yaml="1", fieldManager="orchestrate")
    assert status == 200
    headers = {**AUTH, "Content-Type": "application/merge-patch+json", "User-Agent": "kubectl/v1.33"}
    resp = cluster.handle("PATCH", path, {}, headers, b'{"data": {"a": "2"}}')
    assert resp.status == 200
    status, body = _call(cluster, "PATCH", path, doc, yaml="1", fieldManager="orchestrate")
    assert status == 409 and 'conflict with "kubectl" using Update' in body["message"]
    status, body = _call(cluster, "PATCH", path, doc, yaml="1", fieldManager="orchestrate", force="true")
    assert status == 200 and body["data"] == {"a": "1"}


def test_health_endpoints_and_unknown_paths() -> None:
    cluster = KubeCluster("c", TOKEN)
    assert _call(cluster, "GET", "/readyz") == (200, "ok")
    odd = cluster.handle("GET", "/version", {}, {"Authorization": "Bearer t\u00f6ken"}, b"")
    assert odd.status == 401
    status, body = _call(cluster, "GET", "/apis/nope.io/v1/things")
    assert status == 404 and body["kind"] == "Status" and body["reason"] == "NotFound"


def test_job_completes_and_collections(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    batch = client.BatchV1Api(kube.api)
    job = client.V1Job(
        metadata=client.V1ObjectMeta(name="migrate"),
        spec=client.V1JobSpec(
            template=client.V1PodTemplateSpec(
                spec=client.V1PodSpec(containers=[client.V1Container(name="m", image="busybox")])
            )
        ),
    )
    batch.create_namespaced_job("default", job)
    done = batch.read_namespaced_job("migrate", "default")
    assert done.status.succeeded == 1 and any(c.type == "Complete" for c in done.status.conditions)

    core = kube.core
    for index in range(5):
        core.create_namespaced_secret(
            "default",
            client.V1Secret(metadata=client.V1ObjectMeta(generate_name="s-", labels={"i": str(index)})),
        )
    page = core.list_namespaced_secret("default", limit=2)
    assert len(page.items) == 2 and page.metadata._continue
    rest = core.list_namespaced_secret("default", limit=10, _continue=page.metadata._continue)
    assert len(rest.items) == 3
    core.delete_collection_namespaced_secret("default", label_selector="i in (0,1)")
    assert len(core.list_namespaced_secret("default").items) == 3
    pods = core.list_pod_for_all_namespaces(field_selector="status.phase=Succeeded").items
    assert [p.metadata.labels["job-name"] for p in pods] == ["migrate"]


def test_pdb_percentages_and_multiple_budgets(kube: Kube) -> None:
    kube.add_nodes(system=1, user=1)
    install_cni(kube)
    kube.apps.create_namespaced_deployment("default", deployment("api", 4))
    policy = client.PolicyV1Api(kube.api)

    def budget(name: str, **spec: Any) -> None:
        policy.create_namespaced_pod_disruption_budget(
            "default",
            client.V1PodDisruptionBudget(
                metadata=client.V1ObjectMeta(name=name),
                spec=client.V1PodDisruptionBudgetSpec(selector={"matchLabels": {"app": "api"}}, **spec),
            ),
        )

    budget("quarter", max_unavailable="25%")
    status = policy.read_namespaced_pod_disruption_budget("quarter", "default").status
    assert (status.expected_pods, status.desired_healthy, status.disruptions_allowed) == (4, 3, 1)
    budget("second", max_unavailable=1)
    victim = pods(kube, "app=api")[0].metadata.name
    with pytest.raises(ApiException) as err:
        kube.core.create_namespaced_pod_eviction(
            victim, "default", client.V1Eviction(metadata={"name": victim})
        )
    assert err.value.status == 500


def test_status_subresource_dry_run_and_endpoints(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    kube.apps.create_namespaced_deployment("default", deployment("web", 2))
    kube.core.create_namespaced_service(
        "default",
        client.V1Service(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1ServiceSpec(
                selector={"app": "web"}, ports=[client.V1ServicePort(port=80, target_port=8080)]
            ),
        ),
    )
    endpoints = kube.core.read_namespaced_endpoints("web", "default")
    assert len(endpoints.subsets[0].addresses) == 2 and endpoints.subsets[0].ports[0].port == 8080

    kube.apps.create_namespaced_deployment("default", deployment("ghost", 1), dry_run="All")
    assert [d.metadata.name for d in kube.apps.list_namespaced_deployment("default").items] == ["web"]

    ns = kube.core.read_namespace("default")
    ns.metadata.labels = {**ns.metadata.labels, "team": "x"}
    ns.status.phase = "Weird"
    replaced = kube.core.replace_namespace("default", ns)
    assert replaced.status.phase == "Active" and replaced.metadata.labels["team"] == "x"
    pvc = client.V1PersistentVolumeClaim(
        metadata=client.V1ObjectMeta(name="data"),
        spec=client.V1PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"],
            resources=client.V1VolumeResourceRequirements(requests={"storage": "1Gi"}),
        ),
    )
    kube.core.create_namespaced_persistent_volume_claim("default", pvc)
    claim = kube.core.read_namespaced_persistent_volume_claim("data", "default")
    claim.status = client.V1PersistentVolumeClaimStatus(phase="Bound")
    kube.core.replace_namespaced_persistent_volume_claim_status("data", "default", claim)
    assert kube.core.read_namespaced_persistent_volume_claim("data", "default").status.phase == "Bound"


def test_every_served_object_parses_in_the_typed_models(kube: Kube) -> None:
    """Responses must be complete: read every stored object back through the typed client models."""
    kube.add_nodes(system=1, spot=1)
    install_cni(kube)
    kube.apps.create_namespaced_deployment("default", deployment("web", 2))
    body = deployment("db", 1)
    body.update(kind="StatefulSet")
    kube.apps.create_namespaced_stateful_set("default", body)
    kube.core.create_namespaced_service(
        "default",
        client.V1Service(
            metadata=client.V1ObjectMeta(name="lb"),
            spec=client.V1ServiceSpec(
                type="LoadBalancer", selector={"app": "web"}, ports=[client.V1ServicePort(port=80)]
            ),
        ),
    )
    client.PolicyV1Api(kube.api).create_namespaced_pod_disruption_budget(
        "default",
        client.V1PodDisruptionBudget(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1PodDisruptionBudgetSpec(
                max_unavailable=1, selector={"matchLabels": {"app": "web"}}
            ),
        ),
    )
    assert kube.cluster.settle() == 1  # the control loop reached a fixed point
    state = kube.cluster.to_json()["store"]["objects"]
    kinds = set()
    for objects in state.values():
        for obj in objects:
            name = {"Endpoints": "V1Endpoints", "Event": "CoreV1Event"}.get(obj["kind"], f"V1{obj['kind']}")
            kube.api.deserialize(json.dumps(obj), name, "application/json")
            kinds.add(obj["kind"])
    assert {"Pod", "Node", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Service"} <= kinds
    assert {"PodDisruptionBudget", "Endpoints", "Namespace", "Event", "StorageClass"} <= kinds


def test_resource_fit_and_load_balancer_ip_annotation(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    big = deployment("big", 2)
    big["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "requests": {"cpu": "1200m", "memory": "1Gi"}
    }
    kube.apps.create_namespaced_deployment("default", big)
    phases = sorted(p.status.phase for p in pods(kube, "app=big"))
    assert phases == ["Pending", "Running"]
    pending = next(p for p in pods(kube, "app=big") if p.status.phase == "Pending")
    scheduled = next(c for c in pending.status.conditions if c.type == "PodScheduled")
    assert "Insufficient cpu" in scheduled.message

    annotations = {"service.beta.kubernetes.io/azure-load-balancer-ipv4": "20.41.1.2"}
    kube.core.create_namespaced_service(
        "default",
        client.V1Service(
            metadata=client.V1ObjectMeta(name="gw", annotations=annotations),
            spec=client.V1ServiceSpec(type="LoadBalancer", ports=[client.V1ServicePort(port=443)]),
        ),
    )
    assert (
        kube.core.read_namespaced_service("gw", "default").status.load_balancer.ingress[0].ip == "20.41.1.2"
    )


def test_watch_streams_current_objects_and_ends(kube: Kube) -> None:
    kube.core.create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="w"))
    )
    seen = [
        (event["type"], event["object"].metadata.name)
        for event in watch.Watch().stream(
            kube.core.list_namespaced_config_map,
            "default",
            field_selector="metadata.name=w",
            timeout_seconds=1,
        )
    ]
    assert seen == [("ADDED", "w")]


def test_concurrent_requests_are_serialised(kube: Kube) -> None:
    apis = [client.CoreV1Api(kube.client_with_token(TOKEN)) for _ in range(4)]

    def create(index: int) -> None:
        body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"c{index}"))
        apis[index % 4].create_namespaced_config_map("default", body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create, range(24)))
    items = kube.core.list_namespaced_config_map(
        "default", field_selector="metadata.name!=kube-root-ca.crt"
    ).items
    assert len(items) == 24
    assert len({i.metadata.resource_version for i in items}) == 24


def test_pods_stay_running_but_unready_when_the_cni_goes_away(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    kube.apps.create_namespaced_deployment("default", deployment("web", 1))
    kube.apps.delete_namespaced_daemon_set("cilium", "kube-system")
    (pod,) = pods(kube, "app=web")
    ready = next(c for c in pod.status.conditions if c.type == "Ready")
    assert pod.status.phase == "Running" and ready.status == "False"
    assert kube.apps.read_namespaced_deployment("web", "default").status.available_replicas is None


def test_pod_security_admission_enforce(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    labels = {"pod-security.kubernetes.io/enforce": "restricted"}
    kube.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="apps", labels=labels)))
    privileged = client.V1Pod(
        metadata=client.V1ObjectMeta(name="root"),
        spec=client.V1PodSpec(
            containers=[
                client.V1Container(
                    name="c", image="busybox", security_context=client.V1SecurityContext(privileged=True)
                )
            ]
        ),
    )
    with pytest.raises(ApiException) as err:
        kube.core.create_namespaced_pod("apps", privileged, dry_run="All")
    message = json.loads(err.value.body)["message"]
    assert err.value.status == 403 and 'violates PodSecurity "restricted:latest": privileged' in message

    body = deployment("web", 1)
    body["metadata"]["namespace"] = "apps"
    kube.apps.create_namespaced_deployment("apps", body)
    assert kube.core.list_namespaced_pod("apps").items == []
    dep = kube.apps.read_namespaced_deployment("web", "apps")
    failure = next(c for c in dep.status.conditions if c.type == "ReplicaFailure")
    assert failure.reason == "FailedCreate" and "runAsNonRoot" in failure.message

    hardened = {
        "allowPrivilegeEscalation": False,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "web", "securityContext": hardened}]}}}}
    kube.apps.patch_namespaced_deployment("web", "apps", patch)
    assert [p.status.phase for p in kube.core.list_namespaced_pod("apps").items] == ["Running"]
    dep = kube.apps.read_namespaced_deployment("web", "apps")
    assert "ReplicaFailure" not in {c.type for c in dep.status.conditions}


def test_volume_claims_bind_on_first_consumer(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    classes = {sc.metadata.name for sc in client.StorageV1Api(kube.api).list_storage_class().items}
    assert {"default", "managed-csi", "managed-premium", "azurefile-csi"} <= classes

    body = deployment("db", 2)
    body.update(kind="StatefulSet")
    body["spec"]["serviceName"] = "db"
    body["spec"]["volumeClaimTemplates"] = [
        {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "managed-csi-premium",
                "resources": {"requests": {"storage": "4Gi"}},
            },
        }
    ]
    kube.apps.create_namespaced_stateful_set("default", body)
    claims = kube.core.list_namespaced_persistent_volume_claim("default").items
    assert sorted((c.metadata.name, c.status.phase) for c in claims) == [
        ("data-db-0", "Bound"),
        ("data-db-1", "Bound"),
    ]
    volume = kube.core.read_persistent_volume(claims[0].spec.volume_name)
    assert volume.spec.csi.driver == "disk.csi.azure.com" and volume.spec.capacity["storage"] == "4Gi"

    lonely = client.V1PersistentVolumeClaim(
        metadata=client.V1ObjectMeta(name="lonely"),
        spec=client.V1PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"],
            resources=client.V1VolumeResourceRequirements(requests={"storage": "1Gi"}),
        ),
    )
    kube.core.create_namespaced_persistent_volume_claim("default", lonely)
    assert kube.core.read_namespaced_persistent_volume_claim("lonely", "default").status.phase == "Pending"
    consumer = deployment("consumer", 1)
    consumer["spec"]["template"]["spec"]["volumes"] = [
        {"name": "v", "persistentVolumeClaim": {"claimName": "ghost"}}
    ]
    kube.apps.create_namespaced_deployment("default", consumer)
    (pod,) = pods(kube, "app=consumer")
    assert pod.status.phase == "Pending"
    assert 'persistentvolumeclaim "ghost" not found' in pod.status.conditions[0].message
    patch = {
        "spec": {
            "template": {
                "spec": {"volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "lonely"}}]}
            }
        }
    }
    kube.apps.patch_namespaced_deployment("consumer", "default", patch)
    bound = kube.core.read_namespaced_persistent_volume_claim("lonely", "default")
    assert bound.status.phase == "Bound" and bound.spec.storage_class_name == "default"
    kube.apps.delete_namespaced_deployment("consumer", "default")
    kube.core.delete_namespaced_persistent_volume_claim("lonely", "default")
    names = {pv.metadata.name for pv in kube.core.list_persistent_volume().items}
    assert bound.spec.volume_name not in names and len(names) == 2


def test_pods_wait_for_their_service_account(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    kube.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="team")))
    assert kube.core.read_namespaced_service_account("default", "team").metadata.name == "default"
    assert "ca.crt" in kube.core.read_namespaced_config_map("kube-root-ca.crt", "team").data
    body = deployment("api", 1, serviceAccountName="api")
    body["metadata"]["namespace"] = "team"
    kube.apps.create_namespaced_deployment("team", body)
    assert kube.core.list_namespaced_pod("team").items == []
    events = kube.core.list_namespaced_event("team").items
    assert any(e.reason == "FailedCreate" and 'serviceaccount "api" not found' in e.message for e in events)
    kube.core.create_namespaced_service_account(
        "team", client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="api"))
    )
    assert [p.status.phase for p in kube.core.list_namespaced_pod("team").items] == ["Running"]


def test_injected_faults(kube: Kube) -> None:
    # urllib3 (under the kubernetes client) retries a 429 that carries Retry-After by itself
    kube.cluster.inject_fault(429, count=1, method="GET", path_contains="/configmaps", retry_after=0)
    assert kube.core.list_namespaced_config_map("default").items
    kube.cluster.inject_fault(500, path_contains="/namespaces")
    with pytest.raises(ApiException) as failed:
        kube.core.list_namespace()
    assert failed.value.status == 500
    assert kube.core.list_namespace().items
    kube.cluster.inject_fault(429, retry_after=7)
    raw = kube.cluster.handle("GET", "/api/v1/nodes", {}, {"Authorization": f"Bearer {TOKEN}"}, b"")
    assert raw.status == 429 and raw.headers["Retry-After"] == "7"
    assert json.loads(raw.body)["reason"] == "TooManyRequests"


def test_limit_ranges_and_resource_quotas(kube: Kube) -> None:
    kube.add_nodes(system=1, user=1)
    install_cni(kube)
    kube.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="q")))
    kube.core.create_namespaced_limit_range(
        "q",
        client.V1LimitRange(
            metadata=client.V1ObjectMeta(name="defaults"),
            spec=client.V1LimitRangeSpec(
                limits=[
                    client.V1LimitRangeItem(
                        type="Container",
                        default={"cpu": "500m", "memory": "256Mi"},
                        default_request={"cpu": "100m", "memory": "128Mi"},
                        max={"cpu": "1"},
                    )
                ]
            ),
        ),
    )
    kube.core.create_namespaced_resource_quota(
        "q",
        client.V1ResourceQuota(
            metadata=client.V1ObjectMeta(name="small"), spec=client.V1ResourceQuotaSpec(hard={"pods": "2"})
        ),
    )
    body = deployment("api", 3)
    body["metadata"]["namespace"] = "q"
    kube.apps.create_namespaced_deployment("q", body)
    created = kube.core.list_namespaced_pod("q").items
    assert len(created) == 2
    resources = created[0].spec.containers[0].resources
    assert resources.limits == {"cpu": "500m", "memory": "256Mi"}
    assert resources.requests == {"cpu": "100m", "memory": "128Mi"}
    assert created[0].status.qos_class == "Burstable"
    failure = next(
        c
        for c in kube.apps.read_namespaced_deployment("api", "q").status.conditions
        if c.type == "ReplicaFailure"
    )
    assert "exceeded quota: small" in failure.message
    assert kube.core.read_namespaced_resource_quota("small", "q").status.used == {"pods": "2"}
    greedy = client.V1Pod(
        metadata=client.V1ObjectMeta(name="greedy"),
        spec=client.V1PodSpec(
            containers=[
                client.V1Container(
                    name="c", image="i", resources=client.V1ResourceRequirements(limits={"cpu": "2"})
                )
            ]
        ),
    )
    with pytest.raises(ApiException) as err:
        kube.core.create_namespaced_pod("q", greedy)
    assert (
        err.value.status == 403
        and "maximum cpu usage per Container is 1" in json.loads(err.value.body)["message"]
    )
