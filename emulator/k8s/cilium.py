"""Modelled Cilium operator side effect: once ``cilium-operator`` runs, Cilium's CRDs exist.

On a real cluster the Helm chart does not ship Cilium's CRDs; the operator registers them at start-up,
so CiliumNetworkPolicy & co. are only served after the operator is Ready. Gateway API CRDs are not
Cilium's and stay absent unless applied.
"""

from __future__ import annotations

from .conditions import condition_true
from .objects import Objects
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


def _is_operator(pod: Obj) -> bool:
    labels = pod["metadata"].get("labels") or {}
    return labels.get("io.cilium/app") == "operator" or labels.get("name") == "cilium-operator"


def _operator_running(objects: Objects) -> bool:
    return any(
        _is_operator(p) and condition_true(p, "Ready") for p in objects.store.items("pods", "kube-system")
    )


class CiliumOperatorModel:
    def __init__(self, objects: Objects) -> None:
        self.objects = objects

    def run(self) -> None:
        if not _operator_running(self.objects):
            return
        rt = self.objects.rt("customresourcedefinitions.apiextensions.k8s.io")
        for spec in CRDS:
            crd = _crd(*spec)
            if self.objects.find(rt, "", crd["metadata"]["name"]) is None:
                self.objects.create(rt, "", crd, "cilium-operator")
