"""Encoded OpenAPI documents, built once per input and kept (they are large and immutable).

A document depends on the cluster's Kubernetes version, the group versions it serves and its CRDs,
identified by (uid, resourceVersion); the caches are keyed on exactly that, so two clusters with the
same inputs share documents and a CRD change builds new ones. The built-in part of v2 (the same for
every cluster of a release) is encoded once and concatenated with the CRDs' part.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from . import build, gnostic, source
from .build import Resource
from .crd import CrdKind


@dataclass(frozen=True)
class Body:
    data: bytes
    etag: str  # quoted, as sent in the ETag header


def _body(data: bytes) -> Body:
    return Body(data, f'"{hashlib.sha256(data).hexdigest()[:32].upper()}"')


def _json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


@dataclass(frozen=True)
class Inputs:
    kubernetes_version: str
    resources: tuple[Resource, ...]
    crd_key: tuple[tuple[str, str], ...]
    crds: tuple[Mapping[str, Any], ...] = field(compare=False, hash=False, repr=False)

    @classmethod
    def of(
        cls, kubernetes_version: str, resources: Sequence[Resource], crds: Sequence[Mapping[str, Any]]
    ) -> Inputs:
        key = tuple(
            (str(c["metadata"].get("uid", "")), str(c["metadata"].get("resourceVersion", ""))) for c in crds
        )
        return cls(kubernetes_version, tuple(sorted(resources)), key, tuple(crds))

    @property
    def group_versions(self) -> list[tuple[str, str]]:
        return sorted({(r.group, r.version) for r in self.resources})

    @property
    def release(self) -> tuple[int, int]:
        return source.release_for(self.kubernetes_version)


@lru_cache(maxsize=16)
def custom_kinds(inputs: Inputs) -> tuple[CrdKind, ...]:
    return tuple(build.custom_kinds(source.definitions(inputs.release), inputs.crds))


@lru_cache(maxsize=8)
def v2_json(inputs: Inputs) -> Body:
    builtin = source.definitions(inputs.release)
    definitions = build.v2_definitions(builtin, custom_kinds(inputs))
    return _body(_json(build.v2_document(inputs.kubernetes_version, definitions)))


@cache
def _builtin_v2_proto(release: tuple[int, int]) -> bytes:
    return gnostic.encode_definitions(source.definitions(release))


@lru_cache(maxsize=8)
def v2_proto(inputs: Inputs) -> Body:
    header = gnostic.encode_header("Kubernetes", f"v{inputs.kubernetes_version}")
    custom = build.v2_definitions({}, custom_kinds(inputs))
    tail = gnostic.encode_definitions(custom) if custom else b""
    return _body(header + _builtin_v2_proto(inputs.release) + tail)


@dataclass(frozen=True)
class _GroupVersion:
    kubernetes_version: str
    group: str
    version: str
    crd_key: tuple[tuple[str, str], ...]  # of the CRDs serving this group version only
    resources: tuple[Resource, ...]
    kinds: tuple[CrdKind, ...] = field(compare=False, hash=False, repr=False)


@lru_cache(maxsize=128)
def _v3(gv: _GroupVersion) -> Body:
    builtin = source.definitions(source.release_for(gv.kubernetes_version))
    document = build.v3_document(gv.kubernetes_version, gv.group, gv.version, builtin, gv.kinds, gv.resources)
    return _body(_json(document))


def v3_group_version(inputs: Inputs, group: str, version: str) -> Body:
    kinds = tuple(k for k in custom_kinds(inputs) if (k.group, k.version) == (group, version))
    key = tuple(
        entry
        for entry, crd in zip(inputs.crd_key, inputs.crds, strict=True)
        if (crd.get("spec") or {}).get("group") == group
    )
    resources = tuple(r for r in inputs.resources if (r.group, r.version) == (group, version))
    return _v3(_GroupVersion(inputs.kubernetes_version, group, version, key, resources, kinds))


def v3_index(inputs: Inputs) -> Body:
    """``/openapi/v3``: where each group version's document is, with its hash."""
    paths: dict[str, Any] = {}
    for group, version in inputs.group_versions:
        path = build.gv_path(group, version)
        etag = v3_group_version(inputs, group, version).etag.strip('"')
        paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={etag}"}
    return _body(_json({"paths": paths}))
