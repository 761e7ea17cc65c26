"""OpenAPI definitions of custom resources, generated from their CRD's ``openAPIV3Schema``.

As the real apiextensions-apiserver publishes them: one definition per served version, named after the
reversed group (``com.example.stable.v1.CronTab``), with ``apiVersion``, ``kind`` and ``metadata``
added, the kind's ``x-kubernetes-group-version-kind``, and a ``<Kind>List``. The v2 form drops what
OpenAPI v2 and kubectl's v2 parser cannot express (junctors; types of nullable values; properties and
items under ``x-kubernetes-preserve-unknown-fields``), following ``ToStructuralOpenAPIV2``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .source import REF_V2, Schema

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
_JUNCTORS = ("allOf", "oneOf", "anyOf", "not")


@dataclass(frozen=True)
class CrdKind:
    group: str
    version: str
    kind: str
    definitions: dict[str, Schema]  # v3 form: the kind and its list


def definition_name(group: str, version: str, kind: str) -> str:
    return ".".join([*reversed(group.split(".")), version, kind])


def _gvk(group: str, version: str, kind: str) -> list[dict[str, str]]:
    return [{"group": group, "kind": kind, "version": version}]


def _kind_schema(
    crd_schema: Any, group: str, version: str, kind: str, common: Mapping[str, Schema]
) -> Schema:
    schema: Schema = copy.deepcopy(crd_schema) if isinstance(crd_schema, dict) else {}
    if not schema:
        schema = {"x-kubernetes-preserve-unknown-fields": True}
    schema["type"] = "object"
    props = schema.setdefault("properties", {})
    props["apiVersion"] = dict(common["apiVersion"])
    props["kind"] = dict(common["kind"])
    props["metadata"] = {"$ref": REF_V2 + OBJECT_META, "description": common["metadata"]["description"]}
    schema["x-kubernetes-group-version-kind"] = _gvk(group, version, kind)
    return schema


def _list_schema(name: str, group: str, version: str, kind: str, common: Mapping[str, Schema]) -> Schema:
    return {
        "description": f"{kind}List is a list of {kind}",
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": dict(common["apiVersion"]),
            "kind": dict(common["kind"]),
            "items": {"type": "array", "items": {"$ref": REF_V2 + name}},
            "metadata": {"$ref": REF_V2 + LIST_META},
        },
        "x-kubernetes-group-version-kind": _gvk(group, version, f"{kind}List"),
    }


def crd_kinds(crd: Mapping[str, Any], common: Mapping[str, Schema]) -> Iterator[CrdKind]:
    """The served versions of one CRD; ``common`` holds the apiVersion/kind/metadata property schemas."""
    spec = crd.get("spec") or {}
    group, kind = spec.get("group", ""), (spec.get("names") or {}).get("kind", "")
    if not group or not kind:
        return
    for entry in spec.get("versions") or []:
        if not entry.get("served", True) or not entry.get("name"):
            continue
        version = entry["name"]
        name = definition_name(group, version, kind)
        raw = (entry.get("schema") or {}).get("openAPIV3Schema")
        yield CrdKind(
            group,
            version,
            kind,
            {
                name: _kind_schema(raw, group, version, kind, common),
                f"{name}List": _list_schema(name, group, version, kind, common),
            },
        )


def to_v2(schema: Any) -> Any:
    """A structural v3 schema in the form OpenAPI v2 (and kubectl's v2 parser) can take."""
    if not isinstance(schema, dict):
        return schema
    out: Schema = {k: v for k, v in schema.items() if k not in _JUNCTORS}
    if out.pop("nullable", False):
        for key in ("type", "items", "properties"):
            out.pop(key, None)
    if out.get("x-kubernetes-preserve-unknown-fields"):
        out.pop("items", None)
        out.pop("properties", None)
    if isinstance(out.get("properties"), dict):
        props = out["properties"]
        nullable = {k for k, v in props.items() if isinstance(v, dict) and v.get("nullable")}
        out["properties"] = {k: to_v2(v) for k, v in props.items()}
        if nullable and isinstance(out.get("required"), list):
            out["required"] = [r for r in out["required"] if r not in nullable] or None
    if "items" in out:
        out["items"] = to_v2(out["items"])
    extra = out.get("additionalProperties")
    if isinstance(extra, dict):
        if extra.get("nullable"):
            out.pop("required", None)
        out["additionalProperties"] = to_v2(extra)
    if out.get("type") == "array" and "items" not in out:
        out.pop("type")
    return {k: v for k, v in out.items() if v is not None}
