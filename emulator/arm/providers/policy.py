"""Microsoft.Authorization policy assignments (PUT answers 201, even on update) and built-in
policy (set) definitions."""

from __future__ import annotations

import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response
from emulator.arm.registry import Ctx, Registry, ResourceType, Scope

ASSIGNMENT = "Microsoft.Authorization/policyAssignments"
_MODELS = "azure.mgmt.resource.policy.models"

# Built-in definitions: (kind, GUID) -> display name.
BUILTIN_POLICIES: dict[str, tuple[str, str]] = {
    "95edb821-ddaf-4404-9732-666045e056b4": (
        "policyDefinitions",
        "Kubernetes cluster should not allow privileged containers",
    ),
    "febd0533-8e55-448f-b837-bd0e06f16469": (
        "policyDefinitions",
        "Kubernetes cluster containers should only use allowed images",
    ),
    "e345eecc-fa47-480f-9e88-67dcc122b164": (
        "policyDefinitions",
        "Kubernetes cluster containers CPU and memory resource limits should not exceed the specified limits",
    ),
    "a8640138-9b0a-4a28-b8cb-1666c838647d": (
        "policySetDefinitions",
        "Kubernetes cluster pod security baseline standards for Linux-based workloads",
    ),
}
_DEFS = r"(?P<scope>(/subscriptions/[^/]+)?)/providers/Microsoft\.Authorization/(?P<kind>policy(?:Set)?Definitions)"


def _validate(ctx: Ctx, body: dict[str, Any]) -> None:
    ref = str(body.get("properties", {}).get("policyDefinitionId", ""))
    guid = ref.rstrip("/").rsplit("/", 1)[-1].lower()
    if guid not in BUILTIN_POLICIES:
        raise e.ArmError(404, "PolicyDefinitionNotFound", e.MSG_POLICY_DEFINITION_NOT_FOUND.format(id=ref))


def _defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body["properties"]
    props["scope"] = ctx.parent_id
    props.setdefault("enforcementMode", "Default")
    props.setdefault("notScopes", [])
    props.setdefault("parameters", {})
    props.setdefault("displayName", ctx.name)


def definition(guid: str) -> dict[str, Any]:
    kind, name = BUILTIN_POLICIES[guid]
    return {
        "id": f"/providers/Microsoft.Authorization/{kind}/{guid}",
        "name": guid,
        "type": f"Microsoft.Authorization/{kind}",
        "properties": {"displayName": name, "policyType": "BuiltIn", "mode": "Microsoft.Kubernetes.Data"},
    }


def _get_definition(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    guid = m["name"].lower()
    if guid not in BUILTIN_POLICIES or BUILTIN_POLICIES[guid][0].lower() != m["kind"].lower():
        raise e.ArmError(
            404, "PolicyDefinitionNotFound", e.MSG_POLICY_DEFINITION_NOT_FOUND.format(id=m["name"])
        )
    return Response(200, definition(guid))


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            ASSIGNMENT,
            scope=Scope.ANY,
            create_code=201,
            update_code=201,
            patch_code=200,
            delete_code=200,
            has_location=False,
            provisioning_state=False,
            model=f"{_MODELS}:PolicyAssignment",
            patch_model=f"{_MODELS}:PolicyAssignmentUpdate",
            readonly_properties=("scope",),
            validate=_validate,
            defaults=_defaults,
        )
    )
    reg.route(
        "GET", _DEFS + r"/(?P<name>[^/]+)", _get_definition, "Microsoft.Authorization/policyDefinitions"
    )
