"""What one cluster contributes to Cluster Mesh, read from its objects (its own or a peer's).

Everything comes from objects the real software reads too: ``cilium-config`` (cluster name, ID, pod
CIDR, tunnel), ``cilium-clustermesh`` (the peers and their endpoints), the agent DaemonSet (its host
aliases, its pods' health), ``cilium-ca``, and the clustermesh-apiserver Service and pods.
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import yaml

from .cilium import AGENT_CRASH, CONFIG_MAP, NAMESPACE

Obj = dict[str, Any]
APISERVER = "clustermesh-apiserver"
MESH_SECRET = "cilium-clustermesh"
CA_SECRET = "cilium-ca"
GLOBAL = "service.cilium.io/global"
BUCKETS = ("configmaps", "secrets", "services", "endpoints", "daemonsets.apps", "pods", "nodes", "jobs.batch")
_KINDS = {
    "configmaps": ("v1", "ConfigMap"),
    "secrets": ("v1", "Secret"),
    "services": ("v1", "Service"),
    "endpoints": ("v1", "Endpoints"),
    "daemonsets.apps": ("apps/v1", "DaemonSet"),
    "pods": ("v1", "Pod"),
    "nodes": ("v1", "Node"),
    "jobs.batch": ("batch/v1", "Job"),
}


class Source(Protocol):
    def items(self, bucket: str) -> list[Obj]: ...

    def get(self, bucket: str, namespace: str, name: str) -> Obj | None: ...


class ContextSource:
    """A ``Source`` over the running cluster's own objects (through its ControllerContext)."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    def items(self, bucket: str) -> list[Obj]:
        api_version, kind = _KINDS[bucket]
        return list(self.ctx.list(api_version, kind))

    def get(self, bucket: str, namespace: str, name: str) -> Obj | None:
        api_version, kind = _KINDS[bucket]
        found = self.ctx.get(api_version, kind, namespace, name)
        return found if isinstance(found, dict) else None


@dataclass(frozen=True)
class Endpoint:
    name: str  # the key in cilium-clustermesh: the peer's cluster name as this cluster expects it
    host: str  # the IP it dials (a host alias resolved), or the unresolved name
    port: int


@dataclass
class MeshFacts:
    cluster_id: str  # ARM id
    name: str = ""
    mesh_id: int | None = None
    pod_cidrs: list[str] = field(default_factory=list)
    tunnel: str = ""
    agents: str = ""  # "" when running, else why not
    ca: str | None = None
    apiserver_ip: str | None = None
    apiserver_ready: bool = False
    peers: list[Endpoint] = field(default_factory=list)
    node_ips: list[str] = field(default_factory=list)
    # ca.crt of the certgen-issued Secrets; None while certgen has not run (unknown: not checked)
    server_cert_ca: str | None = None
    client_cert_ca: str | None = None
    certgen: bool = False  # the cluster runs the cronJob TLS method (a certgen Job exists)


def _decode(secret: Obj, key: str) -> str:
    return base64.b64decode((secret.get("data") or {}).get(key, "")).decode(errors="replace")


def _agents(src: Source) -> str:
    ds = src.get("daemonsets.apps", NAMESPACE, "cilium")
    if ds is None:
        return "Cilium is not installed (no DaemonSet kube-system/cilium)"
    pods = [p for p in src.items("pods") if (p["metadata"].get("labels") or {}).get("k8s-app") == "cilium"]
    crashing = [p for p in pods if (p["metadata"].get("annotations") or {}).get(AGENT_CRASH)]
    if crashing:
        return f"cilium agent CrashLoopBackOff: {crashing[0]['metadata']['annotations'][AGENT_CRASH]}"
    if not any(p["status"].get("phase") == "Running" for p in pods):
        return "no cilium agent pod is running"
    return ""


def _endpoints(secret: Obj | None, aliases: dict[str, str]) -> list[Endpoint]:
    found = []
    for name in sorted((secret or {}).get("data") or {}):
        config = yaml.safe_load(_decode(secret or {}, name)) or {}
        urls = config.get("endpoints") or [] if isinstance(config, dict) else []
        split = urlsplit(str(urls[0])) if urls else None
        host = (split.hostname or "") if split else ""
        found.append(Endpoint(name, aliases.get(host, host), (split.port if split else None) or 2379))
    return found


def _aliases(src: Source) -> dict[str, str]:
    ds = src.get("daemonsets.apps", NAMESPACE, "cilium") or {}
    spec = ds.get("spec", {}).get("template", {}).get("spec", {})
    return {h: a.get("ip", "") for a in spec.get("hostAliases") or [] for h in a.get("hostnames") or []}


def _apiserver(src: Source, facts: MeshFacts) -> None:
    svc = src.get("services", NAMESPACE, APISERVER)
    if svc is None:
        return
    ingress = (svc.get("status") or {}).get("loadBalancer", {}).get("ingress") or []
    facts.apiserver_ip = ingress[0].get("ip") if ingress else None
    pods = [p for p in src.items("pods") if (p["metadata"].get("labels") or {}).get("k8s-app") == APISERVER]
    facts.apiserver_ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for p in pods
        for c in p["status"].get("conditions") or []
    )


def _certificates(src: Source, facts: MeshFacts) -> None:
    server = src.get("secrets", NAMESPACE, "clustermesh-apiserver-server-cert")
    client = src.get("secrets", NAMESPACE, "clustermesh-apiserver-remote-cert")
    facts.server_cert_ca = _decode(server, "ca.crt") if server is not None else None
    facts.client_cert_ca = _decode(client, "ca.crt") if client is not None else None
    facts.certgen = src.get("jobs.batch", NAMESPACE, "clustermesh-apiserver-generate-certs") is not None


def collect(src: Source, cluster_id: str) -> MeshFacts:
    facts = MeshFacts(cluster_id)
    config = (src.get("configmaps", NAMESPACE, CONFIG_MAP) or {}).get("data") or {}
    facts.name = str(config.get("cluster-name", ""))
    facts.mesh_id = _int(config.get("cluster-id"))
    facts.pod_cidrs = str(config.get("cluster-pool-ipv4-cidr", "")).split()
    facts.tunnel = f"{config.get('routing-mode', 'tunnel')}/{config.get('tunnel-protocol', 'vxlan')}"
    facts.agents = _agents(src)
    ca = src.get("secrets", NAMESPACE, CA_SECRET)
    facts.ca = _decode(ca, "ca.crt") if ca is not None else None
    _apiserver(src, facts)
    _certificates(src, facts)
    facts.peers = _endpoints(src.get("secrets", NAMESPACE, MESH_SECRET), _aliases(src))
    facts.node_ips = [
        a["address"]
        for n in src.items("nodes")
        for a in n["status"].get("addresses") or []
        if a.get("type") == "InternalIP"
    ]
    return facts


def ready_backends(src: Source, namespace: str, name: str) -> int:
    """How many ready addresses the Service's Endpoints list (0 when it is not a global Service)."""
    svc = src.get("services", namespace, name)
    if svc is None or (svc["metadata"].get("annotations") or {}).get(GLOBAL) != "true":
        return 0
    endpoints = src.get("endpoints", namespace, name) or {}
    return sum(len(s.get("addresses") or []) for s in endpoints.get("subsets") or [])


def overlap(a: list[str], b: list[str]) -> bool:
    nets_a = [ipaddress.ip_network(c, strict=False) for c in a if _is_cidr(c)]
    return any(x.overlaps(ipaddress.ip_network(c, strict=False)) for c in b if _is_cidr(c) for x in nets_a)


def _is_cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
