"""Microsoft.Authorization: role assignments (extension resources) and built-in role definitions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response
from emulator.arm.providers.msi import PRINCIPALS_CREATED
from emulator.arm.registry import Ctx, Registry, ResourceType, Scope
from emulator.arm.routing import scope_parts
from emulator.arm.store import Resource
from emulator.arm.views import page

ASSIGNMENT = "Microsoft.Authorization/roleAssignments"
_MODELS = "azure.mgmt.authorization.v2022_04_01.models"

# Built-in role definitions: GUIDs are the same in every Azure tenant.
BUILTIN_ROLES: dict[str, str] = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "4d97b98b-1d4f-4787-a291-c67834d212e7": "Network Contributor",
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
    "f1a07417-d97a-45cb-824c-7a7467783830": "Managed Identity Operator",
    "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b": "Azure Kubernetes Service RBAC Cluster Admin",
}
_ROLE_DEFS = r"(?P<scope>.*)/providers/Microsoft\.Authorization/roleDefinitions"


def _role_guid(role_definition_id: str) -> str:
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


def _validate(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body.get("properties", {})
    role_id = str(props.get("roleDefinitionId", ""))
    if _role_guid(role_id) not in BUILTIN_ROLES:
        raise e.bad_request("RoleDefinitionDoesNotExist", e.MSG_ROLE_DEFINITION_NOT_FOUND.format(id=role_id))
    if not props.get("principalId"):
        raise e.bad_request("InvalidRequestContent", e.MSG_PRINCIPAL_MISSING)
    _check_replicated(ctx.backend, str(props["principalId"]))
    for other in ctx.backend.of_type(ASSIGNMENT, ctx.parent_id or ""):
        oprops = other.body["properties"]
        same = (
            other.id.lower() != ctx.resource_id.lower()
            and str(oprops["scope"]).lower() == (ctx.parent_id or "").lower()
            and _role_guid(oprops["roleDefinitionId"]) == _role_guid(role_id)
            and str(oprops["principalId"]).lower() == str(props["principalId"]).lower()
        )
        if same:
            raise e.conflict("RoleAssignmentExists", e.MSG_ROLE_ASSIGNMENT_EXISTS)


def _check_replicated(backend: Backend, principal: str) -> None:
    created = backend.extras(PRINCIPALS_CREATED).get(principal)
    delay = backend.settings.principal_propagation_s
    if created is not None and backend.now() - float(created) < delay:
        message = e.MSG_PRINCIPAL_NOT_FOUND.format(principal=principal, tenant=backend.tenant_id)
        raise e.bad_request("PrincipalNotFound", message)


def role_effective(backend: Backend, assignment: Resource) -> bool:
    """A new role assignment takes `role_propagation_s` to be seen by other services (AKS)."""
    created = str(assignment.body.get("properties", {}).get("createdOn", ""))
    if not created or backend.settings.role_propagation_s <= 0:
        return True
    when = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC).timestamp()
    return backend.now() - when >= backend.settings.role_propagation_s


def answered_role_id(scope: str, role_definition_id: str) -> str:
    """ARM answers a built-in role as `/subscriptions/{s}/providers/.../roleDefinitions/{guid}` for any
    scope inside a subscription, whichever form the request used (`/providers/...` included)."""
    sub, _ = scope_parts(scope)
    prefix = f"/subscriptions/{sub}" if sub else ""
    return f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{_role_guid(role_definition_id)}"


def _defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    props = body["properties"]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    props["scope"] = ctx.parent_id
    props["roleDefinitionId"] = answered_role_id(ctx.parent_id or "", str(props.get("roleDefinitionId", "")))
    props.setdefault("principalType", "User")
    props.setdefault("createdOn", now)
    props["updatedOn"] = now
    props.setdefault("createdBy", ctx.backend.guid("local-cloud-caller"))
    props["updatedBy"] = props["createdBy"]


def _filter(request: Request, resource: Resource) -> bool:
    """$filter forms the SDK documents: principalId eq '{id}', assignedTo('{id}'), atScope()."""
    text = request.query_ci("$filter") or ""
    props = resource.body["properties"]
    wanted = re.search(r"(?:principalId eq|assignedTo\()\s*'([^']*)'", text)
    if wanted and str(props.get("principalId", "")).lower() != wanted[1].lower():
        return False
    scope = request.path.rsplit("/providers/", 1)[0]
    return not ("atScope()" in text and str(props.get("scope", "")).lower() != scope.lower())


def role_definition(scope: str, guid: str) -> dict[str, Any]:
    sub = scope if scope.lower().startswith("/subscriptions/") else ""
    sub = "/".join(sub.split("/")[:3])
    return {
        "id": f"{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
        "name": guid,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": BUILTIN_ROLES[guid],
            "type": "BuiltInRole",
            "description": BUILTIN_ROLES[guid],
            "assignableScopes": ["/"],
            "permissions": [{"actions": ["*"], "notActions": [], "dataActions": [], "notDataActions": []}],
        },
    }


def _get_role(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    guid = m["id"].lower()
    if guid not in BUILTIN_ROLES:
        raise e.ArmError(
            404, "RoleDefinitionDoesNotExist", e.MSG_ROLE_DEFINITION_NOT_FOUND.format(id=m["id"])
        )
    return Response(200, role_definition(m["scope"], guid))


def _list_roles(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    wanted = re.search(r"roleName eq '([^']*)'", request.query_ci("$filter") or "")
    items = [
        role_definition(m["scope"], g)
        for g, name in BUILTIN_ROLES.items()
        if wanted is None or name.lower() == wanted[1].lower()
    ]
    return Response(200, page(backend, request, items))


def _permissions(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    """What the caller may do at a resource group (SDK `permissions.list_for_resource_group`)."""
    if backend.get(f"/subscriptions/{m['sub']}/resourceGroups/{m['rg']}") is None:
        raise e.rg_not_found(m["rg"])
    settings = backend.settings
    entry = {"actions": list(settings.caller_actions), "notActions": list(settings.caller_not_actions),
             "dataActions": [], "notDataActions": []}  # fmt: skip
    return Response(200, page(backend, request, [entry]))


def register(reg: Registry) -> None:
    reg.route(
        "GET",
        r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Authorization/permissions",
        _permissions,
        "Microsoft.Authorization/permissions",
    )
    reg.add(
        ResourceType(
            ASSIGNMENT,
            scope=Scope.ANY,
            create_code=201,
            update_code=200,
            delete_code=200,
            has_location=False,
            provisioning_state=False,
            model=f"{_MODELS}:RoleAssignmentCreateParameters",
            readonly_properties=("scope", "createdOn", "updatedOn", "createdBy", "updatedBy"),
            validate=_validate,
            defaults=_defaults,
            list_filter=_filter,
        )
    )
    reg.route("GET", _ROLE_DEFS + r"/(?P<id>[^/]+)", _get_role, "Microsoft.Authorization/roleDefinitions")
    reg.route("GET", _ROLE_DEFS, _list_roles, "Microsoft.Authorization/roleDefinitions")
