"""Modelled Cilium operator side effect: once ``cilium-operator`` runs, Cilium's CRDs exist.

On a real cluster the Helm chart does not ship Cilium's CRDs; the operator registers them at start-up,
so CiliumNetworkPolicy & co. are only served after the operator is Ready. Gateway API CRDs are not
Cilium's and stay absent unless applied. A controller kind (``cilium-operator``, on by default; see
``controllerkinds``), so a cluster can switch it off and the choice persists.
"""

from __future__ import annotations

from typing import Any

from .conditions import condition_true
from .extensions import ControllerContext
from .store import Obj

GROUP = "cilium.io"
# kind, plural, scope, short names, served versions (storage first)
CRDS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("CiliumNetworkPolicy", "ciliumnetworkpolicies", "Namespaced", ("cnp", "ciliumnp"), ("v2",)),
    ("CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", "Cluster", ("ccnp",), ("v2",)),
    ("CiliumEndpoint", "ciliumendpoints", "Namespaced", ("cep", "ciliumep"), ("v2",)),
    ("CiliumNode", "ciliumnodes", "Cluster", ("cn", "ciliumn"), ("v2",)),
    ("CiliumIdentity", "ciliumidentities", "Cluster", ("ciliumid",), ("v2",)),
    ("CiliumLocalRedirectPolicy", "ciliumlocalredirectpolicies", "Namespaced", ("clrp",), ("v2",)),
    ("CiliumEgressGatewayPolicy", "ciliumegressgatewaypolicies", "Cluster", ("cegp",), ("v2",)),
    ("CiliumEnvoyConfig", "ciliumenvoyconfigs", "Namespaced", ("cec",), ("v2",)),
    ("CiliumClusterwideEnvoyConfig", "ciliumclusterwideenvoyconfigs", "Cluster", ("ccec",), ("v2",)),
    (
        "CiliumLoadBalancerIPPool",
        "ciliumloadbalancerippools",
        "Cluster",
        ("ippools", "lbippool"),
        ("v2", "v2alpha1"),
    ),
    (
        "CiliumL2AnnouncementPolicy",
        "ciliuml2announcementpolicies",
        "Cluster",
        ("l2announcement",),
        ("v2alpha1",),
    ),
    ("CiliumCIDRGroup", "ciliumcidrgroups", "Cluster", ("ccg",), ("v2", "v2alpha1")),
    ("CiliumNodeConfig", "ciliumnodeconfigs", "Namespaced", (), ("v2", "v2alpha1")),
    ("CiliumPodIPPool", "ciliumpodippools", "Cluster", ("cpip",), ("v2alpha1",)),
)


def _crd(kind: str, plural: str, scope: str, short: tuple[str, ...], versions: tuple[str, ...]) -> Obj:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}", "labels": {"io.cilium.k8s.crd.schema.version": "1.31.0"}},
        "spec": {
            "group": GROUP,
            "scope": scope,
            "names": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": list(short),
                "categories": ["cilium"],
            },
            "versions": [
                {
                    "name": v,
                    "served": True,
                    "storage": index == 0,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                    "subresources": {"status": {}},
                }
                for index, v in enumerate(versions)
            ],
        },
    }


OPERATOR_LABELS = ({"io.cilium/app": "operator"}, {"name": "cilium-operator"})


def _operator_running(ctx: ControllerContext) -> bool:
    return any(
        condition_true(p, "Ready")
        for labels in OPERATOR_LABELS
        for p in ctx.list("v1", "Pod", "kube-system", labels=labels)
    )


class CiliumOperatorModel:
    """Registers Cilium's CRDs once a cilium-operator pod is Ready."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def __call__(self, ctx: ControllerContext) -> None:
        if not _operator_running(ctx):
            return
        for spec in CRDS:
            crd = _crd(*spec)
            if ctx.get(crd["apiVersion"], crd["kind"], "", crd["metadata"]["name"]) is None:
                ctx.create(crd)


# -- the agent (DaemonSet kube-system/cilium) --------------------------------------------------------
NAMESPACE = "kube-system"
CONFIG_MAP = "cilium-config"
AGENT_CRASH = "emulator.orchestrate.io/crash-reason"  # on an agent pod: the kubelet shows CrashLoopBackOff
AGENT_LABELS = {"k8s-app": "cilium"}
PART_OF = "app.kubernetes.io/part-of"  # the chart labels the agent DaemonSet part-of: cilium


def _agent_env(ds: Obj) -> dict[str, str]:
    containers = ds["spec"]["template"]["spec"].get("containers") or []
    agent = next(
        (c for c in containers if c.get("name") == "cilium-agent"), containers[0] if containers else {}
    )
    return {str(e.get("name")): str(e.get("value", "")) for e in agent.get("env") or []}


def _cidrs(text: str) -> set[str]:
    import ipaddress

    found = set()
    for part in text.split():
        try:
            found.add(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            found.add(part)
    return found


def agent_problem(config: dict[str, str] | None, ds: Obj, pod_cidr: str) -> str:
    """Why cilium-agent would exit at start-up with this configuration ('' when it starts)."""
    if config is None:
        return f"configmap {NAMESPACE}/{CONFIG_MAP} not found"
    ipam = config.get("ipam", "cluster-pool")
    if ipam != "cluster-pool":
        return f"ipam mode {ipam!r} cannot allocate pod IPs on AKS BYO CNI (use cluster-pool)"
    if _cidrs(config.get("cluster-pool-ipv4-cidr", "")) != _cidrs(pod_cidr):
        got = config.get("cluster-pool-ipv4-cidr", "")
        return f"cluster-pool-ipv4-cidr {got!r} differs from the cluster's pod CIDR {pod_cidr} (AKS podCidr)"
    if config.get("routing-mode", "tunnel") != "tunnel":
        return "native routing does not work on AKS BYO CNI (no pod-CIDR routes): use routingMode=tunnel"
    kpr = config.get("kube-proxy-replacement", "false") == "true"
    if kpr and not _agent_env(ds).get("KUBERNETES_SERVICE_HOST"):
        return "kube-proxy replacement needs k8sServiceHost/k8sServicePort: unable to reach the API server"
    cluster_id = config.get("cluster-id", "0")
    if not cluster_id.isdigit() or int(cluster_id) > int(config.get("max-connected-clusters", "255")):
        return f"invalid cluster-id {cluster_id!r}: must be 0-{config.get('max-connected-clusters', '255')}"
    return ""


class CiliumAgentModel:
    """Marks the agent pods CrashLoopBackOff (with the reason) while the configuration cannot work.

    The kubelet model then keeps them unready and the nodes NotReady; with a valid configuration the
    pods run and every node they run on becomes Ready.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def __call__(self, ctx: ControllerContext) -> None:
        ds = ctx.get("apps/v1", "DaemonSet", NAMESPACE, "cilium")
        if ds is None or (ds["metadata"].get("labels") or {}).get(PART_OF) != "cilium":
            return  # not Cilium's chart (a test's generic CNI DaemonSet keeps the kubelet's behaviour)
        cm = ctx.get("v1", "ConfigMap", NAMESPACE, CONFIG_MAP)
        problem = agent_problem(cm.get("data") or {} if cm else None, ds, ctx.pod_cidr)
        for pod in ctx.list("v1", "Pod", NAMESPACE, labels=AGENT_LABELS):
            annotations = pod["metadata"].setdefault("annotations", {})
            if annotations.get(AGENT_CRASH, "") == problem:
                continue
            if problem:
                annotations[AGENT_CRASH] = problem
                ctx.record(
                    pod,
                    "BackOff",
                    f"Back-off restarting failed container cilium-agent: {problem}",
                    component="kubelet",
                    warning=True,
                )
            else:
                annotations.pop(AGENT_CRASH, None)
            ctx.replace(pod)
