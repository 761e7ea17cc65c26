"""The review APIs: SelfSubjectAccessReview / SubjectAccessReview / LocalSubjectAccessReview and
SelfSubjectRulesReview (``kubectl auth can-i [--list]``), SelfSubjectReview (``kubectl auth whoami``)
and TokenReview. Create-only virtual resources: nothing is stored; decisions come from ``rbac``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .errors import KubeError, bad_request
from .identity import UserInfo
from .rbac import Attributes, authorize, grants
from .resources import ResourceType
from .store import Obj, Store

Identify = Callable[[str], UserInfo | None]


def _answer(rt: ResourceType, body: Obj, status: Obj) -> Obj:
    return {
        "kind": rt.kind,
        "apiVersion": rt.api_version(),
        "metadata": {"creationTimestamp": None},
        "spec": copy.deepcopy(body.get("spec") or {}),
        "status": status,
    }


def _access(store: Store, user: UserInfo, spec: Obj) -> Obj:
    allowed, reason = authorize(store, user, Attributes.of(spec))
    status: Obj = {"allowed": allowed}
    if reason:
        status["reason"] = reason
    return status


def _subject(spec: Obj) -> UserInfo:
    extra = tuple((k, tuple(v)) for k, v in (spec.get("extra") or {}).items())
    return UserInfo(
        str(spec.get("user", "")), str(spec.get("uid", "")), tuple(spec.get("groups") or ()), extra
    )


def _rules(store: Store, user: UserInfo, namespace: str) -> Obj:
    resource_rules: list[Obj] = []
    other_rules: list[Obj] = []
    if "system:masters" in user.groups:
        resource_rules.append({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})
        other_rules.append({"verbs": ["*"], "nonResourceURLs": ["*"]})
    for _, rules in grants(store, user, namespace):
        for rule in rules:
            (other_rules if rule.get("nonResourceURLs") else resource_rules).append(copy.deepcopy(rule))
    return {"resourceRules": resource_rules, "nonResourceRules": other_rules, "incomplete": False}


def _token(identify: Identify, spec: Obj) -> Obj:
    user = identify(str(spec.get("token", "")))
    if user is None:
        return {"authenticated": False, "user": {}, "error": "invalid bearer token"}
    return {"authenticated": True, "user": user.as_json(), "audiences": list(spec.get("audiences") or [])}


def review(
    method: str,
    rt: ResourceType,
    namespace: str | None,
    body: Any,
    user: UserInfo | None,
    store: Store,
    identify: Identify,
) -> tuple[int, Obj]:
    """Answer a POST of one review kind (201 with the status filled in)."""
    if method != "POST":
        raise KubeError(405, f"{rt.plural} only supports create", "MethodNotAllowed")
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    if user is None:
        raise KubeError(401, "Unauthorized", "Unauthorized")
    spec = body.get("spec") or {}
    if rt.kind == "SelfSubjectAccessReview":
        status = _access(store, user, spec)
    elif rt.kind in ("SubjectAccessReview", "LocalSubjectAccessReview"):
        if rt.kind == "LocalSubjectAccessReview":
            spec = {
                **spec,
                "resourceAttributes": {**(spec.get("resourceAttributes") or {}), "namespace": namespace},
            }
        status = _access(store, _subject(spec), spec)
    elif rt.kind == "SelfSubjectRulesReview":
        status = _rules(store, user, str(spec.get("namespace", "")))
    elif rt.kind == "SelfSubjectReview":
        status = {"userInfo": user.as_json()}
    else:
        status = _token(identify, spec)
    return 201, _answer(rt, body, status)
