"""Microsoft.Network: virtual networks, subnets (inline or child), NSGs and security rules."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.providers import network_usage as usage
from emulator.arm.providers.durations import duration
from emulator.arm.registry import Ctx, Lro, Registry, ResourceType
from emulator.arm.store import Resource
from emulator.arm.views import render as render_resource

VNET = "Microsoft.Network/virtualNetworks"
SUBNET = "Microsoft.Network/virtualNetworks/subnets"
NSG = "Microsoft.Network/networkSecurityGroups"
RULE = "Microsoft.Network/networkSecurityGroups/securityRules"
_MODELS = "azure.mgmt.network.models"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The six rules Azure adds to every NSG (name, priority, direction, access, source, destination, text).
_DEFAULT_RULES = (
    ("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork",
     "Allow inbound traffic from all VMs in VNET"),
    ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*",
     "Allow inbound traffic from azure load balancer"),
    ("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*", "Deny all inbound traffic"),
    ("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork",
     "Allow outbound traffic from all VMs to all VMs in VNET"),
    ("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet",
     "Allow outbound traffic from all VMs to Internet"),
    ("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*", "Deny all outbound traffic"),
)  # fmt: skip
# A rule always answers these lists, empty when the singular form is used (as Network does).
_RULE_PLURALS = (
    "sourceAddressPrefixes",
    "destinationAddressPrefixes",
    "sourcePortRanges",
    "destinationPortRanges",
)


def _cidr(prefix: Any) -> Network:
    try:
        return ipaddress.ip_network(str(prefix), strict=True)
    except ValueError as exc:
        raise e.bad_request("InvalidAddressPrefixFormat", e.MSG_INVALID_CIDR.format(prefix=prefix)) from exc


def _subnet_prefixes(props: dict[str, Any]) -> list[Network]:
    raw = props.get("addressPrefixes") or ([props["addressPrefix"]] if props.get("addressPrefix") else [])
    return [_cidr(p) for p in raw]


def _check_subnets(space: list[Network], subnets: list[tuple[str, list[Network]]]) -> None:
    """Every subnet prefix inside the VNet space; no two subnets overlap."""
    for name, prefixes in subnets:
        for p in prefixes:
            if space and not any(p.version == s.version and p.subnet_of(s) for s in space):  # type: ignore[arg-type]
                raise e.bad_request("NetcfgSubnetRangeOutsideVnet", e.MSG_SUBNET_PREFIX.format(subnet=name))
    for i, (name, prefixes) in enumerate(subnets):
        for other, others in subnets[i + 1 :]:
            if any(a.overlaps(b) for a in prefixes for b in others if a.version == b.version):
                raise e.bad_request(
                    "NetcfgSubnetRangesOverlap", e.MSG_SUBNET_OVERLAP.format(subnet=name, other=other)
                )


def _vnet_space(body: dict[str, Any]) -> list[Network]:
    return [_cidr(p) for p in body.get("properties", {}).get("addressSpace", {}).get("addressPrefixes", [])]


def _validate_vnet(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body.get("properties", {})
    inline = props.get("subnets") or []
    subnets = [(str(s.get("name")), _subnet_prefixes(s.get("properties", {}))) for s in inline]
    for s in inline:
        _check_nsg_ref(ctx.backend, s.get("properties", {}))
    _check_subnets(_vnet_space(body), subnets)


def _validate_subnet(ctx: Ctx, body: dict[str, Any]) -> None:
    vnet = ctx.backend.get(ctx.parent_id or "")
    props = body.get("properties", {})
    mine = _subnet_prefixes(props)
    if not mine:
        raise e.bad_request("InvalidRequestFormat", e.MSG_REQUIRED.format(path="properties.addressPrefix"))
    _check_nsg_ref(ctx.backend, props)
    if vnet is None:
        return
    siblings = [
        (s.body["name"], _subnet_prefixes(s.body["properties"]))
        for s in ctx.backend.children(vnet.id, SUBNET)
        if s.id.lower() != ctx.resource_id.lower()
    ]
    _check_subnets(_vnet_space(vnet.body), [(ctx.name, mine), *siblings])


def _check_nsg_ref(backend: Backend, props: dict[str, Any]) -> None:
    ref = (props.get("networkSecurityGroup") or {}).get("id")
    if ref and backend.get(ref) is None:
        raise e.bad_request("InvalidResourceReference", e.MSG_INVALID_REFERENCE.format(ref=ref, id="subnet"))


def _vnet_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body["properties"]
    props.setdefault("resourceGuid", ctx.backend.guid(ctx.resource_id, "resourceGuid"))
    props.setdefault("virtualNetworkPeerings", [])
    props.setdefault("enableDdosProtection", False)
    props.setdefault("privateEndpointVNetPolicies", "Disabled")


def _subnet_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body["properties"]
    props.setdefault("privateEndpointNetworkPolicies", "Disabled")
    props.setdefault("privateLinkServiceNetworkPolicies", "Enabled")
    props.setdefault("delegations", [])
    body["type"] = SUBNET


def _render_vnet(backend: Backend, resource: Resource, body: dict[str, Any]) -> None:
    subnets = [render_resource(backend, s) for s in backend.children(resource.id, SUBNET)]
    body.setdefault("properties", {})["subnets"] = subnets


def _nsg_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body["properties"]
    props.setdefault("resourceGuid", ctx.backend.guid(ctx.resource_id, "resourceGuid"))
    props["defaultSecurityRules"] = [_default_rule(ctx.resource_id, *r) for r in _DEFAULT_RULES]


def _default_rule(
    nsg_id: str, name: str, prio: int, direction: str, access: str, src: str, dst: str, text: str
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "description": text,
        "priority": prio,
        "direction": direction,
        "access": access,
        "protocol": "*",
        "sourceAddressPrefix": src,
        "destinationAddressPrefix": dst,
        "sourcePortRange": "*",
        "destinationPortRange": "*",
        "provisioningState": "Succeeded",
    }
    for key in _RULE_PLURALS:
        props[key] = []
    return {
        "id": f"{nsg_id}/defaultSecurityRules/{name}",
        "name": name,
        "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
        "properties": props,
    }


def _render_nsg(backend: Backend, resource: Resource, body: dict[str, Any]) -> None:
    props = body.setdefault("properties", {})
    props["securityRules"] = [render_resource(backend, r) for r in backend.children(resource.id, RULE)]
    users = [s.id for s in backend.of_type(SUBNET) if _nsg_of(s) == resource.id.lower()]
    if users:
        props["subnets"] = [{"id": u} for u in users]


def _nsg_of(subnet: Resource) -> str:
    return str((subnet.body.get("properties", {}).get("networkSecurityGroup") or {}).get("id", "")).lower()


# Resource types whose use of a subnet / NSG blocks its deletion in Azure.
SUBNET_USERS = (
    "Microsoft.ContainerService/managedClusters",
    "Microsoft.ContainerService/managedClusters/agentPools",
    "Microsoft.Compute/virtualMachineScaleSets",
    "Microsoft.Network/networkInterfaces",
    "Microsoft.Network/privateEndpoints",
)
NSG_USERS = (SUBNET, "Microsoft.Network/networkInterfaces")


def _in_use(code: str, users_types: tuple[str, ...]) -> Callable[[Ctx, Resource], None]:
    def check(ctx: Ctx, resource: Resource) -> None:
        users = ctx.backend.referencing(resource.id, users_types)
        if users:
            raise e.bad_request(code, e.MSG_IN_USE.format(id=resource.id, user=users[0].id))

    return check


def _subnet_in_use(ctx: Ctx, subnet: Resource) -> None:
    """400 InUseSubnetCannotBeDeleted while NICs (nodes) or other resources use the subnet."""
    user = usage.first_user(ctx.backend, subnet.id, SUBNET_USERS)
    if user is not None:
        message = e.MSG_SUBNET_IN_USE.format(subnet=subnet.body.get("name"), user=user)
        raise e.bad_request("InUseSubnetCannotBeDeleted", message)


def _vnet_in_use(ctx: Ctx, resource: Resource) -> None:
    """A VNet goes with its subnets, unless one of them is in use."""
    for subnet in ctx.backend.children(resource.id, SUBNET):
        _subnet_in_use(ctx, subnet)


def _render_subnet(backend: Backend, resource: Resource, body: dict[str, Any]) -> None:
    configs = usage.ip_configurations(backend, resource.id)
    if configs:
        body.setdefault("properties", {})["ipConfigurations"] = [{"id": i} for i in configs]


def _validate_nsg(ctx: Ctx, body: dict[str, Any]) -> None:
    rules = body.get("properties", {}).get("securityRules") or []
    _check_priorities([(str(r.get("name")), r.get("properties", {})) for r in rules])


def _validate_rule(ctx: Ctx, body: dict[str, Any]) -> None:
    siblings = [
        (r.body["name"], r.body["properties"])
        for r in ctx.backend.children(ctx.parent_id or "", RULE)
        if r.id.lower() != ctx.resource_id.lower()
    ]
    _check_priorities([(ctx.name, body.get("properties", {})), *siblings])


def _check_priorities(rules: list[tuple[str, dict[str, Any]]]) -> None:
    seen: dict[tuple[str, int], str] = {}
    for name, props in rules:
        prio = props.get("priority")
        if not isinstance(prio, int) or not 100 <= prio <= 4096:
            raise e.bad_request(
                "SecurityRuleInvalidPriority", e.MSG_RULE_PRIORITY.format(rule=name, priority=prio)
            )
        key = (str(props.get("direction", "")).lower(), prio)
        if key in seen:
            raise e.bad_request("SecurityRuleConflict", e.MSG_NSG_PRIORITY.format(rule=name, other=seen[key]))
        seen[key] = name


def _rule_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    body["type"] = RULE
    for key in _RULE_PLURALS:
        body["properties"].setdefault(key, [])


# Read-only in every Network model here: computed on the way out, never taken from a request.
_READONLY = ("provisioningState", "resourceGuid", "defaultSecurityRules", "ipConfigurations")


def _network_type(type_name: str, model: str, **kw: Any) -> ResourceType:
    return ResourceType(
        type_name,
        lro=Lro.ASYNC_OPERATION,
        create_code=201,
        update_code=200,
        duration_s=duration(type_name),
        delete_lro=Lro.ASYNC_OPERATION,
        location_header=True,
        delete_code=202,
        delete_duration_s=duration(type_name + ":delete"),
        model=f"{_MODELS}:{model}",
        patch_model=f"{_MODELS}:TagsObject",
        readonly_properties=_READONLY + tuple(kw.pop("readonly", ())),
        **kw,
    )


def register(reg: Registry) -> None:
    reg.add(
        _network_type(
            VNET,
            "VirtualNetwork",
            defaults=_vnet_defaults,
            validate=_validate_vnet,
            render=_render_vnet,
            inline_children={"subnets": SUBNET},
            on_delete=_vnet_in_use,
        )
    )
    reg.add(
        _network_type(
            SUBNET,
            "Subnet",
            has_location=False,
            defaults=_subnet_defaults,
            validate=_validate_subnet,
            render=_render_subnet,
            on_delete=_subnet_in_use,
        )
    )
    reg.add(
        _network_type(
            NSG,
            "NetworkSecurityGroup",
            defaults=_nsg_defaults,
            validate=_validate_nsg,
            render=_render_nsg,
            inline_children={"securityRules": RULE},
            on_delete=_in_use("InUseNetworkSecurityGroupCannotBeDeleted", NSG_USERS),
            readonly=("subnets", "networkInterfaces"),
        )
    )
    reg.add(
        _network_type(
            RULE, "SecurityRule", has_location=False, defaults=_rule_defaults, validate=_validate_rule
        )
    )
