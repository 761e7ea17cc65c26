"""CRUD, selectors, conflicts, discovery and auth through the typed kubernetes client."""

from __future__ import annotations

import base64

import pytest
from kube_testkit import Kube
from kubernetes import client
from kubernetes.client import ApiException


def _cm(name: str, labels: dict[str, str] | None = None) -> client.V1ConfigMap:
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data={"k": "v"})


def test_version_and_default_namespaces(kube: Kube) -> None:
    info = client.VersionApi(kube.api).get_code()
    assert info.git_version == "v1.33.0"
    names = {ns.metadata.name for ns in kube.core.list_namespace().items}
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= names


def test_unauthorized_without_token(kube: Kube) -> None:
    bad = client.CoreV1Api(kube.client_with_token("wrong"))
    with pytest.raises(ApiException) as err:
        bad.list_namespace()
    assert err.value.status == 401


def test_configmap_crud_and_conflicts(kube: Kube) -> None:
    core = kube.core
    created = core.create_namespaced_config_map("default", _cm("one"))
    assert created.metadata.uid and created.metadata.resource_version
    assert created.metadata.creation_timestamp is not None
    with pytest.raises(ApiException) as dup:
        core.create_namespaced_config_map("default", _cm("one"))
    assert dup.value.status == 409 and "AlreadyExists" in dup.value.body

    fresh = core.read_namespaced_config_map("one", "default")
    fresh.data = {"k": "v2"}
    updated = core.replace_namespaced_config_map("one", "default", fresh)
    assert int(updated.metadata.resource_version) > int(created.metadata.resource_version)
    stale = created
    stale.data = {"k": "stale"}
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_config_map("one", "default", stale)
    assert conflict.value.status == 409 and '"reason": "Conflict"' in conflict.value.body

    core.patch_namespaced_config_map("one", "default", {"data": {"extra": "x"}})
    assert core.read_namespaced_config_map("one", "default").data == {"k": "v2", "extra": "x"}
    core.patch_namespaced_config_map("one", "default", [{"op": "remove", "path": "/data/extra"}])
    assert core.read_namespaced_config_map("one", "default").data == {"k": "v2"}

    core.delete_namespaced_config_map("one", "default")
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("one", "default")
    assert missing.value.status == 404


def test_label_and_field_selectors(kube: Kube) -> None:
    core = kube.core
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="team-a")))
    core.create_namespaced_config_map("default", _cm("a", {"app": "web", "tier": "front"}))
    core.create_namespaced_config_map("default", _cm("b", {"app": "web", "tier": "back"}))
    core.create_namespaced_config_map("default", _cm("c", {"app": "db"}))
    core.create_namespaced_config_map("team-a", _cm("d", {"app": "web"}))

    def names(**kw: str) -> list[str]:
        return sorted(cm.metadata.name for cm in core.list_namespaced_config_map("default", **kw).items)

    assert names(label_selector="app=web") == ["a", "b"]
    assert names(label_selector="app==web,tier!=back") == ["a"]
    assert names(label_selector="tier") == ["a", "b"]
    assert names(label_selector="!tier") == ["c", "kube-root-ca.crt"]
    assert names(label_selector="app in (db, cache)") == ["c"]
    assert names(label_selector="tier notin (front)") == ["b", "c", "kube-root-ca.crt"]
    assert names(field_selector="metadata.name=b") == ["b"]
    every = core.list_config_map_for_all_namespaces(label_selector="app=web")
    assert sorted((cm.metadata.namespace, cm.metadata.name) for cm in every.items) == [
        ("default", "a"),
        ("default", "b"),
        ("team-a", "d"),
    ]
    assert every.metadata.resource_version


def test_namespace_deletion_removes_objects(kube: Kube) -> None:
    core = kube.core
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="gone")))
    core.create_namespaced_config_map("gone", _cm("x"))
    core.delete_namespace("gone")
    assert "gone" not in {ns.metadata.name for ns in core.list_namespace().items}
    assert core.list_config_map_for_all_namespaces(field_selector="metadata.namespace=gone").items == []
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map("gone", _cm("y"))
    assert err.value.status == 404


def test_services_get_cluster_and_load_balancer_ips(kube: Kube) -> None:
    svc = client.V1Service(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1ServiceSpec(
            type="LoadBalancer", selector={"app": "web"}, ports=[client.V1ServicePort(port=80)]
        ),
    )
    created = kube.core.create_namespaced_service("default", svc)
    assert created.spec.cluster_ip.startswith("172.16.")
    read = kube.core.read_namespaced_service("web", "default")
    assert read.status.load_balancer.ingress[0].ip.startswith("20.")


def test_rbac_storage_and_policy_objects(kube: Kube) -> None:
    rbac = client.RbacAuthorizationV1Api(kube.api)
    rbac.create_cluster_role(
        client.V1ClusterRole(
            metadata=client.V1ObjectMeta(name="reader"),
            rules=[client.V1PolicyRule(api_groups=[""], resources=["pods"], verbs=["get", "list"])],
        )
    )
    rbac.create_namespaced_role_binding(
        "default",
        client.V1RoleBinding(
            metadata=client.V1ObjectMeta(name="read"),
            role_ref=client.V1RoleRef(
                api_group="rbac.authorization.k8s.io", kind="ClusterRole", name="reader"
            ),
            subjects=[client.RbacV1Subject(kind="ServiceAccount", name="default", namespace="default")],
        ),
    )
    assert rbac.read_cluster_role("reader").rules[0].verbs == ["get", "list"]
    assert rbac.list_namespaced_role_binding("default").items[0].role_ref.name == "reader"
    storage = client.StorageV1Api(kube.api)
    storage.create_storage_class(
        client.V1StorageClass(metadata=client.V1ObjectMeta(name="fast"), provisioner="disk.csi.azure.com")
    )
    assert storage.read_storage_class("fast").provisioner == "disk.csi.azure.com"
    classes = kube.dynamic().resources.get(api_version="storage.k8s.io/v1", kind="StorageClass")
    with pytest.raises(ApiException) as err:
        classes.create(
            body={"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "bad"}}
        )
    assert err.value.status == 422


def test_secret_string_data_and_immutable_fields(kube: Kube) -> None:
    secret = client.V1Secret(metadata=client.V1ObjectMeta(name="s"), string_data={"password": "hunter2"})
    created = kube.core.create_namespaced_secret("default", secret)
    assert (
        created.data == {"password": "aHVudGVyMg=="}
        and created.string_data is None
        and created.type == "Opaque"
    )
    with pytest.raises(ApiException) as bad:
        kube.core.create_namespaced_secret(
            "default", client.V1Secret(metadata=client.V1ObjectMeta(name="b"), data={"k": "not base64!"})
        )
    assert bad.value.status == 400

    storage = client.StorageV1Api(kube.api)
    with pytest.raises(ApiException) as immutable:
        storage.patch_storage_class("managed-csi", {"parameters": {"skuname": "Premium_LRS"}})
    assert immutable.value.status == 422
    svc = kube.core.read_namespaced_service("kubernetes", "default")
    svc.spec.cluster_ip = None
    svc.spec.cluster_ips = None
    svc.metadata.labels = {**svc.metadata.labels, "x": "y"}
    assert kube.core.replace_namespaced_service("kubernetes", "default", svc).spec.cluster_ip == "172.16.0.1"


def test_service_account_tokens_authenticate(kube: Kube) -> None:
    core = kube.core
    core.create_namespaced_service_account(
        "kube-system", client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="argocd-manager"))
    )
    core.create_namespaced_secret(
        "kube-system",
        client.V1Secret(
            metadata=client.V1ObjectMeta(
                name="argocd-manager-token",
                annotations={"kubernetes.io/service-account.name": "argocd-manager"},
            ),
            type="kubernetes.io/service-account-token",
        ),
    )
    secret = core.read_namespaced_secret("argocd-manager-token", "kube-system")
    long_lived = base64.b64decode(secret.data["token"]).decode()
    assert {"token", "ca.crt", "namespace"} <= set(secret.data)
    assert client.CoreV1Api(kube.client_with_token(long_lived)).list_namespace().items

    request = client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=["api"], expiration_seconds=3600)
    )
    issued = core.create_namespaced_service_account_token("argocd-manager", "kube-system", request)
    assert issued.status.expiration_timestamp is not None
    short_lived = client.CoreV1Api(kube.client_with_token(issued.status.token))
    assert short_lived.read_namespace("default").metadata.name == "default"

    core.delete_namespaced_service_account("argocd-manager", "kube-system")
    with pytest.raises(ApiException) as err:
        short_lived.list_namespace()
    assert err.value.status == 401
    with pytest.raises(ApiException) as tampered:
        client.CoreV1Api(kube.client_with_token(long_lived[:-3] + "abc")).list_namespace()
    assert tampered.value.status == 401


def test_user_finalizers_hold_deletion(kube: Kube) -> None:
    core = kube.core
    held = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="held", finalizers=["example.com/hold"]))
    core.create_namespaced_config_map("default", held)
    core.delete_namespaced_config_map("held", "default")
    terminating = core.read_namespaced_config_map("held", "default")
    assert terminating.metadata.deletion_timestamp is not None
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map("default", held)
    assert err.value.status == 409
    core.patch_namespaced_config_map("held", "default", {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as gone:
        core.read_namespaced_config_map("held", "default")
    assert gone.value.status == 404


def test_status_sent_on_create_is_ignored(kube: Kube) -> None:
    svc = client.V1Service(
        metadata=client.V1ObjectMeta(name="lb"),
        spec=client.V1ServiceSpec(type="LoadBalancer", ports=[client.V1ServicePort(port=80)]),
        status=client.V1ServiceStatus(
            load_balancer=client.V1LoadBalancerStatus(ingress=[client.V1LoadBalancerIngress(ip="1.1.1.1")])
        ),
    )
    assert kube.core.create_namespaced_service("default", svc).status.load_balancer.ingress is None
    assert kube.core.read_namespaced_service("lb", "default").status.load_balancer.ingress[0].ip != "1.1.1.1"
