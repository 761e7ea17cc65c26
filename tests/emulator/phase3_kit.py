"""A two-cluster phase-3 landscape on a real LocalCloud: VNet, subnets with phase-1-like NSGs, AKS
clusters (BYO CNI), the model Cilium chart rendered by the real ``helm`` and applied with the real
kubernetes client, a shared cilium-ca, and a global Service with backends in app1 only."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aks_testkit import NETWORK_CONTRIBUTOR, AksEnv, cluster, kube_client, system_pool
from arm_testkit import LOC, SUB, StaticToken, client_kwargs
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from kubernetes import client as kclient
from kubernetes.dynamic import DynamicClient

from emulator import LocalCloud

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "emulator" / "charts" / "cilium"
HELM = shutil.which("helm") or str(REPO / ".venv" / "bin" / "helm")
RG = "rg1"
VNET_ID = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/vnet"
SUBNETS = {"mgmt": "10.1.0.0/22", "app1": "10.1.4.0/22", "services": "10.1.12.0/24"}
PODS = {"aks-mgmt": "10.100.0.0/16", "aks-app1": "10.101.0.0/16"}
CLUSTER_SUBNET = {"aks-mgmt": "mgmt", "aks-app1": "app1"}
CLUSTER_IDS = {"aks-mgmt": 1, "aks-app1": 2}
MESH_PORTS = (("allow-mesh-vxlan", "Udp", ["8472"]), ("allow-mesh-health", "Tcp", ["4240"]),
              ("allow-mesh-apiserver", "Tcp", ["2379"]))  # fmt: skip
CA = {"ca.crt": "-----BEGIN CERTIFICATE-----\nshared-test-ca\n-----END CERTIFICATE-----\n", "ca.key": "k"}
ILB = {
    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
    "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "services",
}


def helm_env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HELM_CACHE_HOME": str(tmp / "helm-cache"),
        "HELM_CONFIG_HOME": str(tmp / "helm-config"),
        "HELM_DATA_HOME": str(tmp / "helm-data"),
    }


def render(values: dict[str, Any], tmp: Path, *extra: str, chart: Path = CHART) -> list[dict[str, Any]]:
    path = tmp / f"values-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(yaml.safe_dump(values))
    out = subprocess.run(
        [HELM, "template", "cilium", str(chart), "-n", "kube-system", "-f", str(path), *extra],
        check=True, capture_output=True, text=True, env=helm_env(tmp),
    )  # fmt: skip
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def cilium_values(name: str, peers: dict[str, str], **over: Any) -> dict[str, Any]:
    """What the phase-3 steps set (aks-network-cilium.md section 6), peers: name -> apiserver IP."""
    values: dict[str, Any] = {
        "cluster": {"name": name, "id": CLUSTER_IDS[name]},
        "aksbyocni": {"enabled": True},
        "ipam": {"mode": "cluster-pool", "operator": {"clusterPoolIPv4PodCIDRList": [PODS[name]]}},
        "routingMode": "tunnel",
        "tunnelProtocol": "vxlan",
        "kubeProxyReplacement": True,
        "k8sServiceHost": f"{name}.hcp.koreacentral.azmk8s.io",
        "k8sServicePort": 443,
        "gatewayAPI": {"enabled": True},
        "hubble": {"relay": {"enabled": True}, "tls": {"auto": {"method": "cronJob"}}},
        "operator": {"replicas": 1},
        "clustermesh": {
            "useAPIServer": True,
            "apiserver": {
                "service": {"type": "LoadBalancer", "annotations": ILB},
                "tls": {"auto": {"method": "cronJob"}},
            },
            "config": {
                "enabled": True,
                "clusters": [{"name": n, "address": ip, "port": 2379} for n, ip in sorted(peers.items())],
            },
        },
    }
    for dotted, value in over.items():
        node = values
        *parents, last = dotted.split("__")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return values


def _rule(
    name: str, priority: int, proto: str, sources: list[str], ports: list[str], dests: list[str]
) -> dict[str, Any]:
    return {
        "name": name,
        "properties": {
            "priority": priority, "direction": "Inbound", "access": "Allow", "protocol": proto,
            "sourcePortRange": "*", "sourceAddressPrefixes": sources,
            "destinationAddressPrefixes": dests, "destinationPortRanges": ports,
        },
    }  # fmt: skip


def nsg_rules(subnet: str) -> list[dict[str, Any]]:
    clusters = [s for s in SUBNETS if s != "services"]
    deny = {"name": "deny-vnet-inbound", "properties": {
        "priority": 4000, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourcePortRange": "*",
        "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "*", "destinationPortRange": "*"}}  # fmt: skip
    if subnet == "services":
        peers = [SUBNETS[c] for c in clusters]
        return [_rule("allow-mesh-apiserver", 100, "Tcp", peers, ["2379"], [SUBNETS["services"]]), deny]
    own, peers = SUBNETS[subnet], [SUBNETS[c] for c in clusters if c != subnet]
    rules = [_rule("allow-intra-subnet", 100, "*", [own], ["*"], [own])]
    for i, (name, proto, ports) in enumerate(MESH_PORTS):
        dests = [own, SUBNETS["services"]] if name == "allow-mesh-apiserver" else [own]
        rules.append(_rule(name, 120 + 10 * i, proto, peers, ports, dests))
    return [*rules, deny]


@dataclass
class Landscape:
    cloud: LocalCloud
    env: AksEnv
    tmp: Path
    apis: dict[str, kclient.ApiClient] = field(default_factory=dict)

    def api(self, name: str) -> kclient.ApiClient:
        if name not in self.apis:
            self.apis[name] = kube_client(self.env, name)
        return self.apis[name]

    def core(self, name: str) -> kclient.CoreV1Api:
        return kclient.CoreV1Api(self.api(name))

    def apply(self, name: str, docs: list[dict[str, Any]]) -> None:
        dyn = DynamicClient(self.api(name))
        for doc in docs:
            res = dyn.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
            ns = doc["metadata"].get("namespace") if res.namespaced else None
            res.server_side_apply(
                body=doc,
                name=doc["metadata"]["name"],
                namespace=ns,
                field_manager="test",
                force_conflicts=True,
            )

    def apiserver_ip(self, name: str) -> str:
        svc = self.core(name).read_namespaced_service("clustermesh-apiserver", "kube-system")
        return str(svc.status.load_balancer.ingress[0].ip)

    def set_ca(self, name: str, crt: str) -> None:
        data = {**CA, "ca.crt": crt}
        body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cilium-ca", "namespace": "kube-system"},
                "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}  # fmt: skip
        self.apply(name, [body])

    def nsg(self, subnet: str) -> NetworkManagementClient:
        return self.env.net


def _network(net: NetworkManagementClient) -> None:
    for subnet in SUBNETS:
        body = {"location": LOC, "properties": {"securityRules": nsg_rules(subnet)}}
        net.network_security_groups.begin_create_or_update(RG, f"nsg-{subnet}", body).result()
    subnets = [
        {"name": n, "properties": {"addressPrefix": c, "networkSecurityGroup": {
            "id": f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-{n}"}}}
        for n, c in SUBNETS.items()
    ]  # fmt: skip
    vnet = {
        "location": LOC,
        "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "subnets": subnets},
    }
    net.virtual_networks.begin_create_or_update(RG, "vnet", vnet).result()


def make_env(cloud: LocalCloud) -> AksEnv:
    def factory(cls: Callable[..., Any]) -> Any:
        return cls(StaticToken(cloud.token), SUB, **client_kwargs(cloud))

    factory(ResourceManagementClient).resource_groups.create_or_update(RG, {"location": LOC})
    net: NetworkManagementClient = factory(NetworkManagementClient)
    _network(net)
    ident = factory(ManagedServiceIdentityClient).user_assigned_identities.create_or_update(
        RG, "aks-cp", {"location": LOC}
    )
    auth: AuthorizationManagementClient = factory(AuthorizationManagementClient)
    role = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{NETWORK_CONTRIBUTOR}"
    props = {"roleDefinitionId": role, "principalId": ident.principal_id, "principalType": "ServicePrincipal"}
    auth.role_assignments.create(VNET_ID, str(uuid.uuid4()), {"properties": props})
    return AksEnv(factory(ContainerServiceClient), factory(ComputeManagementClient), net, auth, RG,
                  f"{VNET_ID}/subnets/mgmt", str(ident.id), str(ident.principal_id))  # fmt: skip


def create_clusters(env: AksEnv) -> None:
    polls = []
    for name, subnet in CLUSTER_SUBNET.items():
        pool = system_pool(env, vnet_subnet_id=f"{VNET_ID}/subnets/{subnet}")
        body = cluster(env, [pool], pod_cidr=PODS[name])
        body.dns_prefix = name
        polls.append(env.aks.managed_clusters.begin_create_or_update(RG, name, body))
    for poll in polls:
        poll.result()


def echo(namespace: str = "demo", *, backends: bool) -> list[dict[str, Any]]:
    labels = {"app": "echo"}
    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "echo", "namespace": namespace, "annotations": {"service.cilium.io/global": "true"}},
           "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]}}  # fmt: skip
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        svc,
    ]
    if backends:
        docs.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "echo", "namespace": namespace},
                     "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
                         "metadata": {"labels": labels},
                         "spec": {"containers": [{"name": "echo", "image": "ealen/echo-server:0.9.2",
                                                  "ports": [{"containerPort": 8080}]}]}}}})  # fmt: skip
    return docs


def build(cloud: LocalCloud, tmp: Path) -> Landscape:
    """Both clusters with Cilium, the mesh configured at the real apiserver addresses, echo in app1."""
    land = Landscape(cloud, make_env(cloud), tmp)
    create_clusters(land.env)
    for name in CLUSTER_SUBNET:
        land.set_ca(name, CA["ca.crt"])
        land.apply(name, render(cilium_values(name, {}), tmp))
    ips = {name: land.apiserver_ip(name) for name in CLUSTER_SUBNET}
    for name in CLUSTER_SUBNET:
        peers = {n: ip for n, ip in ips.items() if n != name}
        land.apply(name, render(cilium_values(name, peers), tmp))
    land.apply("aks-app1", echo(backends=True))
    land.apply("aks-mgmt", echo(backends=False))
    return land


def probe(land: Landscape, target: str = "demo/echo") -> dict[str, Any]:
    """Run a probe Job in mgmt; returns its status (as a dict) and deletes it."""
    name = f"probe-{uuid.uuid4().hex[:6]}"
    job = {"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": name, "namespace": "default", "annotations": {"mesh.orchestrate.io/probe": target}},
           "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [
               {"name": "curl", "image": "curlimages/curl:8.10.1",
                "args": ["-sf", "--max-time", "10", "http://echo.demo.svc.cluster.local"]}]}}}}  # fmt: skip
    batch = kclient.BatchV1Api(land.api("aks-mgmt"))
    batch.create_namespaced_job("default", job)
    found = land.api("aks-mgmt").sanitize_for_serialization(batch.read_namespaced_job_status(name, "default"))
    batch.delete_namespaced_job(name, "default", propagation_policy="Background")
    return dict(found.get("status") or {})


def failed_message(status: dict[str, Any]) -> str:
    return next((c["message"] for c in status.get("conditions") or [] if c["type"] == "Failed"), "")
