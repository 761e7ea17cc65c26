"""Azure NSG evaluation for traffic between subnets of one VNet (the rules of the ARM state).

Rules are taken by priority, the first match decides; after the custom rules come Azure's defaults
(AllowVnetInBound 65000, AllowAzureLoadBalancerInBound 65001, DenyAllInBound 65500, and the outbound
ones). Both the source subnet's NSG (outbound) and the destination subnet's (inbound) must allow.
Service tags: ``VirtualNetwork`` matches any address of the VNet; ``Internet`` and
``AzureLoadBalancer`` never match traffic between subnets.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
DEFAULTS: dict[str, list[Obj]] = {
    "Inbound": [
        {"name": "AllowVnetInBound", "priority": 65000, "access": "Allow", "src": "VirtualNetwork"},
        {"name": "DenyAllInBound", "priority": 65500, "access": "Deny", "src": "*"},
    ],
    "Outbound": [
        {"name": "AllowVnetOutBound", "priority": 65000, "access": "Allow", "src": "VirtualNetwork"},
        {"name": "DenyAllOutBound", "priority": 65500, "access": "Deny", "src": "*"},
    ],
}


@dataclass(frozen=True)
class Flow:
    source: str  # CIDR or IP the packets come from
    destination: str  # IP they go to
    protocol: str  # Tcp | Udp | Icmp
    port: int


def _prefixes(props: Obj, side: str) -> list[str]:
    many = props.get(f"{side}AddressPrefixes") or []
    one = props.get(f"{side}AddressPrefix")
    return [str(p) for p in [*many, *([one] if one else [])]]


def _ports(props: Obj) -> list[str]:
    many = props.get("destinationPortRanges") or []
    one = props.get("destinationPortRange")
    return [str(p) for p in [*many, *([one] if one else [])]] or ["*"]


def _addr_match(prefix: str, value: str) -> bool:
    if prefix in ("*", "Any", "VirtualNetwork"):
        return True
    try:
        net = ipaddress.ip_network(prefix, strict=False)
        target = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False  # other service tags (Internet, AzureLoadBalancer) never match VNet traffic
    return target.subnet_of(net) if target.version == net.version else False  # type: ignore[arg-type]


def _port_match(spec: str, port: int) -> bool:
    if spec == "*":
        return True
    low, _, high = spec.partition("-")
    return int(low) <= port <= int(high or low)


def _matches(props: Obj, flow: Flow) -> bool:
    protocol = str(props.get("protocol", "*"))
    return (
        (protocol == "*" or protocol.lower() == flow.protocol.lower())
        and any(_addr_match(p, flow.source) for p in _prefixes(props, "source"))
        and any(_addr_match(p, flow.destination) for p in _prefixes(props, "destination"))
        and any(_port_match(p, flow.port) for p in _ports(props))
    )


def _rules(nsg: Obj | None, direction: str) -> list[tuple[int, str, str, Obj]]:
    found = []
    for r in ((nsg or {}).get("properties") or {}).get("securityRules") or []:
        props = r.get("properties") or {}
        if str(props.get("direction", "")).lower() == direction.lower():
            found.append(
                (int(props.get("priority", 4096)), str(r.get("name")), str(props.get("access")), props)
            )
    for d in DEFAULTS[direction]:
        props = {
            "protocol": "*",
            "sourceAddressPrefix": d["src"],
            "destinationAddressPrefix": d["src"],
            "destinationPortRange": "*",
        }
        found.append((int(d["priority"]), str(d["name"]), str(d["access"]), props))
    return sorted(found, key=lambda r: r[0])


def decide(nsg: Obj | None, direction: str, flow: Flow) -> tuple[bool, str]:
    """(allowed, the rule that decided) for one NSG; no NSG allows everything."""
    if nsg is None:
        return True, "no NSG"
    for _, name, access, props in _rules(nsg, direction):
        if _matches(props, flow):
            return access.lower() == "allow", name
    return False, "no rule"


def blocked(src_nsg: Obj | None, dst_nsg: Obj | None, flow: Flow) -> str:
    """'' when both NSGs let ``flow`` through, else which NSG and rule stop it."""
    for nsg, direction in ((src_nsg, "Outbound"), (dst_nsg, "Inbound")):
        allowed, rule = decide(nsg, direction, flow)
        if not allowed:
            name = (nsg or {}).get("name", "?")
            return f"NSG {name} rule {rule} denies {direction.lower()} {flow.protocol} {flow.port}"
    return ""
