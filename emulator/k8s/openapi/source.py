"""The built-in kinds' schemas: Kubernetes' own OpenAPI definitions, as the kubernetes-validate package
ships them (converted from each release's swagger.json to JSON Schema), turned back into OpenAPI form.

The conversion back undoes what the JSON Schema conversion added: nullable type lists
(``["integer", "null"]``), ``enum`` on ``apiVersion``/``kind``, ``$defs`` references, and the ``oneOf``
written for int-or-string and quantities. Definitions keep Kubernetes' names
(``io.k8s.api.apps.v1.Deployment``), descriptions, formats, ``required`` lists and every ``x-kubernetes-*``
extension (group-version-kind, patch strategy and merge key, list type).
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

Schema = dict[str, Any]
PACKAGE = "kubernetes_validate"
_REF_PREFIX = "#/$defs/"
REF_V2 = "#/definitions/"
_VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.0-local$")


def _schema_root() -> Path:
    spec = importlib.util.find_spec(PACKAGE)  # locate without importing (it imports jsonschema)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {PACKAGE} package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


def available() -> list[tuple[int, int]]:
    """Kubernetes minor versions the installed package has schemas for, oldest first."""
    found = [_VERSION_DIR.match(p.name) for p in _schema_root().iterdir()]
    return sorted((int(m[1]), int(m[2])) for m in found if m)


def release_for(kubernetes_version: str) -> tuple[int, int]:
    """The schema release for a cluster version: the same minor, else the nearest older, else oldest."""
    parts = [int(p) for p in re.findall(r"\d+", kubernetes_version)[:2]] or [1, 0]
    wanted = (parts[0], parts[1] if len(parts) > 1 else 0)
    known = available()
    older = [v for v in known if v <= wanted]
    return older[-1] if older else known[0]


def _type(value: Any) -> Any:
    if isinstance(value, list):
        kept = [t for t in value if t != "null"]
        return kept[0] if len(kept) == 1 else kept
    return value


def _one_of(variants: list[Any]) -> Schema:
    kinds = {_type(v.get("type")) for v in variants if isinstance(v, dict)}
    if kinds == {"string", "integer"}:
        return {"type": "string", "format": "int-or-string"}
    return {"type": "string"}  # string-or-number: resource.Quantity


def normalise(node: Any) -> Any:
    """One JSON Schema node back in OpenAPI v2 form (recursively)."""
    if isinstance(node, list):
        return [normalise(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for name, value in node.items():
        if name == "oneOf":
            out.update(_one_of(value))
        elif name == "type":
            out["type"] = _type(value)
        elif name == "$ref" and isinstance(value, str):
            out["$ref"] = REF_V2 + value.removeprefix(_REF_PREFIX)
        elif name == "properties" and isinstance(value, dict):
            out["properties"] = {prop: normalise(sub) for prop, sub in value.items()}
        else:
            out[name] = normalise(value)
    return out


@cache
def definitions(release: tuple[int, int]) -> dict[str, Schema]:
    """Every built-in definition of one Kubernetes release, by name (built once; do not mutate)."""
    path = _schema_root() / f"v{release[0]}.{release[1]}.0-local" / "_definitions.json"
    raw = json.loads(path.read_text(encoding="utf-8"))["$defs"]
    return {name: _kind_schema(normalise(schema)) for name, schema in raw.items()}


def _kind_schema(schema: Schema) -> Schema:
    """Drop the ``enum`` the conversion put on a kind's ``apiVersion`` and ``kind`` properties."""
    if "x-kubernetes-group-version-kind" in schema:
        for prop in ("apiVersion", "kind"):
            schema.get("properties", {}).get(prop, {}).pop("enum", None)
    return schema


def group_version_kinds(schema: Schema) -> list[tuple[str, str, str]]:
    """(group, version, kind) of a definition's ``x-kubernetes-group-version-kind``."""
    entries = schema.get("x-kubernetes-group-version-kind") or []
    return [(e.get("group", ""), e.get("version", ""), e.get("kind", "")) for e in entries]
