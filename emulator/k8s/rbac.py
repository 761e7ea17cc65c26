"""RBAC decisions for the review APIs (``kubectl auth can-i``): rules of the stored Roles, ClusterRoles
and their bindings, plus the bootstrap roles every cluster has.

Requests themselves are not authorised (the emulator answers every authenticated request); only the
review APIs report what RBAC would decide. ``system:masters`` may do everything. Bootstrap roles are
modelled when no object of the same name is stored: ``cluster-admin`` (everything), ``admin``/``edit``
(everything in a namespace except RBAC objects for ``edit``), ``view`` (read everything but Secrets),
and the rights every authenticated user has (self reviews, discovery and version URLs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .identity import AUTHENTICATED, MASTERS, UserInfo
from .store import Obj, Store

RBAC = "rbac.authorization.k8s.io"
READ = ["get", "list", "watch"]
WRITE = ["create", "update", "patch", "delete", "deletecollection"]
_BOOTSTRAP: dict[str, list[Obj]] = {
    "cluster-admin": [
        {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
        {"nonResourceURLs": ["*"], "verbs": ["*"]},
    ],
    "admin": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    "edit": [
        {"apiGroups": ["*"], "resources": ["*"], "verbs": READ + WRITE},
        {"apiGroups": [RBAC], "resources": ["*"], "verbs": READ},
    ],
    "view": [{"apiGroups": ["*"], "resources": ["*"], "verbs": READ}],
}
_EVERYONE: list[Obj] = [
    {
        "apiGroups": ["authorization.k8s.io"],
        "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        "verbs": ["create"],
    },
    {"apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"]},
    {
        "nonResourceURLs": [
            "/api",
            "/api/*",
            "/apis",
            "/apis/*",
            "/healthz",
            "/livez",
            "/readyz",
            "/version",
            "/version/",
            "/openapi",
            "/openapi/*",
        ],
        "verbs": ["get"],
    },
]


@dataclass(frozen=True)
class Attributes:
    verb: str
    group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str = ""  # non-resource URL

    @classmethod
    def of(cls, spec: Obj) -> Attributes:
        res = spec.get("resourceAttributes")
        if isinstance(res, dict):
            return cls(
                str(res.get("verb", "")),
                str(res.get("group", "")),
                str(res.get("resource", "")),
                str(res.get("subresource", "")),
                str(res.get("namespace", "")),
                str(res.get("name", "")),
            )
        other = spec.get("nonResourceAttributes") or {}
        return cls(str(other.get("verb", "")), path=str(other.get("path", "")))


def _listed(values: list[Any] | None, wanted: str) -> bool:
    return bool(values) and ("*" in values or wanted in values)  # type: ignore[operator]


def rule_allows(rule: Obj, attrs: Attributes) -> bool:
    if not _listed(rule.get("verbs"), attrs.verb):
        return False
    if attrs.path:
        urls = rule.get("nonResourceURLs") or []
        return any(u == attrs.path or (u.endswith("*") and attrs.path.startswith(u[:-1])) for u in urls)
    resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    resources = rule.get("resources") or []
    if not (_listed(rule.get("apiGroups"), attrs.group) and ("*" in resources or resource in resources)):
        return False
    names = rule.get("resourceNames") or []
    return not names or attrs.name in names


def _subject_matches(subject: Obj, user: UserInfo, binding_ns: str) -> bool:
    kind, name = subject.get("kind"), subject.get("name", "")
    if kind == "User":
        return bool(name == user.username)
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_ns
        return user.username == f"system:serviceaccount:{ns}:{name}"
    return False


def _role_rules(store: Store, ref: Obj, namespace: str) -> list[Obj]:
    name = str(ref.get("name", ""))
    if ref.get("kind") == "Role":
        role = store.get(f"roles.{RBAC}", namespace, name)
        return list((role or {}).get("rules") or [])
    role = store.get(f"clusterroles.{RBAC}", "", name)
    return list((role or {}).get("rules") or []) if role is not None else list(_BOOTSTRAP.get(name, []))


def grants(store: Store, user: UserInfo, namespace: str) -> Iterator[tuple[str, list[Obj]]]:
    """(who granted it, rules) for every binding of ``user`` that applies in ``namespace``."""
    if AUTHENTICATED in user.groups:
        yield "the bootstrap roles of authenticated users", _EVERYONE
    for binding in store.items(f"clusterrolebindings.{RBAC}"):
        if any(_subject_matches(s, user, "") for s in binding.get("subjects") or []):
            ref = binding.get("roleRef") or {}
            yield (
                f'ClusterRoleBinding "{binding["metadata"]["name"]}" of ClusterRole "{ref.get("name", "")}"',
                _role_rules(store, ref, ""),
            )
    if not namespace:
        return
    for binding in store.items(f"rolebindings.{RBAC}", namespace):
        if any(_subject_matches(s, user, namespace) for s in binding.get("subjects") or []):
            ref = binding.get("roleRef") or {}
            yield (
                f'RoleBinding "{namespace}/{binding["metadata"]["name"]}" of {ref.get("kind", "")} '
                f'"{ref.get("name", "")}"',
                _role_rules(store, ref, namespace),
            )


def authorize(store: Store, user: UserInfo, attrs: Attributes) -> tuple[bool, str]:
    """(allowed, reason) as the RBAC authorizer would answer."""
    if MASTERS in user.groups:
        return True, ""
    for source, rules in grants(store, user, attrs.namespace):
        if any(rule_allows(rule, attrs) for rule in rules):
            return True, f"RBAC: allowed by {source} to {user.username}"
    return False, ""
