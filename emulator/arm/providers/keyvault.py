"""Microsoft.KeyVault: vaults with soft delete (the name stays reserved until purged) and secrets."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response, read_json
from emulator.arm.lro import lro_headers
from emulator.arm.providers.durations import duration
from emulator.arm.registry import Ctx, Lro, Registry, ResourceType
from emulator.arm.routing import scope_parts
from emulator.arm.store import Resource
from emulator.arm.views import page

VAULT = "Microsoft.KeyVault/vaults"
SECRET = "Microsoft.KeyVault/vaults/secrets"
_MODELS = "azure.mgmt.keyvault.models"
_DELETED = "deleted_vaults"
_SUB_KV = r"/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.KeyVault"
_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def deleted_vaults(backend: Backend) -> dict[str, Any]:
    """Soft-deleted vaults by lower-case name; records whose purge completed are dropped."""
    records = backend.extras(_DELETED)
    for name, rec in list(records.items()):
        op = backend.operation(rec.get("purgeOperation") or "")
        if op is not None and op.status == "Succeeded":
            del records[name]
            backend.touch()
    return records


def _validate(ctx: Ctx, body: dict[str, Any]) -> None:
    name = ctx.name
    if not _NAME.match(name) or "--" in name:
        raise e.bad_request("VaultNameNotValid", e.MSG_VAULT_NAME_INVALID.format(name=name))
    if name.lower() in deleted_vaults(ctx.backend) and body["properties"].get("createMode") != "recover":
        raise e.conflict("ConflictError", e.MSG_VAULT_SOFT_DELETED.format(name=name))
    for other in ctx.backend.of_type(VAULT):
        if other.body["name"].lower() == name.lower() and other.id.lower() != ctx.resource_id.lower():
            raise e.conflict("VaultAlreadyExists", e.MSG_VAULT_NAME_TAKEN.format(name=name))


def _defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body["properties"]
    if props.get("createMode") == "recover":
        deleted_vaults(ctx.backend).pop(ctx.name.lower(), None)
        ctx.backend.touch()
    props.pop("createMode", None)
    props["vaultUri"] = f"https://{ctx.name}.vault.azure.net/"
    props.setdefault("enableSoftDelete", True)
    props.setdefault("softDeleteRetentionInDays", 90)
    props.setdefault("enableRbacAuthorization", True)
    props.setdefault("accessPolicies", [])
    props.setdefault("publicNetworkAccess", "Enabled")
    props.setdefault("enabledForDeployment", False)
    props.setdefault("enabledForDiskEncryption", False)
    props.setdefault("enabledForTemplateDeployment", False)


def _soft_delete(backend: Backend, resource: Resource) -> None:
    props = resource.body.get("properties", {})
    now = backend.now()
    retention = int(props.get("softDeleteRetentionInDays", 90))
    sub, _ = scope_parts(resource.id)
    location = resource.body.get("location", backend.settings.location)
    name = resource.body["name"]
    backend.extras(_DELETED)[name.lower()] = {
        "id": f"/subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}",
        "name": name,
        "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": resource.id,
            "location": location,
            "deletionDate": _iso(now),
            "scheduledPurgeDate": _iso(now + retention * 86400),
            "tags": resource.body.get("tags", {}),
            "purgeProtectionEnabled": bool(props.get("enablePurgeProtection")),
        },
    }
    backend.touch()


def _public(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k != "purgeOperation"}


def _deleted_or_404(backend: Backend, m: re.Match[str]) -> dict[str, Any]:
    rec = deleted_vaults(backend).get(m["name"].lower())
    if rec is None or rec.get("purgeOperation"):
        raise e.ArmError(
            404, "ResourceNotFound", e.MSG_DELETED_VAULT_NOT_FOUND.format(name=m["name"], location=m["loc"])
        )
    found: dict[str, Any] = rec
    return found


def _get_deleted(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    return Response(200, _public(_deleted_or_404(backend, m)))


def _list_deleted(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    items = [_public(r) for r in deleted_vaults(backend).values() if not r.get("purgeOperation")]
    return Response(200, page(backend, request, items))


def _purge(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    rec = _deleted_or_404(backend, m)
    if rec["properties"]["purgeProtectionEnabled"]:
        raise e.conflict("ConflictError", e.MSG_PURGE_PROTECTED.format(name=m["name"]))
    op = backend.start_operation(rec["id"], "action", duration(VAULT + ":purge"), VAULT)
    rec["purgeOperation"] = op.id
    backend.touch()
    rtype = backend.registry.get(VAULT)
    assert rtype is not None
    return Response(202, None, lro_headers(backend, request, rtype, op, Lro.LOCATION))


def _check_name(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    name = str(read_json(request).get("name", ""))
    taken = any(v.body["name"].lower() == name.lower() for v in backend.of_type(VAULT))
    if taken or name.lower() in deleted_vaults(backend):
        return Response(
            200,
            {
                "nameAvailable": False,
                "reason": "AlreadyExists",
                "message": e.MSG_VAULT_NAME_TAKEN.format(name=name),
            },
        )
    if not _NAME.match(name):
        return Response(
            200,
            {
                "nameAvailable": False,
                "reason": "AccountNameInvalid",
                "message": e.MSG_VAULT_NAME_INVALID.format(name=name),
            },
        )
    return Response(200, {"nameAvailable": True})


def _secret_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    vault = ctx.parent_id.rsplit("/", 1)[-1] if ctx.parent_id else ""
    props = body["properties"]
    props["secretUri"] = f"https://{vault}.vault.azure.net/secrets/{ctx.name}"
    props["secretUriWithVersion"] = (
        props["secretUri"] + "/" + ctx.backend.guid(ctx.resource_id, str(ctx.backend.now())).replace("-", "")
    )
    body.pop("location", None)


def _render_secret(backend: Backend, resource: Resource, body: dict[str, Any]) -> None:
    body.get("properties", {}).pop("value", None)  # write-only on the management plane


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            VAULT,
            lro=Lro.BODY,
            create_code=201,
            update_code=200,
            duration_s=duration(VAULT),
            delete_code=200,
            model=f"{_MODELS}:VaultCreateOrUpdateParameters",
            patch_model=f"{_MODELS}:VaultPatchParameters",
            readonly_properties=(
                "provisioningState",
                "vaultUri",
                "hsmPoolResourceId",
                "privateEndpointConnections",
            ),
            validate=_validate,
            defaults=_defaults,
            on_removed=_soft_delete,
        )
    )
    reg.add(
        ResourceType(
            SECRET,
            create_code=201,
            update_code=200,
            has_location=False,
            provisioning_state=False,
            model=f"{_MODELS}:SecretCreateOrUpdateParameters",
            readonly_properties=("secretUri", "secretUriWithVersion"),
            defaults=_secret_defaults,
            render=_render_secret,
        )
    )
    deleted = _SUB_KV + r"/locations/(?P<loc>[^/]+)/deletedVaults/(?P<name>[^/]+)"
    reg.route("GET", deleted, _get_deleted, "Microsoft.KeyVault/deletedVaults")
    reg.route("POST", deleted + "/purge", _purge, "Microsoft.KeyVault/deletedVaults")
    reg.route("GET", _SUB_KV + r"/deletedVaults", _list_deleted, "Microsoft.KeyVault/deletedVaults")
    reg.route("POST", _SUB_KV + r"/checkNameAvailability", _check_name, "Microsoft.KeyVault/vaults")
