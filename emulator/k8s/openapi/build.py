"""The OpenAPI documents of one cluster: v2 (every definition) and v3 (one document per group version).

Inputs are the built-in definitions of the cluster's Kubernetes release (``source``) and the cluster's
CRDs (``crd``). v3 documents hold the kinds of their group version and every schema those reference,
with references in v3 form (``#/components/schemas/...``, wrapped in ``allOf`` when the property has its
own description, as kube-apiserver writes them). v3 paths carry one ``get`` operation per resource with
its ``x-kubernetes-group-version-kind`` (``kubectl explain`` finds a resource's kind that way) and no
PATCH operation, so kubectl sees no server-side ``fieldValidation`` and validates on the client, against
v2. v2 has no paths (client-side validation reads only the definitions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from .crd import CrdKind, crd_kinds, to_v2
from .source import REF_V2, Schema, group_version_kinds

REF_V3 = "#/components/schemas/"


class Resource(NamedTuple):
    """A resource the cluster serves, as the v3 paths describe it."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool


_COMMON_FROM = "io.k8s.api.core.v1.ConfigMap"  # any kind: its apiVersion/kind/metadata descriptions


def common_properties(builtin: Mapping[str, Schema]) -> dict[str, Schema]:
    props = builtin[_COMMON_FROM]["properties"]
    return {key: props[key] for key in ("apiVersion", "kind", "metadata")}


def custom_kinds(builtin: Mapping[str, Schema], crds: Iterable[Mapping[str, Any]]) -> list[CrdKind]:
    common = common_properties(builtin)
    return [kind for crd in crds for kind in crd_kinds(crd, common)]


def _refs(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_V2):
            yield ref[len(REF_V2) :]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def closure(definitions: Mapping[str, Schema], roots: Iterable[str]) -> list[str]:
    """``roots`` and every definition they reference, transitively, in a stable order."""
    seen: dict[str, None] = {}
    stack = [r for r in roots if r in definitions]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen[name] = None
        stack.extend(r for r in _refs(definitions[name]) if r in definitions and r not in seen)
    return sorted(seen)


def to_v3(node: Any) -> Any:
    """A v2-form schema with v3 references."""
    if isinstance(node, list):
        return [to_v3(item) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_V2):
        target = {"$ref": REF_V3 + ref[len(REF_V2) :]}
        siblings = {k: to_v3(v) for k, v in node.items() if k != "$ref"}
        return {"allOf": [target], **siblings} if siblings else target
    return {key: to_v3(value) for key, value in node.items()}


def v2_definitions(builtin: Mapping[str, Schema], custom: Sequence[CrdKind]) -> dict[str, Schema]:
    out = dict(builtin)
    for kind in custom:
        out.update({name: to_v2(schema) for name, schema in kind.definitions.items()})
    return out


def v2_document(kubernetes_version: str, definitions: Mapping[str, Schema]) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": f"v{kubernetes_version}"},
        "paths": {},
        "definitions": dict(definitions),
    }


def gv_path(group: str, version: str) -> str:
    """``api/v1`` or ``apis/<group>/<version>``: the document's key in ``/openapi/v3``."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _kind_definition(pool: Mapping[str, Schema], resource: Resource) -> str | None:
    wanted = (resource.group, resource.version, resource.kind)
    return next((n for n, s in pool.items() if wanted in group_version_kinds(s)), None)


def _paths(pool: Mapping[str, Schema], resources: Iterable[Resource]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for res in resources:
        name = _kind_definition(pool, res)
        if name is None:
            continue
        prefix = "/" + gv_path(res.group, res.version)
        scope = (
            f"{prefix}/namespaces/{{namespace}}/{res.plural}" if res.namespaced else f"{prefix}/{res.plural}"
        )
        schema = {"$ref": REF_V3 + name}
        ok = {"description": "OK", "content": {"application/json": {"schema": schema}}}
        gvk = {"group": res.group, "kind": res.kind, "version": res.version}
        paths[scope + "/{name}"] = {
            "get": {
                "operationId": f"read{res.kind}",
                "responses": {"200": ok},
                "x-kubernetes-action": "get",
                "x-kubernetes-group-version-kind": gvk,
            }
        }
    return paths


def v3_document(
    kubernetes_version: str,
    group: str,
    version: str,
    builtin: Mapping[str, Schema],
    custom: Sequence[CrdKind],
    resources: Sequence[Resource],
) -> dict[str, Any]:
    """The v3 document of one group version."""
    pool: dict[str, Schema] = dict(builtin)
    roots = [
        n
        for n, s in builtin.items()
        if any(g == group and v == version for g, v, _ in group_version_kinds(s))
    ]
    for kind in custom:
        if (kind.group, kind.version) == (group, version):
            pool.update(kind.definitions)
            roots.extend(kind.definitions)
    schemas = {name: to_v3(pool[name]) for name in closure(pool, roots)}
    served = [r for r in resources if (r.group, r.version) == (group, version)]
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": f"v{kubernetes_version}"},
        "paths": _paths(schemas, served),
        "components": {"schemas": schemas},
    }
