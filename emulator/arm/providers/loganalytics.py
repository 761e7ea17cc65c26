"""Microsoft.OperationalInsights: Log Analytics workspaces (retention, daily cap) and shared keys."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from emulator.arm import errors as e
from emulator.arm.http import Response
from emulator.arm.providers.durations import duration
from emulator.arm.registry import Ctx, Lro, Registry, ResourceType
from emulator.arm.store import Resource

WORKSPACE = "Microsoft.OperationalInsights/workspaces"
_MODELS = "azure.mgmt.loganalytics.models"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _validate(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body.get("properties", {})
    sku = str((props.get("sku") or {}).get("name", "PerGB2018")).lower()
    retention = props.get("retentionInDays")
    low = 7 if sku == "free" else 30
    if retention is not None and not low <= int(retention) <= 730:
        raise e.bad_request("InvalidParameter", e.MSG_RETENTION_RANGE.format(value=retention))
    cap = (props.get("workspaceCapping") or {}).get("dailyQuotaGb")
    if cap is not None and cap != -1 and float(cap) <= 0:
        raise e.bad_request("InvalidParameter", e.MSG_DAILY_CAP.format(value=cap))


def _defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body["properties"]
    props["customerId"] = ctx.backend.guid(ctx.resource_id, "customerId")
    props.setdefault("sku", {"name": "PerGB2018"})
    props["sku"].setdefault("lastSkuUpdate", _now())
    props.setdefault("retentionInDays", 30)
    capping = props.setdefault("workspaceCapping", {})
    capping.setdefault("dailyQuotaGb", -1.0)
    capping["quotaNextResetTime"] = _now()
    capping["dataIngestionStatus"] = "RespectQuota"
    props.setdefault("publicNetworkAccessForIngestion", "Enabled")
    props.setdefault("publicNetworkAccessForQuery", "Enabled")
    props.setdefault("createdDate", _now())
    props["modifiedDate"] = _now()
    props.setdefault(
        "features", {"legacy": 0, "searchVersion": 1, "enableLogAccessUsingOnlyResourcePermissions": True}
    )


def _shared_keys(ctx: Ctx, resource: Resource) -> Response:
    def key(which: str) -> str:
        return base64.b64encode(
            hashlib.sha512(ctx.backend.guid(resource.id, which).encode()).digest()
        ).decode()

    return Response(200, {"primarySharedKey": key("primary"), "secondarySharedKey": key("secondary")})


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            WORKSPACE,
            lro=Lro.BODY,
            create_code=200,
            update_code=200,
            duration_s=duration(WORKSPACE),
            delete_lro=Lro.ASYNC_OPERATION,
            location_header=True,
            delete_code=202,
            delete_duration_s=duration(WORKSPACE + ":delete"),
            model=f"{_MODELS}:Workspace",
            patch_model=f"{_MODELS}:WorkspacePatch",
            readonly_properties=("provisioningState", "customerId", "createdDate", "modifiedDate"),
            validate=_validate,
            defaults=_defaults,
            actions={"sharedkeys": _shared_keys},
        )
    )
