"""Phase-3 models through the real clients: Cilium agent, internal LBs, Cluster Mesh and its probe."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from kubernetes import client as kclient
from phase3_kit import (
    CA,
    RG,
    Landscape,
    build,
    cilium_values,
    failed_message,
    nsg_rules,
    probe,
    render,
)

from emulator import LocalCloud, Settings


@pytest.fixture(scope="module")
def land(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Landscape]:
    tmp = tmp_path_factory.mktemp("phase3")
    with LocalCloud.start(tmp / "cloud", Settings()) as cloud:
        yield build(cloud, tmp)


def _ok(status: dict[str, object]) -> bool:
    conditions = status.get("conditions") or []
    return status.get("succeeded") == 1 and any(c["type"] == "Complete" for c in conditions)  # type: ignore[union-attr,index]


def _peers(land: Landscape, name: str, **over: str) -> dict[str, str]:
    others = [n for n in ("aks-mgmt", "aks-app1") if n != name]
    return {n: over.get(n.replace("-", "_"), land.apiserver_ip(n)) for n in others}


def test_cilium_makes_nodes_ready_and_the_apiservers_get_addresses_in_the_services_subnet(
    land: Landscape,
) -> None:
    for name in ("aks-mgmt", "aks-app1"):
        nodes = land.core(name).list_node().items
        assert nodes and all(
            c.status == "True" for n in nodes for c in n.status.conditions if c.type == "Ready"
        )
        assert land.apiserver_ip(name).startswith("10.1.12.")
    assert land.apiserver_ip("aks-mgmt") != land.apiserver_ip("aks-app1")


def test_probe_succeeds_over_a_working_mesh(land: Landscape) -> None:
    status = probe(land)
    assert _ok(status), status


def test_probe_fails_without_backends_anywhere(land: Landscape) -> None:
    status = probe(land, "demo/missing")
    assert status.get("failed") == 1
    assert "Could not resolve host: missing.demo.svc.cluster.local" in failed_message(status)


def test_a_wrong_peer_address_names_the_peer_and_the_address(land: Landscape) -> None:
    land.apply(
        "aks-mgmt",
        render(cilium_values("aks-mgmt", _peers(land, "aks-mgmt", aks_app1="10.1.12.99")), land.tmp),
    )
    message = failed_message(probe(land))
    assert "aks-mgmt lists peer aks-app1 at 10.1.12.99:2379" in message
    land.apply("aks-mgmt", render(cilium_values("aks-mgmt", _peers(land, "aks-mgmt")), land.tmp))
    assert _ok(probe(land))


def test_a_peer_missing_from_the_other_side_breaks_the_link(land: Landscape) -> None:
    land.apply("aks-app1", render(cilium_values("aks-app1", {}), land.tmp))
    assert "aks-app1 does not list peer aks-mgmt" in failed_message(probe(land))
    land.apply("aks-app1", render(cilium_values("aks-app1", _peers(land, "aks-app1")), land.tmp))
    assert _ok(probe(land))


def test_a_different_ca_names_both_clusters(land: Landscape) -> None:
    land.set_ca("aks-app1", "-----BEGIN CERTIFICATE-----\nother\n-----END CERTIFICATE-----\n")
    assert "cilium-ca differs between aks-mgmt and aks-app1" in failed_message(probe(land))
    land.set_ca("aks-app1", CA["ca.crt"])
    assert _ok(probe(land))


def test_a_duplicate_cluster_id_is_named(land: Landscape) -> None:
    values = cilium_values("aks-app1", _peers(land, "aks-app1"), cluster__id=1)
    land.apply("aks-app1", render(values, land.tmp))
    assert "aks-mgmt and aks-app1 have the same cluster.id 1" in failed_message(probe(land))
    land.apply("aks-app1", render(cilium_values("aks-app1", _peers(land, "aks-app1")), land.tmp))
    assert _ok(probe(land))


def _set_rules(land: Landscape, subnet: str, rules: list[dict[str, object]]) -> None:
    body = {"location": "koreacentral", "properties": {"securityRules": rules}}
    land.env.net.network_security_groups.begin_create_or_update(RG, f"nsg-{subnet}", body).result()


@pytest.mark.parametrize(
    ("subnet", "rule", "cause"),
    [
        (
            "app1",
            "allow-mesh-vxlan",
            "aks-mgmt -> aks-app1 VXLAN (UDP 8472): NSG nsg-app1 rule deny-vnet-inbound",
        ),
        ("services", "allow-mesh-apiserver", "clustermesh-apiserver 10.1.12."),
        ("app1", "allow-mesh-apiserver", "NSG nsg-app1 rule deny-vnet-inbound denies inbound Tcp 2379"),
    ],
)
def test_an_nsg_without_a_mesh_port_names_the_rule(
    land: Landscape, subnet: str, rule: str, cause: str
) -> None:
    _set_rules(land, subnet, [r for r in nsg_rules(subnet) if r["name"] != rule])
    assert cause in failed_message(probe(land))
    _set_rules(land, subnet, nsg_rules(subnet))
    assert _ok(probe(land))


def test_backends_gone_in_the_peer_fail_the_probe(land: Landscape) -> None:
    apps = land.api("aks-app1")
    from kubernetes import client as kclient

    kclient.AppsV1Api(apps).patch_namespaced_deployment_scale("echo", "demo", {"spec": {"replicas": 0}})
    assert "peer aks-app1: no ready backend of global Service demo/echo" in failed_message(probe(land))
    kclient.AppsV1Api(apps).patch_namespaced_deployment_scale("echo", "demo", {"spec": {"replicas": 1}})
    assert _ok(probe(land))


def test_a_bad_cilium_config_crashloops_the_agent_and_keeps_nodes_not_ready(land: Landscape) -> None:
    values = cilium_values("aks-app1", _peers(land, "aks-app1"), k8sServiceHost="")
    land.apply("aks-app1", render(values, land.tmp))
    core = land.core("aks-app1")
    pod = core.list_namespaced_pod("kube-system", label_selector="k8s-app=cilium").items[0]
    waiting = pod.status.container_statuses[0].state.waiting
    assert waiting.reason == "CrashLoopBackOff" and "k8sServiceHost" in waiting.message
    assert all(
        c.status == "False" for n in core.list_node().items for c in n.status.conditions if c.type == "Ready"
    )
    assert "cilium agent CrashLoopBackOff" in failed_message(probe(land))
    values = cilium_values(
        "aks-app1", _peers(land, "aks-app1"), ipam__operator__clusterPoolIPv4PodCIDRList=["10.0.0.0/8"]
    )
    land.apply("aks-app1", render(values, land.tmp))
    pod = core.list_namespaced_pod("kube-system", label_selector="k8s-app=cilium").items[0]
    assert (
        "differs from the cluster's pod CIDR 10.101.0.0/16"
        in pod.status.container_statuses[0].state.waiting.message
    )
    land.apply("aks-app1", render(cilium_values("aks-app1", _peers(land, "aks-app1")), land.tmp))
    assert all(
        c.status == "True" for n in core.list_node().items for c in n.status.conditions if c.type == "Ready"
    )
    assert _ok(probe(land))


def _lb(land: Landscape, name: str, **annotations: str) -> dict[str, object]:
    from phase3_kit import ILB

    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": name, "namespace": "default", "annotations": {**ILB, **annotations}},
           "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}}  # fmt: skip
    land.apply("aks-app1", [svc])
    core = land.core("aks-app1")
    found = land.api("aks-app1").sanitize_for_serialization(core.read_namespaced_service(name, "default"))
    events = core.list_namespaced_event("default", field_selector=f"involvedObject.name={name}").items
    return {"status": found["status"], "events": [e.message for e in events]}


def test_internal_lb_ip_comes_from_the_named_subnet_or_stays_pending_with_why(land: Landscape) -> None:
    ok = _lb(land, "ilb-ok", **{"service.beta.kubernetes.io/azure-load-balancer-ipv4": "10.1.12.50"})
    assert ok["status"]["loadBalancer"]["ingress"][0]["ip"] == "10.1.12.50"  # type: ignore[index]
    cases = {
        "ilb-nosubnet": ({"service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "nope"}, "subnet 'nope' not found"),
        "ilb-outside": ({"service.beta.kubernetes.io/azure-load-balancer-ipv4": "10.1.0.50"}, "10.1.0.50 is not in subnet services"),
        "ilb-taken": ({"service.beta.kubernetes.io/azure-load-balancer-ipv4": land.apiserver_ip("aks-mgmt")}, "already used"),
    }  # fmt: skip
    for name, (extra, cause) in cases.items():
        found = _lb(land, name, **extra)
        assert found["status"]["loadBalancer"] == {}, name  # type: ignore[index]
        assert any(cause in str(m) for m in found["events"]), (name, found["events"])  # type: ignore[union-attr]


def test_the_rendered_mesh_secret_lists_every_peer(land: Landscape) -> None:
    secret = land.core("aks-mgmt").read_namespaced_secret("cilium-clustermesh", "kube-system")
    config = base64.b64decode(secret.data["aks-app1"]).decode()
    assert f"https://{land.apiserver_ip('aks-app1')}:2379" in config


def _gateway_status(land: Landscape, kind: str, name: str) -> dict[str, object]:
    from kubernetes import client as kclient

    plural = {"Gateway": "gateways", "HTTPRoute": "httproutes"}[kind]
    api = kclient.CustomObjectsApi(land.api("aks-app1"))
    found = api.get_namespaced_custom_object("gateway.networking.k8s.io", "v1", "demo", plural, name)
    return dict(found.get("status") or {})


def _conditions(status: dict[str, object]) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in status.get("conditions") or []}  # type: ignore[union-attr,index]


def test_gateway_is_programmed_only_with_cilium_gateway_api_and_routes_resolve_their_backends(
    land: Landscape,
) -> None:
    import yaml

    from emulator.charts import ChartRepository

    manifest = next(a for a in ChartRepository().artifacts if a.name == "gateway-api-standard")
    land.apply("aks-app1", [d for d in yaml.safe_load_all(manifest.data) if d])
    with_api = ("--api-versions", "gateway.networking.k8s.io/v1/GatewayClass")
    off = cilium_values("aks-app1", _peers(land, "aks-app1"), gatewayAPI__enabled=False)
    land.apply("aks-app1", render(off, land.tmp))
    gateway = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
               "metadata": {"name": "web", "namespace": "demo"},
               "spec": {"gatewayClassName": "cilium", "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}}  # fmt: skip
    land.apply("aks-app1", [gateway])
    assert "Programmed" not in _conditions(_gateway_status(land, "Gateway", "web"))  # no controller runs
    land.apply("aks-app1", render(cilium_values("aks-app1", _peers(land, "aks-app1")), land.tmp, *with_api))
    status = _gateway_status(land, "Gateway", "web")
    assert _conditions(status)["Programmed"] == ("True", "Programmed")
    assert status["addresses"][0]["type"] == "IPAddress" and status["addresses"][0]["value"]  # type: ignore[index]
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
             "metadata": {"name": "web", "namespace": "demo"},
             "spec": {"parentRefs": [{"name": "web"}], "rules": [{"backendRefs": [{"name": "nope", "port": 80}]}]}}  # fmt: skip
    land.apply("aks-app1", [route])
    parent = _gateway_status(land, "HTTPRoute", "web")["parents"][0]  # type: ignore[index]
    assert _conditions(parent)["Accepted"] == ("True", "Accepted")
    assert _conditions(parent)["ResolvedRefs"] == ("False", "BackendNotFound")
    route["spec"]["rules"][0]["backendRefs"][0]["name"] = "echo"  # type: ignore[index]
    land.apply("aks-app1", [route])
    parent = _gateway_status(land, "HTTPRoute", "web")["parents"][0]  # type: ignore[index]
    assert _conditions(parent)["ResolvedRefs"] == ("True", "ResolvedRefs")
    assert _gateway_status(land, "Gateway", "web")["listeners"][0]["attachedRoutes"] == 1  # type: ignore[index]


def test_certgen_issued_the_apiserver_certificates_with_the_shared_ca(land: Landscape) -> None:
    for name in ("aks-mgmt", "aks-app1"):
        core = land.core(name)
        for secret in ("clustermesh-apiserver-server-cert", "clustermesh-apiserver-remote-cert"):
            found = core.read_namespaced_secret(secret, "kube-system")
            assert base64.b64decode(found.data["ca.crt"]).decode() == CA["ca.crt"]
        job = kclient.BatchV1Api(land.api(name)).read_namespaced_job(
            "clustermesh-apiserver-generate-certs", "kube-system"
        )
        assert job.status.succeeded == 1


def test_certgen_fails_without_a_ca_when_generation_is_off(land: Landscape) -> None:
    values = cilium_values("aks-app1", _peers(land, "aks-app1"), certgen__generateCA=False)
    job = next(d for d in render(values, land.tmp) if d["kind"] == "Job")
    job["metadata"]["name"] = "certgen-no-ca"
    job["spec"]["backoffLimit"] = 0
    job["spec"]["template"]["spec"]["containers"][0]["args"] = [
        a.replace("--ca-secret-name=cilium-ca", "--ca-secret-name=absent-ca")
        for a in job["spec"]["template"]["spec"]["containers"][0]["args"]
    ]
    land.apply("aks-app1", [job])
    found = kclient.BatchV1Api(land.api("aks-app1")).read_namespaced_job_status(
        "certgen-no-ca", "kube-system"
    )
    failed = next(c for c in found.status.conditions if c.type == "Failed")
    assert "secret kube-system/absent-ca not found and CA generation is disabled" in failed.message
    kclient.BatchV1Api(land.api("aks-app1")).delete_namespaced_job(
        "certgen-no-ca", "kube-system", propagation_policy="Background"
    )
