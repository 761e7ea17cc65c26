"""Server-side printing: the Table columns and cells kubectl shows, for built-in kinds and CRDs."""

from __future__ import annotations

from typing import Any

from http_kit import call, columns, rows, table
from kube_testkit import Kube, deployment, install_cni
from kubernetes import client

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "backups.velero.io"},
    "spec": {
        "group": "velero.io",
        "scope": "Namespaced",
        "names": {"kind": "Backup", "plural": "backups"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                },
                "additionalPrinterColumns": [
                    {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
                    {
                        "name": "Ready",
                        "type": "string",
                        "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
                    },
                    {"name": "TTL", "type": "integer", "jsonPath": ".spec.ttlHours", "priority": 1},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                ],
            },
            {"name": "v2", "served": True, "storage": False},
        ],
    },
}


def test_nodes_show_status_roles_version_and_wide_columns(kube: Kube) -> None:
    kube.add_nodes(system=1, spot=1)
    kube.core.patch_node("aks-spot-0", {"metadata": {"labels": {"node-role.kubernetes.io/spot": ""}}})
    tbl = table(kube.url, "/api/v1/nodes")
    assert columns(tbl) == ["Name", "Status", "Roles", "Age", "Version"]
    assert columns(tbl, wide=True)[5:] == [
        "Internal-IP",
        "External-IP",
        "OS-Image",
        "Kernel-Version",
        "Container-Runtime",
    ]
    found = rows(tbl)
    assert found["aks-system-0"]["Status"] == "NotReady"  # BYO CNI: no network yet
    assert (found["aks-system-0"]["Roles"], found["aks-spot-0"]["Roles"]) == ("<none>", "spot")
    assert found["aks-system-0"]["Version"] == "v1.33.0"
    assert found["aks-system-0"]["Internal-IP"].startswith("10.224.")
    install_cni(kube)
    kube.core.patch_node("aks-system-0", {"spec": {"unschedulable": True}})
    assert rows(table(kube.url, "/api/v1/nodes"))["aks-system-0"]["Status"] == "Ready,SchedulingDisabled"


def test_pods_show_ready_status_restarts_and_objects_as_asked(kube: Kube) -> None:
    kube.add_nodes(system=1)
    kube.apps.create_namespaced_deployment("default", deployment("web", 1))
    pending = rows(table(kube.url, "/api/v1/namespaces/default/pods"))
    (name,) = pending
    assert (pending[name]["Ready"], pending[name]["Status"]) == ("0/1", "Pending")  # not-ready node
    install_cni(kube)
    tbl = table(kube.url, "/api/v1/namespaces/default/pods")
    assert columns(tbl) == ["Name", "Ready", "Status", "Restarts", "Age"]
    running = rows(tbl)[name]
    assert (running["Ready"], running["Status"], running["Restarts"]) == ("1/1", "Running", "0")
    assert running["Node"] == "aks-system-0" and running["IP"].startswith("10.244.")
    assert tbl["rows"][0]["object"]["kind"] == "PartialObjectMetadata"  # includeObject=Metadata by default
    full = table(kube.url, "/api/v1/namespaces/default/pods", includeObject="Object")
    assert full["rows"][0]["object"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert "object" not in table(kube.url, "/api/v1/namespaces/default/pods", includeObject="None")["rows"][0]
    single = table(kube.url, f"/api/v1/namespaces/default/pods/{name}")
    assert [r["cells"][0] for r in single["rows"]] == [name]


def test_workload_and_core_kinds_print_like_the_api_server(kube: Kube) -> None:
    kube.add_nodes(system=2)
    install_cni(kube)
    kube.apps.create_namespaced_deployment("default", deployment("web", 2))
    kube.core.create_namespaced_service(
        "default",
        client.V1Service(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1ServiceSpec(selector={"app": "web"}, ports=[client.V1ServicePort(port=80)]),
        ),
    )
    dep = table(kube.url, "/apis/apps/v1/namespaces/default/deployments")
    assert columns(dep) == ["Name", "Ready", "Up-to-date", "Available", "Age"]
    assert rows(dep)["web"]["Ready"] == "2/2" and rows(dep)["web"]["Selector"] == "app=web"
    ds = table(kube.url, "/apis/apps/v1/namespaces/kube-system/daemonsets")
    assert columns(ds) == [
        "Name",
        "Desired",
        "Current",
        "Ready",
        "Up-to-date",
        "Available",
        "Node Selector",
        "Age",
    ]
    assert rows(ds)["cilium"]["Desired"] == 2 and rows(ds)["cilium"]["Available"] == 2
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "db", "image": "postgres"}]},
            },
        },
    }
    kube.apps.create_namespaced_stateful_set("default", sts)
    sets = table(kube.url, "/apis/apps/v1/namespaces/default/statefulsets")
    assert columns(sets) == ["Name", "Ready", "Age"] and rows(sets)["db"]["Ready"] == "1/1"
    svc = rows(table(kube.url, "/api/v1/namespaces/default/services"))["web"]
    assert (svc["Type"], svc["External-IP"], svc["Port(s)"]) == ("ClusterIP", "<none>", "80/TCP")
    ns = table(kube.url, "/api/v1/namespaces")
    assert columns(ns) == ["Name", "Status", "Age"] and rows(ns)["default"]["Status"] == "Active"
    cms = table(kube.url, "/api/v1/namespaces/default/configmaps")
    assert columns(cms) == ["Name", "Data", "Age"] and rows(cms)["kube-root-ca.crt"]["Data"] == 1
    events = table(kube.url, "/api/v1/namespaces/default/events")
    assert columns(events) == ["Last Seen", "Type", "Reason", "Object", "Message"]
    assert any(r["cells"][3] == "deployment/web" or r["cells"][2] == "Scheduled" for r in events["rows"])


def test_job_pvc_and_secret_columns(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "once"},
        "spec": {
            "template": {
                "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}
            }
        },
    }
    client.BatchV1Api(kube.api).create_namespaced_job("default", job)
    jobs = table(kube.url, "/apis/batch/v1/namespaces/default/jobs")
    assert columns(jobs) == ["Name", "Status", "Completions", "Duration", "Age"]
    assert (rows(jobs)["once"]["Status"], rows(jobs)["once"]["Completions"]) == ("Complete", "1/1")
    claim = client.V1PersistentVolumeClaim(
        metadata=client.V1ObjectMeta(name="data"),
        spec=client.V1PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"],
            resources=client.V1VolumeResourceRequirements(requests={"storage": "1Gi"}),
        ),
    )
    kube.core.create_namespaced_persistent_volume_claim("default", claim)
    pvcs = table(kube.url, "/api/v1/namespaces/default/persistentvolumeclaims")
    assert columns(pvcs) == [
        "Name",
        "Status",
        "Volume",
        "Capacity",
        "Access Modes",
        "StorageClass",
        "VolumeAttributesClass",
        "Age",
    ]
    assert rows(pvcs)["data"]["Status"] == "Pending"  # WaitForFirstConsumer
    kube.core.create_namespaced_secret(
        "default", client.V1Secret(metadata=client.V1ObjectMeta(name="s"), string_data={"a": "b"})
    )
    secret = rows(table(kube.url, "/api/v1/namespaces/default/secrets"))["s"]
    assert (secret["Type"], secret["Data"]) == ("Opaque", 1)
    classes = rows(table(kube.url, "/apis/storage.k8s.io/v1/storageclasses"))
    assert "default (default)" in classes


def test_crd_printer_columns_and_the_default_name_age(kube: Kube) -> None:
    client.ApiextensionsV1Api(kube.api).create_custom_resource_definition(CRD)
    backups = kube.dynamic().resources.get(api_version="velero.io/v1", kind="Backup")
    body = {
        "apiVersion": "velero.io/v1",
        "kind": "Backup",
        "metadata": {"name": "nightly"},
        "spec": {"ttlHours": 72},
        "status": {"phase": "Completed", "conditions": [{"type": "Ready", "status": "True"}]},
    }
    backups.create(body=body, namespace="default")
    tbl = table(kube.url, "/apis/velero.io/v1/namespaces/default/backups")
    assert columns(tbl) == ["Name", "Phase", "Ready", "Age"]
    assert columns(tbl, wide=True) == ["Name", "Phase", "Ready", "TTL", "Age"]
    nightly = rows(tbl)["nightly"]
    assert (nightly["Phase"], nightly["Ready"], nightly["TTL"]) == ("Completed", "True", 72)
    assert nightly["Age"].endswith("s")  # a date column is shown as an age
    other = table(kube.url, "/apis/velero.io/v2/namespaces/default/backups")
    assert columns(other) == ["Name", "Age"]
    crds = table(kube.url, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
    assert columns(crds) == ["Name", "Created At"]


def test_v1beta1_tables_and_metadata_only_lists(kube: Kube) -> None:
    accept = "application/json;as=Table;v=v1beta1;g=meta.k8s.io"
    reply = call(kube.url, "GET", "/api/v1/namespaces", accept=accept)
    assert (reply.body["kind"], reply.body["apiVersion"]) == ("Table", "meta.k8s.io/v1beta1")
    accept = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json"
    listed = call(kube.url, "GET", "/api/v1/namespaces", accept=accept).body
    assert listed["kind"] == "PartialObjectMetadataList"
    assert {i["metadata"]["name"] for i in listed["items"]} >= {"default", "kube-system"}
    plain = call(kube.url, "GET", "/api/v1/namespaces").body
    assert plain["kind"] == "NamespaceList"
