"""Discovery documents: /version, /api, /api/v1, /apis and /apis/<group>/<version>."""

from __future__ import annotations

from typing import Any

from .errors import KubeError
from .resources import Registry, ResourceType


def version_info(kubernetes_version: str) -> dict[str, Any]:
    major, minor, *_ = [*kubernetes_version.split("."), "0", "0"][:3]
    return {
        "major": major,
        "minor": minor,
        "gitVersion": f"v{kubernetes_version}",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.24.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def api_versions() -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "apiVersion": "v1",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:443"}],
    }


def _group_entry(name: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": dict(entries[0])}


def api_group_list(registry: Registry) -> dict[str, Any]:
    groups = [_group_entry(g, vs) for g, vs in registry.group_versions().items()]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(registry: Registry, group: str) -> dict[str, Any]:
    versions = registry.group_versions().get(group)
    if not versions:
        raise KubeError(404, f"the server could not find the requested resource (group {group})", "NotFound")
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group, versions)}


def _resource_entries(rt: ResourceType) -> list[dict[str, Any]]:
    main: dict[str, Any] = {
        "name": rt.plural,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        main["shortNames"] = list(rt.short_names)
    if rt.categories:
        main["categories"] = list(rt.categories)
    out = [main]
    for sub in rt.subresources:
        entry: dict[str, Any] = {
            "name": f"{rt.plural}/{sub.name}",
            "singularName": "",
            "namespaced": rt.namespaced,
            "kind": sub.kind or rt.kind,
            "verbs": list(sub.verbs),
        }
        if sub.group is not None:
            entry["group"] = sub.group
            entry["version"] = sub.version
        out.append(entry)
    return out


def resource_list(registry: Registry, group: str, version: str) -> dict[str, Any]:
    types = registry.in_group_version(group, version)
    if not types:
        gv = f"{group}/{version}" if group else version
        raise KubeError(404, f"the server could not find the requested resource ({gv})", "NotFound")
    resources = [entry for rt in types for entry in _resource_entries(rt)]
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": resources,
    }
