"""How a live value is compared with the desired one, per resource kind: ARM's spelling rules in one place.

ARM treats enum values and resource IDs case-insensitively, normalises CIDRs, leaves out fields that
hold their default, and answers some fields in a plural form (`podCidrs: [x]` for `podCidr: x`). A diff
that compared strings would plan an update, or a replacement, for what is only a spelling. Each kind's
table below says, for a field path, how its values compare, which value an absent live field stands
for, and which plural key ARM may answer instead, each with the reason. A field no table names
compares exactly: names, tags and free text are case-sensitive.

Paths are those of `orchestrator.engine.diff`, with `[*]` for every element of a named list or every
key of an ID-keyed map. `rules_for(kind)` gives the rules of one kind (`#variant` suffixes share the
base kind's table); `same(compare, desired, observed)` compares two values under one rule.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Compare(StrEnum):
    EXACT = "exact"  # today's plain comparison (case-sensitive text, numbers by value)
    ENUM = "enum"  # text compared case-insensitively: enum values, SKU and size names, GUIDs, DNS labels
    LOCATION = "location"  # an Azure region: case and spaces do not matter
    RESOURCE_ID = "resource-id"  # an ARM ID, case-insensitive (`resourceGroups` vs `resourcegroups`)
    ROLE_DEFINITION = "role-definition"  # a role definition ID, compared by its GUID whatever its scope
    CIDR = "cidr"  # a network, normalised (host bits, a bare IP is /32)
    CIDR_SET = "cidr-set"  # CIDRs in any order
    ADDRESS_PREFIX = "address-prefix"  # an NSG prefix: a CIDR, or a service tag (case-insensitive)
    ADDRESS_PREFIX_SET = "address-prefix-set"  # NSG prefixes in any order
    IP = "ip"  # an IP address, normalised
    SET = "set"  # a list whose order does not matter
    ID_KEYS = "id-keys"  # a map keyed by resource IDs: keys match case-insensitively


@dataclass(frozen=True)
class Rule:
    path: str  # e.g. "properties.securityRules[*].properties.protocol"
    compare: Compare
    reason: str
    default: Any = None  # what an absent (or null) live field stands for; None: no default
    plural: str = ""  # the sibling key ARM may answer instead, a list holding the one value
    when: tuple[str, str] | None = None  # the default holds only when this desired sibling has this value

    def default_applies(self, desired_siblings: Mapping[str, Any]) -> bool:
        if self.default is None:
            return False
        if self.when is None:
            return True
        key, value = self.when
        return str(desired_siblings.get(key, "")).lower() == value.lower()


ENUM_REASON = "ARM enum values are case-insensitive"
ID_REASON = "ARM resource IDs are case-insensitive; ARM often answers `resourcegroups`"

ANY_KIND = (Rule("location", Compare.LOCATION, "ARM answers regions in lower case without spaces"),)

RESOURCE_GROUP: tuple[Rule, ...] = ()  # location and tags only; location is declared for every kind


def _security_rules() -> tuple[Rule, ...]:
    p = "properties.securityRules[*].properties."
    prefix = "a CIDR (normalised) or a service tag (case-insensitive); ARM may answer a one-item list"
    ports = "ARM may answer a single port range as a one-item list"
    return (
        Rule(p + "protocol", Compare.ENUM, ENUM_REASON + " (Tcp, TCP)"),
        Rule(p + "access", Compare.ENUM, ENUM_REASON),
        Rule(p + "direction", Compare.ENUM, ENUM_REASON),
        Rule(p + "sourceAddressPrefix", Compare.ADDRESS_PREFIX, prefix, plural="sourceAddressPrefixes"),
        Rule(
            p + "destinationAddressPrefix",
            Compare.ADDRESS_PREFIX,
            prefix,
            plural="destinationAddressPrefixes",
        ),
        Rule(p + "sourceAddressPrefixes", Compare.ADDRESS_PREFIX_SET, "a set of prefixes: order is not kept"),
        Rule(
            p + "destinationAddressPrefixes",
            Compare.ADDRESS_PREFIX_SET,
            "a set of prefixes: order is not kept",
        ),
        Rule(p + "sourcePortRange", Compare.EXACT, ports, plural="sourcePortRanges"),
        Rule(p + "destinationPortRange", Compare.EXACT, ports, plural="destinationPortRanges"),
        Rule(p + "sourcePortRanges", Compare.SET, "a set of port ranges: order is not kept"),
        Rule(p + "destinationPortRanges", Compare.SET, "a set of port ranges: order is not kept"),
    )


NSG = _security_rules()

VNET = (
    Rule("properties.addressSpace.addressPrefixes", Compare.CIDR_SET, "a set of CIDRs: order is not kept"),
)

SUBNET = (
    Rule(
        "properties.addressPrefix",
        Compare.CIDR,
        "a CIDR; newer API versions answer `addressPrefixes: [x]`",
        plural="addressPrefixes",
    ),
    Rule("properties.networkSecurityGroup.id", Compare.RESOURCE_ID, ID_REASON),
)

PRIVATE_DNS_ZONE: tuple[Rule, ...] = ()  # location ("global") and tags only

DNS_LINK = (
    Rule("properties.virtualNetwork.id", Compare.RESOURCE_ID, ID_REASON),
    Rule(
        "properties.registrationEnabled",
        Compare.EXACT,
        "off unless asked for; may be left out",
        default=False,
    ),
)

USER_ASSIGNED_IDENTITY: tuple[Rule, ...] = ()  # location and tags only

ROLE_ASSIGNMENT = (
    Rule(
        "properties.roleDefinitionId",
        Compare.ROLE_DEFINITION,
        "ARM answers `/providers/Microsoft.Authorization/roleDefinitions/<guid>` without the subscription",
    ),
    Rule("properties.principalId", Compare.ENUM, "an object ID: a GUID, whose case does not matter"),
    Rule("properties.principalType", Compare.ENUM, ENUM_REASON),
)


def _pool_rules(p: str) -> tuple[Rule, ...]:
    """An agent pool's fields, under `p` (the pool resource's `properties.` or an inline profile)."""
    return (
        Rule(p + "mode", Compare.ENUM, ENUM_REASON),
        Rule(p + "vmSize", Compare.ENUM, "VM size names are case-insensitive (AKS may answer lower case)"),
        Rule(p + "osType", Compare.ENUM, "AKS's default OS type is Linux", default="Linux"),
        Rule(p + "type", Compare.ENUM, "AKS's default pool type", default="VirtualMachineScaleSets"),
        Rule(p + "osDiskType", Compare.ENUM, ENUM_REASON),
        Rule(p + "vnetSubnetID", Compare.RESOURCE_ID, ID_REASON),
        Rule(p + "enableAutoScaling", Compare.EXACT, "off unless asked for; may be left out", default=False),
        Rule(p + "scaleSetPriority", Compare.ENUM, "AKS's default priority is Regular", default="Regular"),
        Rule(
            p + "scaleSetEvictionPolicy",
            Compare.ENUM,
            "Spot pools evict with Delete unless told otherwise; AKS may leave it out",
            default="Delete",
            when=("scaleSetPriority", "Spot"),
        ),
        Rule(
            p + "spotMaxPrice",
            Compare.EXACT,
            "a Spot pool's default price cap is -1 (the on-demand price)",
            default=-1,
            when=("scaleSetPriority", "Spot"),
        ),
    )


MANAGED_CLUSTER = (
    Rule("identity.type", Compare.ENUM, ENUM_REASON),
    Rule("identity.userAssignedIdentities", Compare.ID_KEYS, "keyed by identity resource IDs; " + ID_REASON),
    Rule("sku.name", Compare.ENUM, "AKS's only cluster SKU is Base", default="Base"),
    Rule("sku.tier", Compare.ENUM, "AKS's default tier is Free", default="Free"),
    Rule("properties.dnsPrefix", Compare.ENUM, "a DNS label: case-insensitive"),
    Rule("properties.enableRBAC", Compare.EXACT, "AKS enables Kubernetes RBAC by default", default=True),
    Rule("properties.networkProfile.networkPlugin", Compare.ENUM, ENUM_REASON),
    Rule(
        "properties.networkProfile.podCidr",
        Compare.CIDR,
        "a CIDR; AKS answers `podCidrs: [x]`",
        plural="podCidrs",
    ),
    Rule(
        "properties.networkProfile.serviceCidr",
        Compare.CIDR,
        "a CIDR; AKS answers `serviceCidrs: [x]`",
        plural="serviceCidrs",
    ),
    Rule("properties.networkProfile.dnsServiceIP", Compare.IP, "an IP address"),
    Rule(
        "properties.networkProfile.loadBalancerSku",
        Compare.ENUM,
        "AKS's default load balancer SKU is standard",
        default="standard",
    ),
    Rule(
        "properties.networkProfile.outboundType",
        Compare.ENUM,
        "AKS's default outbound type is loadBalancer",
        default="loadBalancer",
    ),
    Rule(
        "properties.apiServerAccessProfile.authorizedIPRanges",
        Compare.CIDR_SET,
        "a set of CIDRs in any order; a bare IP is its /32",
    ),
    *_pool_rules("properties.agentPoolProfiles[*]."),
)

AGENT_POOL = _pool_rules("properties.")

RULES: Mapping[str, tuple[Rule, ...]] = {
    "*": ANY_KIND,
    "Microsoft.Resources/resourceGroups": RESOURCE_GROUP,
    "Microsoft.Network/networkSecurityGroups": NSG,
    "Microsoft.Network/virtualNetworks": VNET,
    "Microsoft.Network/virtualNetworks/subnets": SUBNET,
    "Microsoft.Network/privateDnsZones": PRIVATE_DNS_ZONE,
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks": DNS_LINK,
    "Microsoft.ManagedIdentity/userAssignedIdentities": USER_ASSIGNED_IDENTITY,
    "Microsoft.Authorization/roleAssignments": ROLE_ASSIGNMENT,
    "Microsoft.ContainerService/managedClusters": MANAGED_CLUSTER,
    "Microsoft.ContainerService/managedClusters/agentPools": AGENT_POOL,
}


# The plural key ARM may answer for each singular one, by key name (for request bodies: `steps.arm.merge`).
PLURAL_FORMS: Mapping[str, str] = MappingProxyType(
    {r.path.rsplit(".", 1)[-1]: r.plural for rules in RULES.values() for r in rules if r.plural}
)


def rules_for(kind: str) -> dict[str, Rule]:
    """The rules of `kind` (and of every kind) by path; `kind#variant` uses the base kind's table."""
    base = kind.split("#", 1)[0]
    return {r.path: r for r in (*RULES["*"], *RULES.get(base, ()))}


# -- comparisons --------------------------------------------------------------------------------------
def same(compare: Compare, desired: Any, observed: Any) -> bool:
    return _COMPARISONS[compare](desired, observed)


def exact(desired: Any, observed: Any, *, ordered: bool = False) -> bool:
    """The comparison of fields no table names. String lists are sets unless `ordered` (Kubernetes:
    a container's args or command keep their order)."""
    if isinstance(desired, str) and isinstance(observed, str):
        # A value shaped like an ARM resource ID is one, wherever it sits.
        return desired == observed or (is_resource_id(desired) and desired.lower() == observed.lower())
    strings = isinstance(desired, list) and all(isinstance(x, str) for x in desired)
    if strings and isinstance(observed, list) and not ordered:
        return sorted(desired) == sorted(observed)
    if isinstance(desired, bool) or isinstance(observed, bool):
        return desired is observed
    if isinstance(desired, int | float) and isinstance(observed, int | float):
        return float(desired) == float(observed)
    return bool(desired == observed)


def is_resource_id(value: str) -> bool:
    return value.lower().startswith("/subscriptions/")


def _texts(compare: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    """A comparison of two strings; anything else compares exactly."""

    def check(desired: Any, observed: Any) -> bool:
        if isinstance(desired, str) and isinstance(observed, str):
            return compare(desired, observed)
        return exact(desired, observed)

    return check


def _set_of(element: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Two lists holding the same elements (under `element`), in any order, duplicates aside."""

    def check(desired: Any, observed: Any) -> bool:
        if not (isinstance(desired, Sequence) and isinstance(observed, Sequence)):
            return exact(desired, observed)
        if isinstance(desired, str) or isinstance(observed, str):
            return exact(desired, observed)
        return all(any(element(d, o) for o in observed) for d in desired) and all(
            any(element(d, o) for d in desired) for o in observed
        )

    return check


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _same_cidr(desired: str, observed: str) -> bool:
    want, live = _network(desired), _network(observed)
    return want == live if want is not None and live is not None else desired == observed


def _same_prefix(desired: str, observed: str) -> bool:
    if _network(desired) is not None and _network(observed) is not None:
        return _same_cidr(desired, observed)
    return desired.lower() == observed.lower()  # a service tag: VirtualNetwork, AzureLoadBalancer, *


def _same_ip(desired: str, observed: str) -> bool:
    try:
        return ipaddress.ip_address(desired.strip()) == ipaddress.ip_address(observed.strip())
    except ValueError:
        return desired == observed


def _same_id(desired: str, observed: str) -> bool:
    return desired.rstrip("/").lower() == observed.rstrip("/").lower()


ROLE_DEFINITIONS = "/providers/microsoft.authorization/roledefinitions/"


def _same_role_definition(desired: str, observed: str) -> bool:
    def guid(value: str) -> str:
        lowered = value.rstrip("/").lower()
        return lowered.rsplit(ROLE_DEFINITIONS, 1)[-1] if ROLE_DEFINITIONS in lowered else lowered

    return guid(desired) == guid(observed)


def _same_location(desired: str, observed: str) -> bool:
    return desired.replace(" ", "").lower() == observed.replace(" ", "").lower()


_COMPARISONS: Mapping[Compare, Callable[[Any, Any], bool]] = {
    Compare.EXACT: exact,
    Compare.ENUM: _texts(lambda d, o: d.lower() == o.lower()),
    Compare.LOCATION: _texts(_same_location),
    Compare.RESOURCE_ID: _texts(_same_id),
    Compare.ROLE_DEFINITION: _texts(_same_role_definition),
    Compare.CIDR: _texts(_same_cidr),
    Compare.CIDR_SET: _set_of(_texts(_same_cidr)),
    Compare.ADDRESS_PREFIX: _texts(_same_prefix),
    Compare.ADDRESS_PREFIX_SET: _set_of(_texts(_same_prefix)),
    Compare.IP: _texts(_same_ip),
    Compare.SET: _set_of(exact),
    Compare.ID_KEYS: exact,  # a structural rule: the diff walks such a map key by key
}
