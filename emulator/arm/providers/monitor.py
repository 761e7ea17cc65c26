"""Microsoft.Insights: data collection rules and associations, action groups, metric alerts
(PUT answers 200 only) and scheduled query rules."""

from __future__ import annotations

import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response
from emulator.arm.registry import Ctx, Registry, ResourceType, Scope
from emulator.arm.views import page, render

DCR = "Microsoft.Insights/dataCollectionRules"
DCRA = "Microsoft.Insights/dataCollectionRuleAssociations"
ACTION_GROUP = "Microsoft.Insights/actionGroups"
METRIC_ALERT = "Microsoft.Insights/metricAlerts"
QUERY_RULE = "Microsoft.Insights/scheduledQueryRules"
_MODELS = "azure.mgmt.monitor.models"


def _dcr_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    body["properties"].setdefault(
        "immutableId", "dcr-" + ctx.backend.guid(ctx.resource_id, "dcr").replace("-", "")
    )


def _validate_dcra(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body.get("properties", {})
    ref = props.get("dataCollectionRuleId") or props.get("dataCollectionEndpointId")
    if not ref:
        raise e.bad_request("InvalidPayload", e.MSG_REQUIRED.format(path="properties.dataCollectionRuleId"))
    if ctx.backend.get(str(ref)) is None:
        raise e.bad_request("InvalidPayload", e.MSG_INVALID_REFERENCE.format(ref=ref, id=ctx.resource_id))


def _global_location(ctx: Ctx, body: dict[str, Any]) -> None:
    body["location"] = str(body.get("location") or "global")


def _action_group_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    _global_location(ctx, body)
    props = body["properties"]
    for receivers in ("emailReceivers", "smsReceivers", "webhookReceivers", "azureAppPushReceivers"):
        props.setdefault(receivers, [])


def _validate_action_group(ctx: Ctx, body: dict[str, Any]) -> None:
    short = str(body.get("properties", {}).get("groupShortName", ""))
    if len(short) > 12:
        raise e.bad_request("InvalidParameter", e.MSG_GROUP_SHORT_NAME.format(name=short))


def _validate_scopes(ctx: Ctx, body: dict[str, Any]) -> None:
    for scope in body.get("properties", {}).get("scopes", []) or []:
        if ctx.backend.get(str(scope)) is None:
            raise e.bad_request("ScopeNotFound", e.MSG_SCOPE_NOT_FOUND.format(scope=scope))


def _dcr_associations(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    dcr_id = m["dcr"]
    if backend.get(dcr_id) is None:
        raise e.not_found(DCR, dcr_id.rsplit("/", 1)[-1])
    items = [
        render(backend, r)
        for r in backend.of_type(DCRA)
        if str(r.body["properties"].get("dataCollectionRuleId", "")).lower() == dcr_id.lower()
    ]
    return Response(200, page(backend, request, items))


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            DCR,
            create_code=201,
            update_code=200,
            delete_code=200,
            model=f"{_MODELS}:DataCollectionRuleResource",
            patch_model=f"{_MODELS}:ResourceForUpdate",
            readonly_properties=("provisioningState", "immutableId"),
            defaults=_dcr_defaults,
        )
    )
    reg.add(
        ResourceType(
            DCRA,
            scope=Scope.ANY,
            create_code=201,
            update_code=200,
            delete_code=200,
            has_location=False,
            model=f"{_MODELS}:DataCollectionRuleAssociationProxyOnlyResource",
            validate=_validate_dcra,
        )
    )
    reg.add(
        ResourceType(
            ACTION_GROUP,
            create_code=201,
            update_code=200,
            delete_code=200,
            provisioning_state=False,
            model=f"{_MODELS}:ActionGroupResource",
            patch_model=f"{_MODELS}:ActionGroupPatchBody",
            validate=_validate_action_group,
            defaults=_action_group_defaults,
        )
    )
    reg.add(
        ResourceType(
            METRIC_ALERT,
            create_code=200,
            update_code=200,
            delete_code=200,
            provisioning_state=False,
            model=f"{_MODELS}:MetricAlertResource",
            patch_model=f"{_MODELS}:MetricAlertResourcePatch",
            validate=_validate_scopes,
            defaults=_global_location,
        )
    )
    reg.add(
        ResourceType(
            QUERY_RULE,
            create_code=201,
            update_code=200,
            delete_code=200,
            provisioning_state=False,
            model=f"{_MODELS}:ScheduledQueryRuleResource",
            validate=_validate_scopes,
        )
    )
    reg.route(
        "GET",
        r"(?P<dcr>/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Insights/dataCollectionRules/[^/]+)/associations",
        _dcr_associations,
        DCRA,
    )
