"""Field-level diff between a desired document and the live one.

Only fields the desired document sets are compared, so defaults the service fills in never show as
drift. Fields we set at creation but the service or a controller owns afterwards are listed in
`SERVER_OWNED`, in this one place, each with the reason; they are left out of every diff of that kind.
Lists of objects that carry a `name` are compared by name (order does not matter, as in ARM).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator.engine.change import FieldChange


@dataclass(frozen=True)
class Ignored:
    pattern: str  # a path glob, e.g. "properties.agentPoolProfiles[*].count"
    reason: str


SERVER_OWNED: Mapping[str, tuple[Ignored, ...]] = {
    "*": (
        Ignored("properties.provisioningState", "server-side status of the last operation"),
        Ignored("etag", "changes on every write"),
        Ignored("id", "assigned by Azure"),
        Ignored("type", "assigned by Azure"),
        Ignored("systemData", "audit metadata written by ARM"),
    ),
    "Microsoft.ContainerService/managedClusters": (
        Ignored("properties.agentPoolProfiles[*].count", "the cluster autoscaler owns node counts"),
        Ignored("properties.agentPoolProfiles[*].orchestratorVersion", "AKS fills it in and upgrades it"),
        Ignored("properties.agentPoolProfiles[*].nodeImageVersion", "AKS node image upgrades"),
        Ignored("properties.kubernetesVersion", "compared by the cluster step on the minor version only"),
        Ignored("properties.powerState", "changed by `orchestrate stop`/`start`, not by phases"),
    ),
    "Microsoft.ContainerService/managedClusters/agentPools": (
        Ignored("properties.orchestratorVersion", "AKS fills it in and upgrades it"),
        Ignored("properties.nodeImageVersion", "AKS node image upgrades"),
        Ignored("properties.powerState", "changed by `orchestrate stop`/`start`"),
    ),
    # An agent pool with enableAutoScaling: the same, plus the live node count.
    "Microsoft.ContainerService/managedClusters/agentPools#autoscaled": (
        Ignored("properties.count", "the cluster autoscaler owns node counts between minCount and maxCount"),
        Ignored("properties.orchestratorVersion", "AKS fills it in and upgrades it"),
        Ignored("properties.nodeImageVersion", "AKS node image upgrades"),
        Ignored("properties.powerState", "changed by `orchestrate stop`/`start`"),
    ),
    "apps/v1/Deployment": (Ignored("spec.replicas", "a HorizontalPodAutoscaler may own the replica count"),),
}


def ignored_patterns(kind: str) -> list[str]:
    return [i.pattern for i in (*SERVER_OWNED.get("*", ()), *SERVER_OWNED.get(kind, ()))]


def diff(
    desired: Any, observed: Any, *, kind: str = "*", extra_ignored: Sequence[str] = ()
) -> list[FieldChange]:
    patterns = [*ignored_patterns(kind), *extra_ignored]
    return [c for c in _walk("", desired, observed) if not matches(c.path, patterns)]


def matches(path: str, patterns: Sequence[str]) -> bool:
    # fnmatch reads "[...]" as a character class; list indices use brackets, so swap them out first.
    def plain(text: str) -> str:
        return text.replace("[", "<").replace("]", ">")

    candidates = (plain(path), plain(_generic(path)))
    # A pattern also covers everything beneath it ("a.b" covers "a.b.c" and "a.b[x].c").
    globs = [g for p in patterns for g in (plain(p), plain(p) + ".*", plain(p) + "<*")]
    return any(fnmatch.fnmatchcase(c, g) for g in globs for c in candidates)


def _generic(path: str) -> str:
    """`a[x].b[y]` -> `a[*].b[*]`, so patterns can address every list element."""
    out, depth = [], 0
    for ch in path:
        if ch == "[":
            depth += 1
            if depth == 1:
                out.append("[*")
            continue
        if ch == "]":
            depth -= 1
            if depth == 0:
                out.append("]")
            continue
        if depth == 0:
            out.append(ch)
    return "".join(out)


def _join(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def _walk(path: str, desired: Any, observed: Any) -> Iterator[FieldChange]:
    if isinstance(desired, Mapping):
        live = observed if isinstance(observed, Mapping) else {}
        if not isinstance(observed, Mapping) and observed is not None:
            yield FieldChange(path, observed, desired)
            return
        for key, value in desired.items():
            yield from _walk(_join(path, str(key)), value, live.get(key))
        return
    if isinstance(desired, list) and _named(desired) and (observed is None or _named(observed)):
        yield from _walk_named(path, desired, observed or [])
        return
    if not _equal(desired, observed):
        yield FieldChange(path, observed, desired)


def _named(items: Sequence[Any]) -> bool:
    return bool(items) and all(isinstance(i, Mapping) and "name" in i for i in items)


def _walk_named(path: str, desired: list[Any], observed: list[Any]) -> Iterator[FieldChange]:
    live = {str(i["name"]).lower(): i for i in observed}
    wanted = {str(i["name"]).lower() for i in desired}
    for item in desired:
        name = str(item["name"])
        rest = {k: v for k, v in item.items() if k != "name"}  # matched by name already (case-insensitive)
        yield from _walk(f"{path}[{name}]", rest, live.get(name.lower(), {}))
    for name, item in live.items():
        if name not in wanted:
            yield FieldChange(f"{path}[{item['name']}]", item, None)


def _equal(desired: Any, observed: Any) -> bool:
    if isinstance(desired, str) and isinstance(observed, str):
        # ARM resource IDs and enum values are case-insensitive.
        return desired == observed or (
            desired.startswith("/subscriptions/") and desired.lower() == observed.lower()
        )
    if isinstance(desired, list) and isinstance(observed, list) and all(isinstance(x, str) for x in desired):
        return sorted(desired) == sorted(observed)
    if isinstance(desired, bool) or isinstance(observed, bool):
        return desired is observed
    if isinstance(desired, int | float) and isinstance(observed, int | float):
        return float(desired) == float(observed)
    return bool(desired == observed)
