"""Would an NSG let an inbound flow through? Azure's evaluation, for the mesh diagnosis: the rules of
the NSG (read live) and Azure's default rules, lowest priority number first; the first rule whose
protocol, source, destination and port all match decides. Service tags other than VirtualNetwork,
Internet and AzureLoadBalancer, and application security groups, are treated as not matching (the
product's rules use none of them).

This reads what exists; it is not the desired rule set of phase 1 (`steps.nsg_rules`), so a rule
someone else added at a higher priority is found too."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Azure's default inbound rules (priority, name, access, source, destination).
DEFAULT_INBOUND = (
    (65000, "AllowVnetInBound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    (65001, "AllowAzureLoadBalancerInBound", "Allow", "AzureLoadBalancer", "*"),
    (65500, "DenyAllInBound", "Deny", "*", "*"),
)


@dataclass(frozen=True)
class Flow:
    source: str  # the sending subnet's CIDR
    destination: str  # an IP address
    protocol: str  # Tcp, Udp
    port: int


@dataclass(frozen=True)
class Rule:
    name: str
    priority: int
    access: str
    protocol: str
    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    ports: tuple[str, ...]

    @classmethod
    def of(cls, sdk_rule: Any) -> Rule:
        def many(one: str | None, several: Sequence[str] | None) -> tuple[str, ...]:
            return tuple(several or ()) or ((one,) if one else ())

        return cls(
            str(sdk_rule.name),
            int(sdk_rule.priority),
            _text(sdk_rule.access),
            _text(sdk_rule.protocol or "*"),
            many(sdk_rule.source_address_prefix, sdk_rule.source_address_prefixes),
            many(sdk_rule.destination_address_prefix, sdk_rule.destination_address_prefixes),
            many(sdk_rule.destination_port_range, sdk_rule.destination_port_ranges),
        )


def inbound_rules(nsg: Any) -> list[Rule]:
    """The NSG's inbound rules and Azure's defaults, in evaluation order."""
    custom = [Rule.of(r) for r in nsg.security_rules or [] if _text(r.direction).lower() == "inbound"]
    defaults = [Rule(n, p, a, "*", (s,), (d,), ("*",)) for p, n, a, s, d in DEFAULT_INBOUND]
    return sorted([*custom, *defaults], key=lambda r: r.priority)


def _text(value: Any) -> str:
    """An SDK enum's wire value ("Deny", "Tcp"), or the string itself."""
    return str(getattr(value, "value", value))


def deciding_rule(rules: Iterable[Rule], flow: Flow, vnet_space: Sequence[str]) -> Rule | None:
    for rule in rules:
        if (
            _protocol(rule.protocol, flow.protocol)
            and any(_address(p, flow.source, vnet_space) for p in rule.sources)
            and any(_address(p, flow.destination, vnet_space) for p in rule.destinations)
            and any(_port(p, flow.port) for p in rule.ports)
        ):
            return rule
    return None


def _protocol(rule: str, flow: str) -> bool:
    return rule in ("*", "Any") or rule.lower() == flow.lower()


def _address(prefix: str, subject: str, vnet_space: Sequence[str]) -> bool:
    """`subject` (a CIDR or an IP) lies inside `prefix` (a CIDR, an IP, `*` or a service tag)."""
    if prefix in ("*", "Any", "Internet"):
        return prefix != "Internet" or not _inside_any(subject, vnet_space)
    if prefix == "VirtualNetwork":
        return _inside_any(subject, vnet_space)
    if prefix == "AzureLoadBalancer":
        return False
    return _inside_any(subject, [prefix])


def _inside_any(subject: str, prefixes: Sequence[str]) -> bool:
    try:
        net = ipaddress.ip_network(subject, strict=False)
        return any(net.subnet_of(ipaddress.ip_network(p, strict=False)) for p in prefixes)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _port(spec: str, port: int) -> bool:
    if spec in ("*", "Any"):
        return True
    low, _, high = spec.partition("-")
    try:
        return int(low) <= port <= int(high or low)
    except ValueError:
        return False
