"""What AKS refuses to change on an existing cluster, and the control-plane identity count it accepts.

Answered on the PUT (400), as AKS does:
- `dnsPrefix`, `nodeResourceGroup` and the network profile's plugin, pod/service CIDRs (singular or
  plural form), DNS service IP and load balancer SKU: `PropertyChangeNotAllowed`
  "Changing property '<path>' is not allowed." with the path as `target`. AKS compares case-insensitively
  and CIDRs by value, so a re-spelling is never a change.
- more than one user-assigned control-plane identity (two keys of `identity.userAssignedIdentities`,
  even when they differ only in case): `BadRequest` "The count of user assigned identity specified in
  identity.userAssignedIdentities is 2, while expected value is 1."
A field the PUT omits keeps its current value (see `keep_current`).
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

from emulator.arm import errors as e
from emulator.arm.providers import aks_common as c

# networkProfile fields that cannot change in place (outboundType, loadBalancerProfile, networkPolicy
# and the overlay migration fields can, so they are not listed).
NETWORK_FIXED = ("networkPlugin", "podCidr", "serviceCidr", "dnsServiceIP", "loadBalancerSku")
_PLURAL = {"podCidrs": "podCidr", "serviceCidrs": "serviceCidr"}
_CIDR_FIELDS = frozenset({"podCidr", "serviceCidr"})
CLUSTER_FIXED = ("dnsPrefix", "nodeResourceGroup")


def check_identity(identity: dict[str, Any]) -> None:
    if str(identity.get("type", "")).lower() != "userassigned":
        return
    count = len(identity.get("userAssignedIdentities") or {})
    if count != 1:
        raise e.bad_request("BadRequest", c.MSG_IDENTITY_COUNT.format(count=count))


def keep_current(props: dict[str, Any], old: dict[str, Any]) -> None:
    """Fields an update omits keep their current value (AKS never resets them to defaults)."""
    for key in CLUSTER_FIXED:
        if props.get(key) is None and key in old:
            props[key] = old[key]
    old_net = old.get("networkProfile") or {}
    if props.get("networkProfile") is None:
        props["networkProfile"] = copy.deepcopy(old_net)
        return
    net = props["networkProfile"]
    for plural, singular in _PLURAL.items():
        if net.get(singular) is None and net.get(plural):
            net[singular] = net[plural][0]
    for key in (*NETWORK_FIXED, "networkPluginMode", "ipFamilies"):
        if net.get(key) is None and key in old_net:
            net[key] = old_net[key]


def check_unchanged(props: dict[str, Any], old: dict[str, Any]) -> None:
    """400 PropertyChangeNotAllowed for the first fixed field the update changes."""
    for key in CLUSTER_FIXED:
        if _differs(key, props.get(key), old.get(key)):
            raise e.property_change_not_allowed(key)
    net, old_net = props.get("networkProfile") or {}, old.get("networkProfile") or {}
    for key in NETWORK_FIXED:
        if _differs(key, net.get(key), old_net.get(key)):
            raise e.property_change_not_allowed(f"networkProfile.{key}")
    for plural, singular in _PLURAL.items():
        given, current = net.get(plural), old_net.get(plural)
        if given is not None and current is not None and _cidr_set(given) != _cidr_set(current):
            raise e.property_change_not_allowed(f"networkProfile.{singular}")


def keep_stored_spelling(props: dict[str, Any], old: dict[str, Any]) -> None:
    """After `check_unchanged`: a fixed field sent in another spelling keeps the stored one."""
    for key in CLUSTER_FIXED:
        if key in old:
            props[key] = old[key]
    net, old_net = props.get("networkProfile") or {}, old.get("networkProfile") or {}
    for key in NETWORK_FIXED:
        if key in old_net:
            net[key] = old_net[key]
    for plural in _PLURAL:
        net.pop(plural, None)  # recomputed from the singular form


def _differs(key: str, given: Any, current: Any) -> bool:
    if given is None or current is None:
        return False
    if key in _CIDR_FIELDS:
        return _cidr_set([given]) != _cidr_set([current])
    return str(given).lower() != str(current).lower()


def _cidr_set(values: Any) -> frozenset[str]:
    out = set()
    for value in values if isinstance(values, list) else [values]:
        try:
            out.add(str(ipaddress.ip_network(str(value), strict=False)))
        except ValueError:
            out.add(str(value).lower())
    return frozenset(out)
