"""Microsoft.ManagedIdentity: user-assigned identities and federated identity credentials (FIC).

Azure refuses concurrent FIC writes on one identity (409
ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity). Model: every FIC write stays
"in flight" for Settings.fic_write_latency_s (the answer is delayed by as much), and a write on the
same identity that arrives while another is in flight is refused. Sequential writers never see it.
"""

from __future__ import annotations

from typing import Any

from emulator.arm import errors as e
from emulator.arm import ids
from emulator.arm.backend import Backend
from emulator.arm.registry import Ctx, Registry, ResourceType
from emulator.arm.store import Resource

IDENTITY = "Microsoft.ManagedIdentity/userAssignedIdentities"
FIC = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
_MODELS = "azure.mgmt.msi.v2024_11_30.models"
_IN_FLIGHT = "fic_in_flight"
PRINCIPALS_CREATED = "principals_created"  # principalId -> when its identity was created (propagation model)


def _identity_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body["properties"]
    props["tenantId"] = ctx.backend.tenant_id
    props["principalId"] = ctx.backend.guid(ctx.resource_id, "principalId")
    created = ctx.backend.extras(PRINCIPALS_CREATED)
    if props["principalId"] not in created:
        created[props["principalId"]] = ctx.backend.now()
        ctx.backend.touch()
    props["clientId"] = ctx.backend.guid(ctx.resource_id, "clientId")
    props.setdefault("isolationScope", "None")


def _validate_fic(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body.get("properties", {})
    for field in ("issuer", "subject", "audiences"):
        if not props.get(field):
            raise e.bad_request("BadRequest", e.MSG_REQUIRED.format(path=f"properties.{field}"))
    _fic_guard(ctx, body)


def _fic_guard(ctx: Ctx, body: dict[str, Any]) -> None:
    identity = (ctx.parent_id or "").lower()
    in_flight = ctx.backend.extras(_IN_FLIGHT)
    now = ctx.backend.now()
    if in_flight.get(identity, 0.0) > now:
        raise e.conflict(
            "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
            e.MSG_FIC_CONCURRENT.format(identity=ctx.parent_id),
        )
    in_flight[identity] = now + ctx.backend.settings.fic_write_latency_s
    ctx.backend.touch()


def _fic_delete(ctx: Ctx, resource: Resource) -> None:
    _fic_guard(ctx, {})


def _latency(backend: Backend) -> float:
    return backend.settings.fic_write_latency_s


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            IDENTITY,
            create_code=201,
            update_code=200,
            delete_code=200,
            model=f"{_MODELS}:Identity",
            patch_model=f"{_MODELS}:IdentityUpdate",
            readonly_properties=("tenantId", "principalId", "clientId"),
            defaults=_identity_defaults,
            id_style=ids.lower_rg,  # Managed Identity answers `/resourcegroups/`
        )
    )
    reg.add(
        ResourceType(
            FIC,
            create_code=201,
            update_code=200,
            delete_code=200,
            has_location=False,
            model=f"{_MODELS}:FederatedIdentityCredential",
            provisioning_state=False,
            validate=_validate_fic,
            on_delete=_fic_delete,
            write_delay=_latency,
            id_style=ids.lower_rg,
        )
    )
