"""Microsoft.Network private DNS zones and their virtual network links (global resources)."""

from __future__ import annotations

from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.providers.durations import duration
from emulator.arm.registry import Ctx, Lro, Registry, ResourceType
from emulator.arm.store import Resource

ZONE = "Microsoft.Network/privateDnsZones"
LINK = "Microsoft.Network/privateDnsZones/virtualNetworkLinks"
_MODELS = "azure.mgmt.privatedns.models"


def _zone_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    body["location"] = "global"
    props = body["properties"]
    props.setdefault("maxNumberOfRecordSets", 25000)
    props.setdefault("maxNumberOfVirtualNetworkLinks", 1000)
    props.setdefault("maxNumberOfVirtualNetworkLinksWithRegistration", 100)
    props.setdefault("internalId", ctx.backend.guid(ctx.resource_id, "internalId"))


def _render_zone(backend: Backend, resource: Resource, body: dict[str, Any]) -> None:
    links = backend.children(resource.id, LINK)
    props = body.setdefault("properties", {})
    props["numberOfRecordSets"] = 1
    props["numberOfVirtualNetworkLinks"] = len(links)
    props["numberOfVirtualNetworkLinksWithRegistration"] = sum(
        1 for link in links if link.body["properties"].get("registrationEnabled")
    )


def _validate_link(ctx: Ctx, body: dict[str, Any]) -> None:
    vnet_id = (body.get("properties", {}).get("virtualNetwork") or {}).get("id")
    if not vnet_id:
        raise e.bad_request(
            "InvalidRequestContent", e.MSG_REQUIRED.format(path="properties.virtualNetwork.id")
        )
    if ctx.backend.get(vnet_id) is None:
        raise e.bad_request(
            "InvalidVirtualNetworkReference", e.MSG_INVALID_REFERENCE.format(ref=vnet_id, id=ctx.resource_id)
        )
    for other in ctx.backend.children(ctx.parent_id or "", LINK):
        other_vnet = str(other.body["properties"]["virtualNetwork"]["id"]).lower()
        if other.id.lower() != ctx.resource_id.lower() and other_vnet == vnet_id.lower():
            raise e.conflict("Conflict", e.MSG_VNET_ALREADY_LINKED.format(vnet=vnet_id))


def _link_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    body["location"] = "global"
    body["properties"].setdefault("registrationEnabled", False)
    body["properties"].setdefault("resolutionPolicy", "Default")
    body["properties"]["virtualNetworkLinkState"] = "Completed"


def _dns_type(type_name: str, model: str, **kw: Any) -> ResourceType:
    return ResourceType(
        type_name,
        lro=Lro.ASYNC_OPERATION,
        location_header=True,
        create_code=202,
        update_code=202,
        patch_code=202,
        patch_lro=True,
        duration_s=duration(type_name),
        delete_lro=Lro.ASYNC_OPERATION,
        delete_code=202,
        delete_duration_s=duration(type_name),
        model=f"{_MODELS}:{model}",
        readonly_properties=("provisioningState", "internalId", "virtualNetworkLinkState"),
        **kw,
    )


def register(reg: Registry) -> None:
    reg.add(_dns_type(ZONE, "PrivateZone", defaults=_zone_defaults, render=_render_zone))
    reg.add(_dns_type(LINK, "VirtualNetworkLink", defaults=_link_defaults, validate=_validate_link))
