"""Microsoft.Network private DNS zones, their virtual network links and record sets (global resources).

- Zones and links: PUT/PATCH 202 + Azure-AsyncOperation (~30 s). A zone is created with its SOA record
  set `@`. Deleting a zone deletes its record sets with it, but ARM refuses it (409
  CannotDeleteResource) while any virtual network link exists: links are tracked nested resources.
- Record sets (`{zone}/{A|AAAA|CNAME|MX|PTR|SOA|SRV|TXT}/{name}`): synchronous, PUT 201/200, PATCH 200,
  DELETE 200/204, listed per type or all together (`{zone}/ALL`); no provisioningState, ownership in
  `properties.metadata` (record sets have no tags).
"""

from __future__ import annotations

import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response
from emulator.arm.providers.durations import duration
from emulator.arm.registry import Ctx, Lro, Registry, ResourceType
from emulator.arm.store import Resource
from emulator.arm.views import page, render

ZONE = "Microsoft.Network/privateDnsZones"
LINK = "Microsoft.Network/privateDnsZones/virtualNetworkLinks"
RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "PTR", "SOA", "SRV", "TXT")
_MODELS = "azure.mgmt.privatedns.models"
_ALL = (
    r"(?P<zone>/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/privateDnsZones/"
    r"[^/]+)/ALL"
)


def record_type(kind: str) -> str:
    return f"{ZONE}/{kind}"


def record_sets(backend: Backend, zone_id: str) -> list[Resource]:
    return [r for kind in RECORD_TYPES for r in backend.children(zone_id, record_type(kind))]


# --- zones ------------------------------------------------------------------------------------------
def _zone_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    body["location"] = "global"
    props = body["properties"]
    props.setdefault("maxNumberOfRecordSets", 25000)
    props.setdefault("maxNumberOfVirtualNetworkLinks", 1000)
    props.setdefault("maxNumberOfVirtualNetworkLinksWithRegistration", 100)
    props.setdefault("internalId", ctx.backend.guid(ctx.resource_id, "internalId"))
    if ctx.existing is None:
        _add_soa(ctx.backend, ctx.resource_id, ctx.name)


def _add_soa(backend: Backend, zone_id: str, zone: str) -> None:
    soa = {
        "host": "azureprivatedns.net",
        "email": "azureprivatedns-host.microsoft.com",
        "serialNumber": 1,
        "refreshTime": 3600,
        "retryTime": 300,
        "expireTime": 2419200,
        "minimumTtl": 10,
    }
    props = {"ttl": 3600, "fqdn": f"{zone}.", "isAutoRegistered": False, "soaRecord": soa}
    rid = f"{zone_id}/SOA/@"
    body = {
        "id": rid,
        "name": "@",
        "type": record_type("SOA"),
        "etag": backend.new_etag(),
        "properties": props,
    }
    backend.save(Resource(rid, record_type("SOA"), body))


def _render_zone(backend: Backend, resource: Resource, body: dict[str, Any]) -> None:
    links = backend.children(resource.id, LINK)
    props = body.setdefault("properties", {})
    props["numberOfRecordSets"] = len(record_sets(backend, resource.id))
    props["numberOfVirtualNetworkLinks"] = len(links)
    props["numberOfVirtualNetworkLinksWithRegistration"] = sum(
        1 for link in links if link.body["properties"].get("registrationEnabled")
    )


def _zone_on_delete(ctx: Ctx, zone: Resource) -> None:
    links = ctx.backend.children(zone.id, LINK)
    if links:
        nested = f"{ZONE}/{zone.body['name']}/virtualNetworkLinks/{links[0].body['name']}"
        raise e.conflict("CannotDeleteResource", e.MSG_NESTED_RESOURCES.format(nested=nested))


# --- links ------------------------------------------------------------------------------------------
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


# --- record sets ------------------------------------------------------------------------------------
def _record_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    zone = (ctx.parent_id or "").rsplit("/", 1)[-1]
    props = body["properties"]
    props.setdefault("ttl", 3600)
    props["fqdn"] = f"{zone}." if ctx.name == "@" else f"{ctx.name}.{zone}."
    props["isAutoRegistered"] = False


def _list_all(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    """GET {zone}/ALL: every record set of the zone (`$recordsetnamesuffix` filters by name)."""
    zone = backend.get(m["zone"])
    if zone is None:
        raise e.not_found(ZONE, m["zone"].rsplit("/", 1)[-1], m["zone"].split("/")[4])
    suffix = (request.query_ci("$recordsetnamesuffix") or "").lower()
    found = [r for r in record_sets(backend, zone.id) if r.body["name"].lower().endswith(suffix)]
    return Response(200, page(backend, request, [render(backend, r) for r in found]))


# --- registration -----------------------------------------------------------------------------------
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


def _record_set_type(kind: str) -> ResourceType:
    return ResourceType(
        record_type(kind),
        create_code=201,
        update_code=200,
        delete_code=200,
        has_location=False,
        provisioning_state=False,
        model=f"{_MODELS}:RecordSet",
        patch_model=f"{_MODELS}:RecordSet",
        readonly_properties=("fqdn", "isAutoRegistered"),
        defaults=_record_defaults,
    )


def register(reg: Registry) -> None:
    reg.route("GET", _ALL, _list_all, f"{ZONE}/ALL")
    reg.add(
        _dns_type(
            ZONE, "PrivateZone", defaults=_zone_defaults, render=_render_zone, on_delete=_zone_on_delete
        )
    )
    reg.add(_dns_type(LINK, "VirtualNetworkLink", defaults=_link_defaults, validate=_validate_link))
    for kind in RECORD_TYPES:
        reg.add(_record_set_type(kind))
