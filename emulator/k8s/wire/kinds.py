"""Which message carries which kind: the kinds this emulator reads and writes as protobuf."""

from __future__ import annotations

# group -> kinds whose v1 message has the kind's name (apiVersion "<group>/v1", or "v1" for core)
_BY_GROUP: dict[str, tuple[str, ...]] = {
    "": (
        "Namespace",
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "Service",
        "Pod",
        "ResourceQuota",
    ),
    "apps": ("Deployment",),
    "batch": ("Job", "CronJob"),
    "authentication.k8s.io": ("TokenRequest", "TokenReview", "SelfSubjectReview"),
    "authorization.k8s.io": ("SelfSubjectAccessReview", "SelfSubjectRulesReview"),
    "networking.k8s.io": ("Ingress",),
    "policy": ("PodDisruptionBudget", "Eviction"),
    "scheduling.k8s.io": ("PriorityClass",),
    "rbac.authorization.k8s.io": ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"),
    "autoscaling": ("Scale",),
}
# meta.k8s.io/v1 kinds that every group version carries (client-go sends DeleteOptions with the
# resource's apiVersion, errors come back as Status with "v1")
_ANY_GROUP = ("Status", "DeleteOptions")


def message_for(api_version: str, kind: str) -> str | None:
    """The table message for ``apiVersion``/``kind``, or None when this emulator has no mapping."""
    group, _, version = api_version.rpartition("/")
    if version != "v1":
        return None
    if kind in _ANY_GROUP:
        return kind
    return kind if kind in _BY_GROUP.get(group, ()) else None
