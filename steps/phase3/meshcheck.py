"""Why Cluster Mesh would not connect, read from the live clusters and the live NSGs: what
`cilium clustermesh status` and a look at the NSGs would tell an operator, as sentences.

Per cluster it reads `cilium-config` (cluster name, ID, pod CIDR), the `cilium-ca` certificate (its
fingerprint only; the key is dropped as soon as the Secret is read), `cilium-clustermesh` (the peers
and the endpoints it dials), the agent DaemonSet's host aliases (how those names resolve) and the
clustermesh-apiserver Service's load-balancer IP. Across clusters it checks: names and IDs unique and
in range, one CA, pod CIDRs apart, every peer listed at the address its clustermesh-apiserver has,
and the NSGs letting TCP 2379 (to that address) and UDP 8472 (VXLAN, node to node) through.

Nothing here writes, and nothing it returns holds a secret."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import permutations
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from orchestrator.azure.retry import call_azure
from orchestrator.config.model import Deployment
from orchestrator.errors import NotFound
from orchestrator.kube.errors import call_kube
from steps import names
from steps.phase3.nsg_path import Flow, Rule, deciding_rule, inbound_rules

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

NAMESPACE = "kube-system"
NO_IP_YET = "clustermesh-apiserver Service has no load-balancer IP"  # the one problem time may solve
APISERVER_PORT, VXLAN_PORT = 2379, 8472


@dataclass
class MeshView:
    """One cluster's part in the mesh, as its live objects state it."""

    cluster: str
    installed: bool = False
    name: str = ""
    mesh_id: str = ""
    pod_cidrs: list[str] = field(default_factory=list)
    ca: str | None = None  # sha256 fingerprint of ca.crt
    apiserver_ip: str | None = None
    peers: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (dialled address, port)


def _secret_data(core: Any, name: str) -> dict[str, str] | None:
    try:
        secret = call_kube(lambda: core.read_namespaced_secret(name, NAMESPACE))
    except NotFound:
        return None
    return dict(secret.data or {})


def _decode(value: str) -> str:
    return base64.b64decode(value or "").decode(errors="replace")


def read_view(ctx: StepContext, cluster: str) -> MeshView:
    from kubernetes import client

    api = ctx.kube().api(cluster)
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    view = MeshView(cluster)
    try:
        config = call_kube(lambda: core.read_namespaced_config_map("cilium-config", NAMESPACE)).data or {}
    except NotFound:
        return view
    view.installed = True
    view.name, view.mesh_id = str(config.get("cluster-name", "")), str(config.get("cluster-id", ""))
    view.pod_cidrs = str(config.get("cluster-pool-ipv4-cidr", "")).split()
    ca = _secret_data(core, "cilium-ca")
    view.ca = hashlib.sha256(_decode(ca.get("ca.crt", "")).encode()).hexdigest()[:16] if ca else None
    try:
        svc = call_kube(lambda: core.read_namespaced_service("clustermesh-apiserver", NAMESPACE))
        ingress = (
            svc.status.load_balancer.ingress if svc.status and svc.status.load_balancer else None
        ) or []
        view.apiserver_ip = next((str(i.ip) for i in ingress if i.ip), None)
    except NotFound:
        pass
    aliases: dict[str, str] = {}
    try:
        ds = call_kube(lambda: apps.read_namespaced_daemon_set("cilium", NAMESPACE))
        pod = ds.spec.template.spec if ds.spec and ds.spec.template else None
        for alias in (pod.host_aliases if pod else None) or []:
            aliases.update({host: str(alias.ip) for host in alias.hostnames or []})
    except NotFound:
        pass
    for peer, text in sorted((_secret_data(core, "cilium-clustermesh") or {}).items()):
        doc = yaml.safe_load(_decode(text)) or {}
        endpoints = doc.get("endpoints") or [] if isinstance(doc, dict) else []
        url = urlsplit(str(endpoints[0])) if endpoints else None
        host = (url.hostname or "") if url else ""
        view.peers[peer] = (aliases.get(host, host), (url.port if url else None) or APISERVER_PORT)
    return view


def identity_problems(views: Sequence[MeshView]) -> list[str]:
    out = [
        f"Cilium is not installed on {v.cluster} (no kube-system/cilium-config)"
        for v in views
        if not v.installed
    ]
    live = [v for v in views if v.installed]
    for a, b in ((a, b) for i, a in enumerate(live) for b in live[i + 1 :]):
        if a.mesh_id == b.mesh_id:
            out.append(f"{a.cluster} and {b.cluster} have the same cluster-id {a.mesh_id} (cilium-config)")
        if a.name == b.name:
            out.append(f"{a.cluster} and {b.cluster} are both named {a.name!r} (cilium-config cluster-name)")
        if _overlap(a.pod_cidrs, b.pod_cidrs):
            out.append(f"pod CIDRs overlap: {a.cluster} {a.pod_cidrs}, {b.cluster} {b.pod_cidrs}")
    out += [
        f"{v.cluster} has cluster-id {v.mesh_id!r} (cilium-config; must be 1-255)"
        for v in live
        if not (v.mesh_id.isdigit() and 1 <= int(v.mesh_id) <= 255)
    ]
    cas = {v.ca for v in live}
    if None in cas:
        out += [f"{v.cluster} has no kube-system/cilium-ca Secret" for v in live if v.ca is None]
    elif len(cas) > 1:
        held = ", ".join(f"{v.cluster} {v.ca}" for v in live)
        out.append(
            f"the clusters hold different cilium-ca certificates (sha256 {held}); the mesh needs one CA"
        )
    return out


def listing_problems(views: Sequence[MeshView]) -> list[str]:
    out = []
    for a, b in permutations([v for v in views if v.installed], 2):
        if b.apiserver_ip is None:
            out.append(f"{b.cluster}'s {NO_IP_YET}")
            continue
        listed = a.peers.get(b.name)
        if listed is None:
            out.append(f"{a.cluster} does not list peer {b.name} (cilium-clustermesh)")
        elif listed != (b.apiserver_ip, APISERVER_PORT):
            out.append(
                f"{a.cluster} dials peer {b.name} at {listed[0]}:{listed[1]}, but {b.cluster}'s"
                f" clustermesh-apiserver is at {b.apiserver_ip}:{APISERVER_PORT}"
            )
    return list(dict.fromkeys(out))


def firewall_problems(ctx: StepContext, config: Deployment, views: Sequence[MeshView]) -> list[str]:
    """TCP 2379 to each peer's clustermesh-apiserver and UDP 8472 to its nodes, through the NSGs of
    the peer's subnet and (for 2379) of the subnet holding the load balancer's frontend."""
    rg, space = names.network_rg(config), [config.network.vnet_cidr]
    nsgs: dict[str, list[Rule]] = {}

    def rules(subnet: str) -> tuple[str, list[Rule]]:
        name = names.nsg(config, subnet)
        if name not in nsgs:
            nsg = call_azure(lambda: ctx.services.azure.network().network_security_groups.get(rg, name))
            nsgs[name] = inbound_rules(nsg)
        return name, nsgs[name]

    out = []
    subnet_of = {c.name: config.subnet(c.subnet) for c in config.clusters}
    for a, b in permutations([v for v in views if v.installed and v.cluster in subnet_of], 2):
        source, target = subnet_of[a.cluster].cidr, subnet_of[b.cluster]
        checks = [(Flow(source, _first_ip(target.cidr), "Udp", VXLAN_PORT), target.name, "VXLAN")]
        if b.apiserver_ip:
            front = next((s for s in config.network.subnets if _holds(s.cidr, b.apiserver_ip)), None)
            flow = Flow(source, b.apiserver_ip, "Tcp", APISERVER_PORT)
            for subnet in dict.fromkeys([*([front.name] if front else []), target.name]):
                checks.append((flow, subnet, "clustermesh-apiserver"))
        for flow, subnet, what in checks:
            nsg, ordered = rules(subnet)
            rule = deciding_rule(ordered, flow, space)
            if rule is None or rule.access.lower() != "allow":
                by = f"rule {rule.name} (priority {rule.priority}, {rule.access})" if rule else "no rule"
                out.append(
                    f"NSG {nsg} blocks {a.cluster} -> {b.cluster} {what} ({flow.protocol.upper()}"
                    f" {flow.port} from {source} to {flow.destination}): {by}"
                )
    return out


def diagnose(ctx: StepContext, config: Deployment) -> list[str]:
    """Every reason the mesh between the configured clusters would not connect (empty: none found)."""
    views = [read_view(ctx, c.name) for c in config.clusters]
    return [*identity_problems(views), *listing_problems(views), *firewall_problems(ctx, config, views)]


def _overlap(a: list[str], b: list[str]) -> bool:
    try:
        return any(ipaddress.ip_network(x).overlaps(ipaddress.ip_network(y)) for x in a for y in b)
    except ValueError:
        return False


def _holds(cidr: str, ip: str) -> bool:
    return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)


def _first_ip(cidr: str) -> str:
    return str(next(ipaddress.ip_network(cidr).hosts()))
