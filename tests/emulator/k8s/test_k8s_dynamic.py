"""DynamicClient: discovery, server-side apply with field ownership, CRD-registered kinds, patches."""

from __future__ import annotations

from typing import Any

import pytest
from kube_testkit import Kube
from kubernetes import client
from kubernetes.client import ApiException
from kubernetes.dynamic.exceptions import ConflictError, ResourceNotFoundError

from emulator.k8s.extensions import ControllerContext


def _crd(scope: str = "Namespaced") -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "ciliumnetworkpolicies.cilium.io"},
        "spec": {
            "group": "cilium.io",
            "scope": scope,
            "names": {
                "kind": "CiliumNetworkPolicy",
                "plural": "ciliumnetworkpolicies",
                "singular": "ciliumnetworkpolicy",
                "shortNames": ["cnp"],
            },
            "versions": [
                {
                    "name": "v2",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                    "subresources": {"status": {}},
                }
            ],
        },
    }


def _config(replicas: int, image: str = "nginx:1.27") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"team": "a"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
        },
    }


def test_discovery_lists_groups_and_subresources(kube: Kube) -> None:
    dyn = kube.dynamic()
    pods = dyn.resources.get(api_version="v1", kind="Pod")
    assert "eviction" in pods.subresources
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    assert {"status", "scale"} <= set(deployments.subresources)
    groups = {g.name for g in client.ApisApi(kube.api).get_api_versions().groups}
    assert {"apps", "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "batch"} <= groups
    assert "apiextensions.k8s.io" in groups


def test_server_side_apply_create_update_and_conflicts(kube: Kube) -> None:
    dyn = kube.dynamic()
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    with pytest.raises(ApiException) as no_manager:
        deployments.server_side_apply(body=_config(1), namespace="default", field_manager=None)
    assert no_manager.value.status == 400

    first = dyn.server_side_apply(deployments, _config(2), namespace="default", field_manager="orchestrate")
    assert first.spec.replicas == 2
    managers = {(m.manager, m.operation) for m in first.metadata.managedFields}
    assert ("orchestrate", "Apply") in managers

    again = dyn.server_side_apply(deployments, _config(3), namespace="default", field_manager="orchestrate")
    assert again.spec.replicas == 3

    with pytest.raises(ConflictError) as conflict:
        dyn.server_side_apply(deployments, _config(5), namespace="default", field_manager="hpa")
    assert "replicas" in str(conflict.value.body)
    same_value = dyn.server_side_apply(deployments, _config(3), namespace="default", field_manager="other")
    assert same_value.spec.replicas == 3
    forced = dyn.server_side_apply(
        deployments, _config(5), namespace="default", field_manager="hpa", force_conflicts=True
    )
    assert forced.spec.replicas == 5

    # a field dropped from a manager's applied config is removed when nobody else owns it
    annotated = _config(5)
    annotated["metadata"]["annotations"] = {"only": "orchestrate"}
    dyn.server_side_apply(
        deployments, annotated, namespace="default", field_manager="orchestrate", force_conflicts=True
    )
    smaller = _config(5)
    del smaller["metadata"]["labels"]
    result = dyn.server_side_apply(deployments, smaller, namespace="default", field_manager="orchestrate")
    assert "only" not in (result.metadata.annotations or {})
    assert result.metadata.labels.team == "a"  # still co-owned by "other" and "hpa"
    # the typed client parses the applied object
    typed = kube.apps.read_namespaced_deployment("web", "default")
    assert typed.spec.template.spec.containers[0].image == "nginx:1.27"


def test_crd_registers_new_kind(kube: Kube) -> None:
    ext = client.ApiextensionsV1Api(kube.api)
    created = ext.create_custom_resource_definition(_crd())
    assert created.spec.names.kind == "CiliumNetworkPolicy"
    established = ext.read_custom_resource_definition("ciliumnetworkpolicies.cilium.io")
    assert {c.type for c in established.status.conditions} >= {"Established"}

    dyn = kube.dynamic()
    cnp = dyn.resources.get(api_version="cilium.io/v2", kind="CiliumNetworkPolicy")
    assert cnp.namespaced
    body = {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNetworkPolicy",
        "metadata": {"name": "allow-dns", "labels": {"k": "v"}},
        "spec": {"endpointSelector": {}, "egress": [{"toPorts": [{"ports": [{"port": "53"}]}]}]},
    }
    dyn.server_side_apply(cnp, body, namespace="default", field_manager="orchestrate")
    got = cnp.get(name="allow-dns", namespace="default")
    assert got.spec.egress[0].toPorts[0].ports[0].port == "53"
    assert [i.metadata.name for i in cnp.get(namespace="default", label_selector="k=v").items] == [
        "allow-dns"
    ]
    custom = client.CustomObjectsApi(kube.api)
    listed = custom.list_cluster_custom_object("cilium.io", "v2", "ciliumnetworkpolicies")
    assert listed["kind"] == "CiliumNetworkPolicyList" and len(listed["items"]) == 1

    ext.delete_custom_resource_definition("ciliumnetworkpolicies.cilium.io")
    fresh = kube.dynamic()
    with pytest.raises(ResourceNotFoundError):
        fresh.resources.get(api_version="cilium.io/v2", kind="CiliumNetworkPolicy")


def test_cluster_scoped_crd(kube: Kube) -> None:
    crd = _crd("Cluster")
    client.ApiextensionsV1Api(kube.api).create_custom_resource_definition(crd)
    cnp = kube.dynamic().resources.get(api_version="cilium.io/v2", kind="CiliumNetworkPolicy")
    assert not cnp.namespaced
    cnp.create(body={"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "x"}})
    assert cnp.get(name="x").metadata.name == "x"


def test_strategic_merge_merges_containers_by_name(kube: Kube) -> None:
    kube.apps.create_namespaced_deployment("default", _config(1))
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "web", "env": [{"name": "MODE", "value": "x"}]},
                        {"name": "sidecar", "image": "busybox"},
                    ]
                }
            }
        }
    }
    kube.apps.patch_namespaced_deployment("web", "default", patch)
    containers = kube.apps.read_namespaced_deployment("web", "default").spec.template.spec.containers
    assert [(c.name, c.image) for c in containers] == [("web", "nginx:1.27"), ("sidecar", "busybox")]
    assert containers[0].env[0].value == "x"

    dyn = kube.dynamic()
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    deployments.patch(
        name="web",
        namespace="default",
        body={"metadata": {"labels": {"merged": "yes"}}},
        content_type="application/merge-patch+json",
    )
    assert kube.apps.read_namespaced_deployment("web", "default").metadata.labels == {
        "team": "a",
        "merged": "yes",
    }
    scale = kube.apps.read_namespaced_deployment_scale("web", "default")
    assert scale.spec.replicas == 1
    kube.apps.replace_namespaced_deployment_scale(
        "web",
        "default",
        client.V1Scale(metadata=client.V1ObjectMeta(name="web"), spec=client.V1ScaleSpec(replicas=4)),
    )
    assert kube.apps.read_namespaced_deployment("web", "default").spec.replicas == 4
    kube.apps.delete_namespaced_deployment("web", "default")
    assert kube.apps.list_namespaced_replica_set("default").items == []


def test_plugin_controller_models_an_operator(kube: Kube) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "backups.velero.io"},
        "spec": {
            "group": "velero.io",
            "scope": "Namespaced",
            "names": {"kind": "Backup", "plural": "backups"},
            "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}}}],
        },
    }
    client.ApiextensionsV1Api(kube.api).create_custom_resource_definition(crd)

    def velero(ctx: ControllerContext) -> None:
        for backup in ctx.list("velero.io/v1", "Backup"):
            if "phase" not in backup.get("status", {}):
                ctx.set_status(backup, {"phase": "Completed", "completionTimestamp": ctx.now()})

    kube.cluster.add_controller("velero", velero)
    kube.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="velero")))
    backups = kube.dynamic().resources.get(api_version="velero.io/v1", kind="Backup")
    backups.create(
        body={"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "nightly"}, "spec": {}},
        namespace="velero",
    )
    assert backups.get(name="nightly", namespace="velero").status.phase == "Completed"


def test_cilium_operator_registers_cilium_crds(kube: Kube) -> None:
    kube.add_nodes(system=1)
    dyn = kube.dynamic()
    with pytest.raises(ResourceNotFoundError):
        dyn.resources.get(api_version="cilium.io/v2", kind="CiliumNetworkPolicy")
    labels = {"io.cilium/app": "operator", "name": "cilium-operator"}
    operator = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "cilium-operator", "namespace": "kube-system", "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "hostNetwork": True,
                    "tolerations": [{"operator": "Exists"}],
                    "containers": [
                        {"name": "cilium-operator", "image": "quay.io/cilium/operator-generic:v1.18.0"}
                    ],
                },
            },
        },
    }
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    dyn.server_side_apply(deployments, operator, namespace="kube-system", field_manager="orchestrate")
    policies = kube.dynamic().resources.get(api_version="cilium.io/v2", kind="CiliumNetworkPolicy")
    assert policies.namespaced
    ccnp = kube.dynamic().resources.get(api_version="cilium.io/v2", kind="CiliumClusterwideNetworkPolicy")
    assert not ccnp.namespaced
