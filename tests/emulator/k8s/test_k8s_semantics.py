"""API server semantics clients rely on: strategy defaults, no-op writes, reviews, EndpointSlices, `all`."""

from __future__ import annotations

from typing import Any

from http_kit import call
from kube_testkit import Kube, deployment, install_cni
from kubernetes import client


def _statefulset() -> dict[str, Any]:
    labels = {"app": "db"}
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "selector": {"matchLabels": labels},
            "serviceName": "db",
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "db", "image": "postgres"}]},
            },
        },
    }


def test_daemonset_and_statefulset_strategies_are_defaulted(kube: Kube) -> None:
    kube.add_nodes(system=2)
    install_cni(kube)
    ds = kube.apps.read_namespaced_daemon_set("cilium", "kube-system")
    assert ds.spec.update_strategy.type == "RollingUpdate"
    assert (
        ds.spec.update_strategy.rolling_update.max_unavailable,
        ds.spec.update_strategy.rolling_update.max_surge,
    ) == (1, 0)
    assert ds.status.observed_generation == ds.metadata.generation
    assert ds.status.updated_number_scheduled == ds.status.number_available == 2
    kube.apps.create_namespaced_stateful_set("default", _statefulset())
    sts = kube.apps.read_namespaced_stateful_set("db", "default")
    assert (
        sts.spec.update_strategy.type == "RollingUpdate"
        and sts.spec.update_strategy.rolling_update.partition == 0
    )
    assert sts.spec.persistent_volume_claim_retention_policy.when_deleted == "Retain"


def test_writes_that_change_nothing_keep_the_resource_version(kube: Kube) -> None:
    dyn = kube.dynamic()
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default"},
        "data": {"a": "1"},
    }
    first = dyn.server_side_apply(configmaps, body, namespace="default", field_manager="orchestrate")
    again = dyn.server_side_apply(configmaps, body, namespace="default", field_manager="orchestrate")
    other = dyn.server_side_apply(configmaps, body, namespace="default", field_manager="someone-else")
    assert first.metadata.resourceVersion == again.metadata.resourceVersion == other.metadata.resourceVersion
    kube.core.patch_namespaced_config_map("cfg", "default", {"data": {"a": "1"}})
    assert (
        kube.core.read_namespaced_config_map("cfg", "default").metadata.resource_version
        == first.metadata.resourceVersion
    )
    changed = kube.core.patch_namespaced_config_map("cfg", "default", {"data": {"a": "2"}})
    assert changed.metadata.resource_version != first.metadata.resourceVersion


def test_dry_run_changes_nothing(kube: Kube) -> None:
    before = call(kube.url, "GET", "/api/v1/namespaces/default/configmaps").body["metadata"][
        "resourceVersion"
    ]
    body = {"metadata": {"name": "trial"}, "data": {"a": "1"}}
    reply = call(kube.url, "POST", "/api/v1/namespaces/default/configmaps", body, dryRun="All")
    assert reply.status == 201 and reply.body["metadata"]["name"] == "trial"
    after = call(kube.url, "GET", "/api/v1/namespaces/default/configmaps").body
    assert after["metadata"]["resourceVersion"] == before
    assert "trial" not in {i["metadata"]["name"] for i in after["items"]}


def test_access_reviews_answer_from_rbac(kube: Kube) -> None:
    auth = client.AuthorizationV1Api(kube.api)
    ask = {
        "spec": {
            "resourceAttributes": {
                "verb": "create",
                "group": "apps",
                "resource": "deployments",
                "namespace": "default",
            }
        }
    }
    assert auth.create_self_subject_access_review(ask).status.allowed  # the AKS admin is in system:masters
    kube.core.create_namespaced_service_account(
        "default", client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="ci"))
    )
    token = kube.core.create_namespaced_service_account_token(
        "ci", "default", client.AuthenticationV1TokenRequest(spec={})
    )
    as_ci = client.AuthorizationV1Api(kube.client_with_token(token.status.token))
    assert not as_ci.create_self_subject_access_review(ask).status.allowed
    rbac = client.RbacAuthorizationV1Api(kube.api)
    binding = {
        "metadata": {"name": "ci-edit"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "default"}],
    }
    rbac.create_namespaced_role_binding("default", binding)
    allowed = as_ci.create_self_subject_access_review(ask).status
    assert allowed.allowed and 'RoleBinding "default/ci-edit"' in allowed.reason
    elsewhere = {
        "spec": {"resourceAttributes": {**ask["spec"]["resourceAttributes"], "namespace": "kube-system"}}
    }
    assert not as_ci.create_self_subject_access_review(elsewhere).status.allowed
    rules = as_ci.create_self_subject_rules_review({"spec": {"namespace": "default"}}).status
    assert any("create" in r.verbs and "*" in r.resources for r in rules.resource_rules)


def test_who_am_i_and_token_reviews(kube: Kube) -> None:
    authn = client.AuthenticationV1Api(kube.api)
    me = authn.create_self_subject_review(
        {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    )
    assert me.status.user_info.username == "masterclient" and "system:masters" in me.status.user_info.groups
    sa_token = kube.core.create_namespaced_service_account_token(
        "default", "default", client.AuthenticationV1TokenRequest(spec={})
    ).status.token
    review = authn.create_token_review({"spec": {"token": sa_token}}).status
    assert review.authenticated and review.user.username == "system:serviceaccount:default:default"
    assert not authn.create_token_review({"spec": {"token": "forged"}}).status.authenticated


def test_endpoint_slices_follow_services_and_pods(kube: Kube) -> None:
    kube.add_nodes(system=1)
    install_cni(kube)
    kube.apps.create_namespaced_deployment("default", deployment("web", 2))
    ports = [client.V1ServicePort(name="http", port=80, target_port=8080)]
    service = client.V1Service(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1ServiceSpec(selector={"app": "web"}, ports=ports),
    )
    kube.core.create_namespaced_service("default", service)
    discovery = client.DiscoveryV1Api(kube.api)
    (eps,) = discovery.list_namespaced_endpoint_slice(
        "default", label_selector="kubernetes.io/service-name=web"
    ).items
    assert eps.metadata.name.startswith("web-") and eps.address_type == "IPv4"
    assert len(eps.endpoints) == 2 and all(e.conditions.ready for e in eps.endpoints)
    assert [(p.name, p.port, p.protocol) for p in eps.ports] == [("http", 8080, "TCP")]
    kube.apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": 1}})
    (eps,) = discovery.list_namespaced_endpoint_slice(
        "default", label_selector="kubernetes.io/service-name=web"
    ).items
    assert len(eps.endpoints) == 1
    kube.core.delete_namespaced_service("web", "default")
    assert (
        discovery.list_namespaced_endpoint_slice(
            "default", label_selector="kubernetes.io/service-name=web"
        ).items
        == []
    )


def test_the_all_category_lists_what_kubectl_get_all_shows(kube: Kube) -> None:
    found = set()
    for path in ("/api/v1", "/apis/apps/v1", "/apis/batch/v1"):
        for resource in call(kube.url, "GET", path).body["resources"]:
            if "all" in resource.get("categories", []):
                found.add(resource["name"])
    assert found == {
        "pods",
        "services",
        "deployments",
        "replicasets",
        "statefulsets",
        "daemonsets",
        "jobs",
        "cronjobs",
    }
    reviews = call(kube.url, "GET", "/apis/authorization.k8s.io/v1").body["resources"]
    assert {r["name"]: r["verbs"] for r in reviews}["selfsubjectaccessreviews"] == ["create"]
