"""Microsoft.Storage: storage accounts (PUT 202 + Location on create, 200 on update), keys, name
availability, the default blob service and blob containers."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response, read_json
from emulator.arm.providers.durations import duration
from emulator.arm.registry import Ctx, Lro, Registry, ResourceType
from emulator.arm.store import Resource

ACCOUNT = "Microsoft.Storage/storageAccounts"
BLOB_SERVICE = "Microsoft.Storage/storageAccounts/blobServices"
CONTAINER = "Microsoft.Storage/storageAccounts/blobServices/containers"
_MODELS = "azure.mgmt.storage.models"
_NAME = re.compile(r"^[a-z0-9]{3,24}$")
_CONTAINER_NAME = re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$|^\$root$")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _name_problem(backend: Backend, name: str, own_id: str = "") -> tuple[str, str] | None:
    if not _NAME.match(name):
        return "AccountNameInvalid", e.MSG_STORAGE_NAME_INVALID.format(name=name)
    for other in backend.of_type(ACCOUNT):
        if other.body["name"] == name and other.id.lower() != own_id.lower():
            return "AlreadyExists", e.MSG_STORAGE_NAME_TAKEN.format(name=name)
    return None


def _validate(ctx: Ctx, body: dict[str, Any]) -> None:
    problem = _name_problem(ctx.backend, ctx.name, ctx.resource_id)
    if problem is None:
        return
    if problem[0] == "AccountNameInvalid":
        raise e.bad_request("AccountNameInvalid", problem[1])
    raise e.conflict("StorageAccountAlreadyTaken", problem[1])


def _defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body["properties"]
    name, location = ctx.name, body.get("location", ctx.location)
    endpoints = {
        kind: f"https://{name}.{kind}.core.windows.net/"
        for kind in ("blob", "queue", "table", "file", "dfs", "web")
    }
    props["primaryEndpoints"] = endpoints
    props["primaryLocation"] = location
    props["statusOfPrimary"] = "available"
    props.setdefault("creationTime", _now())
    if body.get("kind", "StorageV2") in ("StorageV2", "BlobStorage"):
        props.setdefault("accessTier", "Hot")
    props.setdefault("supportsHttpsTrafficOnly", True)
    props.setdefault("minimumTlsVersion", "TLS1_2")
    props.setdefault("allowBlobPublicAccess", False)
    props.setdefault("allowSharedKeyAccess", True)
    props.setdefault(
        "encryption", {"keySource": "Microsoft.Storage", "services": {"blob": {"enabled": True}}}
    )
    sku = body.setdefault("sku", {"name": "Standard_LRS"})
    sku["tier"] = "Premium" if str(sku.get("name", "")).startswith("Premium") else "Standard"
    service_id = f"{ctx.resource_id}/blobServices/default"
    if ctx.backend.get(service_id) is None:
        service = {"id": service_id, "name": "default", "type": BLOB_SERVICE, "properties": {}}
        ctx.backend.save(Resource(service_id, BLOB_SERVICE, service))


def _key(backend: Backend, resource_id: str, name: str, generation: int) -> str:
    seed = backend.guid(resource_id, name, str(generation)).encode()
    return base64.b64encode(hashlib.sha512(seed).digest()).decode()


def _keys_body(backend: Backend, resource: Resource) -> dict[str, Any]:
    gens = resource.body.setdefault("_keyGenerations", {"key1": 0, "key2": 0})
    return {
        "keys": [
            {
                "keyName": k,
                "value": _key(backend, resource.id, k, g),
                "permissions": "FULL",
                "creationTime": _now(),
            }
            for k, g in gens.items()
        ]
    }


def _list_keys(ctx: Ctx, resource: Resource) -> Response:
    return Response(200, _keys_body(ctx.backend, resource))


def _regenerate_key(ctx: Ctx, resource: Resource) -> Response:
    name = str(read_json(ctx.request).get("keyName", ""))
    gens = resource.body.setdefault("_keyGenerations", {"key1": 0, "key2": 0})
    if name not in gens:
        raise e.bad_request("InvalidValuesForRequestParameters", e.MSG_KEY_NAME.format(name=name))
    gens[name] += 1
    ctx.backend.touch()
    return Response(200, _keys_body(ctx.backend, resource))


def _hide_private(backend: Backend, resource: Resource, body: dict[str, Any]) -> None:
    body.pop("_keyGenerations", None)


def _check_name(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    name = str(read_json(request).get("name", ""))
    problem = _name_problem(backend, name)
    if problem is None:
        return Response(200, {"nameAvailable": True})
    return Response(200, {"nameAvailable": False, "reason": problem[0], "message": problem[1]})


def _validate_container(ctx: Ctx, body: dict[str, Any]) -> None:
    if not _CONTAINER_NAME.match(ctx.name):
        raise e.bad_request("ContainerOperationFailure", e.MSG_CONTAINER_NAME_INVALID.format(name=ctx.name))


def _container_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    body.pop("location", None)
    props = body["properties"]
    props.setdefault("publicAccess", "None")
    props.setdefault("defaultEncryptionScope", "$account-encryption-key")
    props.setdefault("denyEncryptionScopeOverride", False)
    props["lastModifiedTime"] = _now()
    props.setdefault("leaseStatus", "Unlocked")
    props.setdefault("leaseState", "Available")
    props.setdefault("hasImmutabilityPolicy", False)
    props.setdefault("hasLegalHold", False)
    body["etag"] = (
        f'"0x{ctx.backend.guid(ctx.resource_id, props["lastModifiedTime"])[:15].replace("-", "").upper()}"'
    )


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            ACCOUNT,
            lro=Lro.LOCATION,
            create_code=202,
            update_code=200,
            update_lro=False,
            duration_s=duration(ACCOUNT),
            delete_code=200,
            model=f"{_MODELS}:StorageAccountCreateParameters",
            patch_model=f"{_MODELS}:StorageAccountUpdateParameters",
            readonly_properties=(
                "provisioningState",
                "primaryEndpoints",
                "primaryLocation",
                "statusOfPrimary",
                "creationTime",
            ),
            validate=_validate,
            defaults=_defaults,
            render=_hide_private,
            actions={"listkeys": _list_keys, "regeneratekey": _regenerate_key},
        )
    )
    reg.add(ResourceType(BLOB_SERVICE, has_location=False, provisioning_state=False, create_code=200))
    reg.add(
        ResourceType(
            CONTAINER,
            create_code=201,
            update_code=200,
            delete_code=200,
            has_location=False,
            provisioning_state=False,
            model=f"{_MODELS}:BlobContainer",
            readonly_properties=(
                "lastModifiedTime",
                "leaseStatus",
                "leaseState",
                "hasImmutabilityPolicy",
                "hasLegalHold",
            ),
            validate=_validate_container,
            defaults=_container_defaults,
        )
    )
    reg.route(
        "POST",
        r"/subscriptions/[^/]+/providers/Microsoft\.Storage/checkNameAvailability",
        _check_name,
        ACCOUNT,
    )
