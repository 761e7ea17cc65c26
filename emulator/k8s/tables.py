"""Server-side printing: ``Accept: application/json;as=Table;g=meta.k8s.io;v=v1`` (or ``v1beta1``) and
``as=PartialObjectMetadata[List]``, for lists, single objects and watch events.

Built-in kinds use ``printers``; custom resources use their CRD's ``additionalPrinterColumns``
(JSONPath, typed cells, ``date`` shown as an age) or NAME / AGE. ``includeObject`` (``Metadata`` by
default, ``Object``, ``None``) decides what each row carries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .durations import since
from .jsonpath import JsonPathError, evaluate
from .printers import DEFAULT, NAME, Column, Printer, builtin_printers, name
from .resources import BUILTIN, ResourceType
from .store import Obj

META_GROUP = "meta.k8s.io"
VERSIONS = ("v1", "v1beta1")
INCLUDE = ("Metadata", "Object", "None")
RENDERINGS = ("Table", "PartialObjectMetadata", "PartialObjectMetadataList")
_BUILTIN_PRINTERS = builtin_printers()
CR_AGE = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}


@dataclass(frozen=True)
class Rendering:
    """What the client asked for instead of the plain object (or list)."""

    kind: str  # Table | PartialObjectMetadata | PartialObjectMetadataList
    version: str
    include: str = "Metadata"

    @property
    def api_version(self) -> str:
        return f"{META_GROUP}/{self.version}"


def _media(part: str) -> tuple[str, dict[str, str]]:
    kind, *params = [p.strip() for p in part.split(";")]
    parsed = {}
    for param in params:
        key, _, value = param.partition("=")
        parsed[key.strip().lower()] = value.strip()
    return kind.lower(), parsed


def negotiate(accept: str, include_object: str | None) -> Rendering | None:
    """The first acceptable rendering in ``accept`` that is not a plain object, or None."""
    include = include_object if include_object in INCLUDE else "Metadata"
    for part in accept.split(","):
        kind, params = _media(part)
        if not kind:
            continue
        wanted = params.get("as")
        if wanted is None:
            return None  # a plain media type is preferred: the object itself
        if (
            kind == "application/json"
            and params.get("g", META_GROUP) == META_GROUP
            and params.get("v", "v1") in VERSIONS
            and wanted in RENDERINGS
        ):
            return Rendering(wanted, params.get("v", "v1"), include)
    return None


# -- printers for custom resources ------------------------------------------------------------------
def _typed(kind: str, value: Any, now: float) -> Any:
    if kind == "date":
        return since(value, now) if isinstance(value, str) else None
    if kind == "integer":
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    if kind == "number":
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value).lower() if isinstance(value, bool) else str(value)


def crd_printer(crd: Obj | None, version: str) -> Printer:
    """NAME plus the version's additionalPrinterColumns (or AGE), as the CRD table convertor does."""
    versions = ((crd or {}).get("spec") or {}).get("versions") or []
    served: Obj = next((v for v in versions if v.get("name") == version), {})
    declared = list(served.get("additionalPrinterColumns") or []) or [CR_AGE]
    columns = [NAME]
    for spec in declared:
        description = spec.get("description") or f"Value of {spec.get('jsonPath', '')}"
        columns.append(
            Column(
                spec["name"],
                spec.get("type", "string"),
                int(spec.get("priority", 0)),
                description,
                spec.get("format", ""),
            )
        )

    def cells(obj: Obj, now: float) -> list[Any]:
        row: list[Any] = [name(obj)]
        for spec in declared:
            try:
                found = evaluate(str(spec.get("jsonPath", "")), obj)
            except JsonPathError:
                found = []
            row.append(_typed(spec.get("type", "string"), found[0], now) if found else None)
        return row

    return Printer(tuple(columns), cells)


def printer_for(rt: ResourceType, version: str, crd: Obj | None) -> Printer:
    if rt in BUILTIN:
        return _BUILTIN_PRINTERS.get(rt.kind, DEFAULT)
    return crd_printer(crd, version)


# -- rendering ------------------------------------------------------------------------------------
def partial(obj: Obj, version: str) -> Obj:
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": f"{META_GROUP}/{version}",
        "metadata": obj["metadata"],
    }


def _row(rendering: Rendering, printer: Printer, obj: Obj, now: float) -> Obj:
    row: Obj = {"cells": printer.cells(obj, now)}
    if rendering.include == "Object":
        row["object"] = obj
    elif rendering.include == "Metadata":
        row["object"] = partial(obj, rendering.version)
    return row


def render(rendering: Rendering, printer: Printer, objs: Sequence[Obj], list_meta: Obj, now: float) -> Obj:
    """A Table (or PartialObjectMetadata[List]) of ``objs``; ``list_meta`` is the list's metadata."""
    if rendering.kind == "PartialObjectMetadata" and len(objs) == 1:
        return partial(objs[0], rendering.version)
    if rendering.kind != "Table":
        return {
            "kind": "PartialObjectMetadataList",
            "apiVersion": rendering.api_version,
            "metadata": list_meta,
            "items": [partial(o, rendering.version) for o in objs],
        }
    return {
        "kind": "Table",
        "apiVersion": rendering.api_version,
        "metadata": list_meta,
        "columnDefinitions": [c.definition() for c in printer.columns],
        "rows": [_row(rendering, printer, o, now) for o in objs],
    }
