"""Field-level diff between a desired document and the live one.

Only fields the desired document sets are compared, so defaults the service fills in never show as
drift. Fields we set at creation but the service or a controller owns afterwards are listed in
`SERVER_OWNED`, in this one place, each with the reason; they are left out of every diff of that kind.
How the values of a kind's fields compare (case-insensitive enums and IDs, CIDRs, sets, defaults of
absent fields, plural forms) is declared per kind in `orchestrator.engine.semantics`; every other
field compares exactly. Lists of objects that carry a `name` are compared by name (order does not
matter, as in ARM).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator.engine.change import FieldChange
from orchestrator.engine.semantics import Compare, Rule, exact, rules_for, same


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
    # The objects a chart renders (steps.release), diffed as `kubernetes/rendered#<apiVersion>/<kind>`:
    # these entries and the kind's own, but not ARM's `*` ones (`type` is a Service's own field).
    "kubernetes/rendered": (
        Ignored("status", "written by the object's controller; a template's `status:` stub is not desired"),
        Ignored("metadata.creationTimestamp", "set by the API server; templates often render it as null"),
        Ignored("metadata.generation", "incremented by the API server on every spec change"),
        Ignored("metadata.resourceVersion", "changes on every write"),
        Ignored("metadata.uid", "assigned by the API server"),
        Ignored("metadata.managedFields", "server-side apply's own bookkeeping"),
    ),
}

RENDERED_OBJECT = "kubernetes/rendered"


Rules = Mapping[str, Rule]


def ignored_patterns(kind: str) -> list[str]:
    if kind.split("#", 1)[0] == RENDERED_OBJECT:
        own = SERVER_OWNED.get(kind.partition("#")[2], ())
        return [i.pattern for i in (*SERVER_OWNED[RENDERED_OBJECT], *own)]
    return [i.pattern for i in (*SERVER_OWNED.get("*", ()), *SERVER_OWNED.get(kind, ()))]


def diff(
    desired: Any, observed: Any, *, kind: str = "*", extra_ignored: Sequence[str] = ()
) -> list[FieldChange]:
    patterns = [*ignored_patterns(kind), *extra_ignored]
    # A resource that does not exist yet has nothing to compare: each field it will get is listed.
    rules = rules_for(kind) if observed is not None else {}
    # Order matters in Kubernetes lists (container args, command); ARM's string lists are sets.
    ordered = kind != "*" and not kind.startswith("Microsoft.")
    return [c for c in _walk("", desired, observed, rules, ordered) if not matches(c.path, patterns)]


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


def _walk(path: str, desired: Any, observed: Any, rules: Rules, ordered: bool) -> Iterator[FieldChange]:
    rule = rules.get(_generic(path))
    if isinstance(desired, Mapping):
        if not isinstance(observed, Mapping) and observed is not None:
            yield FieldChange(path, observed, desired)
            return
        live = observed or {}
        if rule is not None and rule.compare is Compare.ID_KEYS:
            yield from _walk_id_keyed(path, desired, live, rules, ordered)
            return
        for key, value in desired.items():
            child = _join(path, str(key))
            live_value = _live(live, str(key), desired, rules.get(_generic(child)))
            yield from _walk(child, value, live_value, rules, ordered)
        return
    if isinstance(desired, list) and _named(desired) and (observed is None or _named(observed)):
        yield from _walk_named(path, desired, observed or [], rules, ordered)
        return
    if not _same(rule, desired, observed, ordered):
        yield FieldChange(path, observed, desired)


def _live(live: Mapping[str, Any], key: str, siblings: Mapping[str, Any], rule: Rule | None) -> Any:
    """The live value of `key`: as answered, else in its plural form, else the default it stands for."""
    value = live.get(key)
    if rule is None or (value is not None and not (rule.plural and value == "")):
        return value
    plural = live.get(rule.plural) if rule.plural else None
    if isinstance(plural, list) and plural:
        return plural
    return rule.default if rule.default_applies(siblings) else None


def _same(rule: Rule | None, desired: Any, observed: Any, ordered: bool) -> bool:
    if rule is None:
        return exact(desired, observed, ordered=ordered)
    if rule.plural and isinstance(observed, list) and not isinstance(desired, list):
        return len(observed) == 1 and same(rule.compare, desired, observed[0])
    return same(rule.compare, desired, observed)


def _named(items: Sequence[Any]) -> bool:
    return bool(items) and all(isinstance(i, Mapping) and "name" in i for i in items)


def _walk_named(
    path: str, desired: list[Any], observed: list[Any], rules: Rules, ordered: bool
) -> Iterator[FieldChange]:
    live = {str(i["name"]).lower(): i for i in observed}
    wanted = {str(i["name"]).lower() for i in desired}
    for item in desired:
        name = str(item["name"])
        rest = {k: v for k, v in item.items() if k != "name"}  # matched by name already (case-insensitive)
        match = live.get(name.lower())
        # An item that is not there yet is listed field by field, as a new resource is.
        yield from _walk(f"{path}[{name}]", rest, match or {}, rules if match is not None else {}, ordered)
    for name, item in live.items():
        if name not in wanted:
            yield FieldChange(f"{path}[{item['name']}]", item, None)


def _walk_id_keyed(
    path: str, desired: Mapping[str, Any], live: Mapping[str, Any], rules: Rules, ordered: bool
) -> Iterator[FieldChange]:
    """A map keyed by resource IDs: a key matches the same ID in any case."""
    by_id = {str(k).lower(): v for k, v in live.items()}
    for key, value in desired.items():
        child = f"{path}[{key}]"
        if str(key).lower() not in by_id:
            yield FieldChange(child, None, value)
            continue
        yield from _walk(child, value, by_id[str(key).lower()], rules, ordered)
