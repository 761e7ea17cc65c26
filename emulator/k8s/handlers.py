"""HTTP routing of kube-apiserver paths onto discovery and the object service."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import discovery, openapi, views, watch
from .disruption import evict
from .errors import KubeError, bad_request
from .fieldvalidation import FieldChecks
from .identity import UserInfo
from .negotiation import decode_body
from .objects import APPLY, Objects
from .patching import json_patch, merge_patch
from .resources import CREATE_ONLY, ResourceType
from .reviews import Identify, review
from .selectors import fields_match, matches, parse_field_selector, parse_label_selector
from .store import Obj
from .tokens import token_request

READ_METHODS = ("GET", "HEAD")


@dataclass
class Request:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    user: UserInfo | None = None  # who the bearer token authenticates
    warnings: list[str] = field(default_factory=list)  # sent back as Warning headers

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), "")

    @property
    def content_type(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()

    def manager(self) -> str:
        explicit = self.arg("fieldManager")
        if explicit:
            return explicit
        agent = self.header("User-Agent")
        return agent.split("/")[0] if agent else "unknown"

    def json(self) -> Any:
        """The body as a JSON value, whatever its Content-Type (JSON, YAML or protobuf)."""
        return decode_body(self.content_type, self.body)

    def field_checks(self) -> FieldChecks:
        return FieldChecks.of(self.arg("fieldValidation"), self.body, self.content_type)


@dataclass
class Route:
    rt: ResourceType
    version: str
    namespace: str | None
    name: str | None
    subresource: str | None


Reply = tuple[int, Any]


class Router:
    def __init__(self, objects: Objects, kubernetes_version: str, identify: Identify | None = None) -> None:
        self.objects = objects
        self.kubernetes_version = kubernetes_version
        self.identify: Identify = identify or (lambda _token: None)

    def dispatch(self, req: Request) -> Reply:
        parts = [p for p in req.path.split("/") if p]
        registry = self.objects.registry()
        if parts in (["healthz"], ["readyz"], ["livez"]):
            return 200, "ok"
        if parts == ["version"]:
            return 200, discovery.version_info(self.kubernetes_version)
        if parts[:1] == ["openapi"]:
            inputs = openapi.inputs_of(self.objects, self.kubernetes_version)
            return openapi.serve(parts[1:], req.header, req.arg("hash"), inputs)
        if parts == ["api"]:
            return 200, discovery.api_versions()
        if parts == ["apis"]:
            return 200, discovery.api_group_list(registry)
        if len(parts) == 2 and parts[0] == "apis":
            return 200, discovery.api_group(registry, parts[1])
        if parts[:1] == ["api"] and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise KubeError(404, "the server could not find the requested resource", "NotFound")
        if not rest:
            if req.method not in READ_METHODS:
                raise KubeError(405, "method not allowed", "MethodNotAllowed")
            return 200, discovery.resource_list(registry, group, version)
        route = self._route(group, version, rest)
        return self._handle(req, route)

    def _route(self, group: str, version: str, rest: list[str]) -> Route:
        registry = self.objects.registry()
        if rest[0] == "namespaces" and len(rest) >= 3:
            rt = registry.find(group, version, rest[2])
            if rt is not None and rt.namespaced and len(rest) <= 5:
                return Route(rt, version, rest[1], _at(rest, 3), _at(rest, 4))
        rt = registry.find(group, version, rest[0])
        if rt is None or len(rest) > 3:
            gv = f"{group}/{version}" if group else version
            raise KubeError(
                404, f"the server could not find the requested resource ({gv} {rest[0]})", "NotFound"
            )
        return Route(rt, version, None, _at(rest, 1), _at(rest, 2))

    def _handle(self, req: Request, route: Route) -> Reply:
        rt = route.rt
        if rt.verbs == CREATE_ONLY:
            body = req.json()
            return review(req.method, rt, route.namespace, body, req.user, self.objects.store, self.identify)
        if rt.namespaced and route.name is not None and route.namespace is None:
            raise KubeError(404, "the server could not find the requested resource", "NotFound")
        if route.subresource is not None and rt.subresource(route.subresource) is None:
            raise KubeError(404, f"{rt.plural}/{route.subresource} is not a known subresource", "NotFound")
        if route.name is None:
            return self._collection(req, route)
        if route.subresource == "eviction":
            if req.method != "POST":
                raise KubeError(405, "eviction only supports POST", "MethodNotAllowed")
            return 201, evict(self.objects, route.namespace or "", route.name)
        if route.subresource == "token":
            if req.method != "POST":
                raise KubeError(405, "token only supports POST", "MethodNotAllowed")
            return 201, token_request(self.objects, route.namespace or "", route.name, req.json())
        if route.subresource == "scale":
            return self._scale(req, route)
        return self._object(req, route)

    def _collection(self, req: Request, route: Route) -> Reply:
        rt, ns = route.rt, route.namespace or ""
        if req.method in READ_METHODS:
            if watch.requested(req.arg):
                accept = req.header("Accept")
                return 200, views.watch_plan(
                    self.objects, rt, route.version, route.namespace, req.arg, accept
                )
            listed = self._list(req, route)
            table = views.rendered(
                self.objects,
                rt,
                route.version,
                req.arg,
                req.header("Accept"),
                listed["items"],
                listed["metadata"],
            )
            return 200, listed if table is None else table
        if req.method == "POST":
            if rt.namespaced and route.namespace is None:
                raise KubeError(
                    405, "create requires a namespace for namespaced resources", "MethodNotAllowed"
                )
            body = req.json()
            if isinstance(body, dict) and rt.subresource("status") is not None:
                body.pop("status", None)  # server-owned: reset on create, as the apiserver does
            checks = req.field_checks()
            created = self.objects.create(rt, ns, body, req.manager(), route.version, checks=checks)
            req.warnings.extend(checks.warnings)
            return 201, self._out(created, route)
        if req.method == "DELETE":
            listed = self._list(req, route)
            for item in listed["items"]:
                meta = item["metadata"]
                self.objects.delete(rt, meta.get("namespace", ""), meta["name"], self._propagation(req))
            return 200, listed
        raise KubeError(405, f"method {req.method} not allowed on a collection", "MethodNotAllowed")

    def _list(self, req: Request, route: Route) -> Obj:
        labels = parse_label_selector(req.arg("labelSelector"))
        fields = parse_field_selector(req.arg("fieldSelector"))
        items = [
            self._out(o, route)
            for o in self.objects.list(route.rt, route.namespace)
            if matches(labels, o["metadata"].get("labels")) and fields_match(fields, o)
        ]
        meta: Obj = {"resourceVersion": str(self.objects.store.revision)}
        start = _number(req.arg("continue"), "continue")
        limit = _number(req.arg("limit"), "limit")
        if limit > 0 and start + limit < len(items):
            meta["continue"] = str(start + limit)
            meta["remainingItemCount"] = len(items) - start - limit
            items = items[start : start + limit]
        else:
            items = items[start:]
        return {
            "kind": f"{route.rt.kind}List",
            "apiVersion": route.rt.api_version(route.version),
            "metadata": meta,
            "items": items,
        }

    def _object(self, req: Request, route: Route) -> Reply:
        rt, ns, name, sub = route.rt, route.namespace or "", route.name or "", route.subresource
        if sub == "log":
            return 200, "(emulated cluster: no container logs)\n"
        if req.method in READ_METHODS:
            found = self._out(self.objects.get(rt, ns, name), route)
            table = views.rendered(
                self.objects, rt, route.version, req.arg, req.header("Accept"), [found], {}
            )
            return 200, found if table is None else table
        checks = req.field_checks() if req.method in ("PUT", "PATCH") else None
        if req.method == "PUT":
            replaced = self.objects.replace(
                rt, ns, name, req.json(), manager=req.manager(), subresource=sub, checks=checks
            )
            req.warnings.extend(checks.warnings if checks else [])
            return 200, self._out(replaced, route)
        if req.method == "PATCH":
            force = (req.arg("force") or "").lower() == "true"
            manager = req.arg("fieldManager") if req.content_type == APPLY else req.manager()
            obj, created = self.objects.patch(
                rt,
                ns,
                name,
                req.content_type,
                req.json(),
                manager=manager,
                force=force,
                subresource=sub,
                checks=checks,
            )
            req.warnings.extend(checks.warnings if checks else [])
            return (201 if created else 200), self._out(obj, route)
        if req.method == "DELETE":
            return 200, self._out(self.objects.delete(rt, ns, name, self._propagation(req)), route)
        raise KubeError(405, f"method {req.method} not allowed", "MethodNotAllowed")

    def _scale(self, req: Request, route: Route) -> Reply:
        rt, ns, name = route.rt, route.namespace or "", route.name or ""
        obj = self.objects.get(rt, ns, name)
        if req.method in ("PUT", "PATCH"):
            body = req.json() or {}
            if req.method == "PATCH":
                body = _patch_scale(_scale_of(obj), req.content_type, body)
            spec = body.get("spec") if isinstance(body, dict) else None
            replicas = spec.get("replicas") if isinstance(spec, dict) else None
            if not isinstance(replicas, int) or replicas < 0:
                raise KubeError(422, "spec.replicas: must be a non-negative integer", "Invalid")
            updated = copy.deepcopy(obj)
            updated["spec"]["replicas"] = replicas
            obj = self.objects.update(rt, updated, req.manager())
        elif req.method not in READ_METHODS:
            raise KubeError(405, f"method {req.method} not allowed on scale", "MethodNotAllowed")
        return 200, _scale_of(obj)

    @staticmethod
    def _propagation(req: Request) -> str:
        body = req.json()
        from_body = body.get("propagationPolicy") if isinstance(body, dict) else None
        return req.arg("propagationPolicy") or from_body or "Background"

    @staticmethod
    def _out(obj: Obj, route: Route) -> Obj:
        out = copy.deepcopy(obj)
        out["apiVersion"] = route.rt.api_version(route.version)
        out["kind"] = route.rt.kind
        return out


def _number(value: str | None, name: str) -> int:
    if not value:
        return 0
    if not value.isdigit():
        raise bad_request(f"invalid {name} parameter {value!r}")
    return int(value)


def _at(parts: list[str], index: int) -> str | None:
    return parts[index] if len(parts) > index else None


def _scale_of(obj: Obj) -> Obj:
    meta = obj["metadata"]
    selector = obj["spec"].get("selector") or {}
    labels = ",".join(f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items())
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": obj["spec"].get("replicas", 1)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": labels},
    }


def _patch_scale(scale: Obj, content_type: str, body: Any) -> Any:
    if content_type == "application/json-patch+json":
        return json_patch(scale, body)
    return merge_patch(scale, body)
