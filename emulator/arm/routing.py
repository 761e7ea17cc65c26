"""Split an ARM path into scope, resource type, names and an optional trailing collection/action."""

from __future__ import annotations

from dataclasses import dataclass

RG_TYPE = "Microsoft.Resources/resourceGroups"


@dataclass(frozen=True)
class Target:
    scope: str  # everything before the last /providers/ ("" for RG paths), canonical casing
    type_name: str  # full type of the addressed item, e.g. Microsoft.Network/virtualNetworks/subnets
    names: tuple[str, ...]  # one per type level; one fewer when `trailing` is set
    trailing: str | None  # last segment that is not a name: collection type or action

    @property
    def resource_id(self) -> str:
        """Id of the resource named by the path (without the trailing segment)."""
        if self.type_name == RG_TYPE:
            return f"{self.scope}/resourceGroups/{self.names[0]}" if self.names else self.scope
        parts = self.type_name.split("/")
        ns, levels = parts[0], parts[1:]
        pairs = [f"{t}/{n}" for t, n in zip(levels, self.names, strict=False)]
        if not pairs:
            return self.scope
        return f"{self.scope}/providers/{ns}/" + "/".join(pairs)

    @property
    def owner_type(self) -> str:
        """Type of the resource that owns a trailing action (type minus the trailing level)."""
        parts = self.type_name.split("/")
        return "/".join(parts[:-1]) if self.trailing else self.type_name


def parse(path: str) -> Target | None:
    segs = [s for s in path.split("/") if s]
    lower = [s.lower() for s in segs]
    idx = _last_providers(lower)
    if idx is None:
        return _resource_group_target(segs, lower)
    scope = "/" + "/".join(_canonical_scope(segs[:idx]))
    rest = segs[idx + 1 :]
    ns, levels = rest[0], rest[1:]
    types = levels[0::2]
    names = levels[1::2]
    trailing = types[-1] if len(types) > len(names) else None
    if not types:
        return None
    type_name = "/".join([ns, *types])
    return Target(scope if idx else "", type_name, tuple(names), trailing)


def _last_providers(lower: list[str]) -> int | None:
    for i in range(len(lower) - 2, -1, -1):
        if lower[i] == "providers":
            return i
    return None


def _resource_group_target(segs: list[str], lower: list[str]) -> Target | None:
    if len(segs) in (3, 4) and lower[0] == "subscriptions" and lower[2] == "resourcegroups":
        scope = f"/subscriptions/{segs[1]}"
        if len(segs) == 4:
            return Target(scope, RG_TYPE, (segs[3],), None)
        return Target(scope, RG_TYPE, (), "resourceGroups")
    return None


def _canonical_scope(segs: list[str]) -> list[str]:
    out = list(segs)
    for i, s in enumerate(out):
        if s.lower() == "resourcegroups":
            out[i] = "resourceGroups"
        elif s.lower() == "subscriptions":
            out[i] = "subscriptions"
    return out


def scope_parts(scope: str) -> tuple[str | None, str | None]:
    """(subscription, resource group) of a scope or resource id."""
    segs = [s for s in scope.split("/") if s]
    lower = [s.lower() for s in segs]
    sub = segs[1] if len(segs) > 1 and lower[0] == "subscriptions" else None
    rg = segs[3] if len(segs) > 3 and lower[2] == "resourcegroups" else None
    return sub, rg
