"""The resource types the emulated API server serves: built-ins plus CRD-registered kinds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class SubResource:
    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class ResourceType:
    group: str
    versions: tuple[str, ...]
    plural: str
    singular: str
    kind: str
    namespaced: bool
    subresources: tuple[SubResource, ...] = ()
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = field(default=())
    verbs: tuple[str, ...] = VERBS

    @property
    def storage_key(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def api_version(self, version: str | None = None) -> str:
        v = version or self.versions[0]
        return f"{self.group}/{v}" if self.group else v

    def subresource(self, name: str) -> SubResource | None:
        return next((s for s in self.subresources if s.name == name), None)


def _status(kind: str) -> SubResource:
    return SubResource("status", kind, ("get", "patch", "update"))


def _scale() -> SubResource:
    return SubResource("scale", "Scale", ("get", "patch", "update"), "autoscaling", "v1")


def _rt(
    group: str,
    plural: str,
    kind: str,
    namespaced: bool,
    subs: Iterable[SubResource] = (),
    *,
    short: Iterable[str] = (),
    categories: Iterable[str] = (),
    verbs: tuple[str, ...] = VERBS,
) -> ResourceType:
    return ResourceType(
        group,
        ("v1",),
        plural,
        kind.lower(),
        kind,
        namespaced,
        tuple(subs),
        tuple(short),
        tuple(categories),
        verbs,
    )


ALL = ("all",)  # the category `kubectl get all` lists
CREATE_ONLY = ("create",)  # virtual resources: reviews


BUILTIN: tuple[ResourceType, ...] = (
    _rt("", "namespaces", "Namespace", False, [_status("Namespace")], short=["ns"]),
    _rt(
        "",
        "pods",
        "Pod",
        True,
        [
            _status("Pod"),
            SubResource("eviction", "Eviction", ("create",), "policy", "v1"),
            SubResource("log", "Pod", ("get",)),
        ],
        short=["po"],
        categories=ALL,
    ),
    _rt("", "services", "Service", True, [_status("Service")], short=["svc"], categories=ALL),
    _rt("", "configmaps", "ConfigMap", True, short=["cm"]),
    _rt("", "secrets", "Secret", True),
    _rt(
        "",
        "serviceaccounts",
        "ServiceAccount",
        True,
        [SubResource("token", "TokenRequest", ("create",), "authentication.k8s.io", "v1")],
        short=["sa"],
    ),
    _rt("", "nodes", "Node", False, [_status("Node")], short=["no"]),
    _rt("", "events", "Event", True, short=["ev"]),
    _rt("", "persistentvolumeclaims", "PersistentVolumeClaim", True, [_status("PersistentVolumeClaim")]),
    _rt("", "persistentvolumes", "PersistentVolume", False, [_status("PersistentVolume")], short=["pv"]),
    _rt("", "endpoints", "Endpoints", True, short=["ep"]),
    _rt("", "limitranges", "LimitRange", True, short=["limits"]),
    _rt("", "resourcequotas", "ResourceQuota", True, [_status("ResourceQuota")], short=["quota"]),
    _rt(
        "apps",
        "deployments",
        "Deployment",
        True,
        [_status("Deployment"), _scale()],
        short=["deploy"],
        categories=ALL,
    ),
    _rt("apps", "daemonsets", "DaemonSet", True, [_status("DaemonSet")], short=["ds"], categories=ALL),
    _rt(
        "apps",
        "statefulsets",
        "StatefulSet",
        True,
        [_status("StatefulSet"), _scale()],
        short=["sts"],
        categories=ALL,
    ),
    _rt(
        "apps",
        "replicasets",
        "ReplicaSet",
        True,
        [_status("ReplicaSet"), _scale()],
        short=["rs"],
        categories=ALL,
    ),
    _rt("apps", "controllerrevisions", "ControllerRevision", True),
    _rt(
        "policy",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        True,
        [_status("PodDisruptionBudget")],
        short=["pdb"],
    ),
    _rt("rbac.authorization.k8s.io", "roles", "Role", True),
    _rt("rbac.authorization.k8s.io", "rolebindings", "RoleBinding", True),
    _rt("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", False),
    _rt("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", False),
    _rt("storage.k8s.io", "storageclasses", "StorageClass", False, short=["sc"]),
    _rt("batch", "jobs", "Job", True, [_status("Job")], categories=ALL),
    _rt("batch", "cronjobs", "CronJob", True, [_status("CronJob")], short=["cj"], categories=ALL),
    _rt("discovery.k8s.io", "endpointslices", "EndpointSlice", True),
    _rt(
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        False,
        verbs=CREATE_ONLY,
    ),
    _rt(
        "authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", False, verbs=CREATE_ONLY
    ),
    _rt("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", False, verbs=CREATE_ONLY),
    _rt(
        "authorization.k8s.io",
        "localsubjectaccessreviews",
        "LocalSubjectAccessReview",
        True,
        verbs=CREATE_ONLY,
    ),
    _rt("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", False, verbs=CREATE_ONLY),
    _rt("authentication.k8s.io", "tokenreviews", "TokenReview", False, verbs=CREATE_ONLY),
    _rt("networking.k8s.io", "networkpolicies", "NetworkPolicy", True, short=["netpol"]),
    _rt("networking.k8s.io", "ingresses", "Ingress", True, [_status("Ingress")], short=["ing"]),
    _rt("networking.k8s.io", "ingressclasses", "IngressClass", False),
    _rt("scheduling.k8s.io", "priorityclasses", "PriorityClass", False, short=["pc"]),
    _rt("coordination.k8s.io", "leases", "Lease", True),
    _rt(
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        False,
        [_status("CustomResourceDefinition")],
        short=["crd", "crds"],
    ),
    _rt(
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
        False,
    ),
    _rt(
        "admissionregistration.k8s.io", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", False
    ),
)

CRD_KEY = "customresourcedefinitions.apiextensions.k8s.io"


def from_crd(crd: Mapping[str, Any]) -> ResourceType:
    """The resource type an (accepted) CustomResourceDefinition registers."""
    spec = crd["spec"]
    names = spec["names"]
    versions = [v for v in spec.get("versions", []) if v.get("served", True)]
    versions.sort(key=lambda v: not v.get("storage", False))
    subs: list[SubResource] = []
    for v in versions[:1]:
        declared = v.get("subresources") or {}
        if "status" in declared:
            subs.append(_status(names["kind"]))
        if "scale" in declared:
            subs.append(_scale())
    return ResourceType(
        group=spec["group"],
        versions=tuple(v["name"] for v in versions),
        plural=names["plural"],
        singular=names.get("singular") or names["kind"].lower(),
        kind=names["kind"],
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        subresources=tuple(subs),
        short_names=tuple(names.get("shortNames") or ()),
        categories=tuple(names.get("categories") or ()),
    )


class Registry:
    """Lookup of resource types by group/version/plural; CRD types are supplied by the caller."""

    def __init__(self, crds: Iterable[Mapping[str, Any]]) -> None:
        self.types: list[ResourceType] = list(BUILTIN)
        for crd in crds:
            try:
                self.types.append(from_crd(crd))
            except (KeyError, TypeError):
                continue

    def find(self, group: str, version: str, plural: str) -> ResourceType | None:
        for rt in self.types:
            if rt.group == group and rt.plural == plural and version in rt.versions:
                return rt
        return None

    def by_key(self, storage_key: str) -> ResourceType | None:
        return next((rt for rt in self.types if rt.storage_key == storage_key), None)

    def group_versions(self) -> dict[str, list[str]]:
        """Group name -> served versions (preferred first), in registration order; core excluded."""
        out: dict[str, list[str]] = {}
        for rt in self.types:
            if not rt.group:
                continue
            known = out.setdefault(rt.group, [])
            known.extend(v for v in rt.versions if v not in known)
        return out

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [rt for rt in self.types if rt.group == group and version in rt.versions]
