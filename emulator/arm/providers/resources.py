"""Microsoft.Resources: resource groups (cascade delete as an LRO) and resource provider listing."""

from __future__ import annotations

import re
from typing import Any

from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response
from emulator.arm.providers.durations import duration
from emulator.arm.registry import Lro, Registry, ResourceType, Scope
from emulator.arm.routing import RG_TYPE
from emulator.arm.views import page

_SUB = r"/subscriptions/(?P<sub>[^/]+)"


def _provider(backend: Backend, sub: str, namespace: str) -> dict[str, Any]:
    prefix = namespace.lower() + "/"
    types = sorted(
        {t.type_name.split("/", 1)[1] for t in backend.registry.types.values() if t.key.startswith(prefix)}
    )
    return {
        "id": f"/subscriptions/{sub}/providers/{namespace}",
        "namespace": namespace,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [
            {"resourceType": t, "locations": [backend.settings.location], "apiVersions": []} for t in types
        ],
    }


def _namespaces(backend: Backend) -> list[str]:
    return sorted({t.namespace for t in backend.registry.types.values()} - {"Microsoft.Resources"})


def _list_providers(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    return Response(200, {"value": [_provider(backend, m["sub"], ns) for ns in _namespaces(backend)]})


def _get_provider(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    return Response(200, _provider(backend, m["sub"], m["ns"]))


def _subscription(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    body = {
        "id": f"/subscriptions/{m['sub']}",
        "subscriptionId": m["sub"],
        "tenantId": backend.tenant_id,
        "displayName": "Local cloud subscription",
        "state": "Enabled",
    }
    return Response(200, body)


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            RG_TYPE,
            scope=Scope.SUBSCRIPTION,
            create_code=201,
            update_code=200,
            delete_lro=Lro.LOCATION,
            delete_code=202,
            delete_missing_code=404,
            delete_duration_s=duration(RG_TYPE + ":delete"),
            model="azure.mgmt.resource.resources.models:ResourceGroup",
            patch_model="azure.mgmt.resource.resources.models:ResourceGroupPatchable",
        )
    )
    reg.route("GET", _SUB + r"/providers", _list_providers, "Microsoft.Resources/providers")
    reg.route("GET", _SUB + r"/providers/(?P<ns>[^/]+)", _get_provider, "Microsoft.Resources/providers")
    reg.route(
        "POST", _SUB + r"/providers/(?P<ns>[^/]+)/register", _get_provider, "Microsoft.Resources/providers"
    )
    reg.route("GET", _SUB, _subscription, "Microsoft.Resources/subscriptions")
    register_generic_list(reg)


def _generic_list(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    """GET {scope}/resources?$filter=resourceType eq 'X' (used by KeyVault vaults.list)."""
    wanted = re.search(r"resourceType eq '([^']*)'", request.query_ci("$filter") or "", re.I)
    found = [
        r
        for r in sorted(backend.state.resources.values(), key=lambda r: r.id.lower())
        if r.id.lower().startswith(m["scope"].lower() + "/")
        and r.type != RG_TYPE
        and (wanted is None or r.type.lower() == wanted[1].lower())
    ]
    keys: tuple[str, ...] = ("id", "name", "type", "location", "tags")
    items: list[dict[str, Any]] = [{k: r.body[k] for k in keys if k in r.body} for r in found]
    return Response(200, page(backend, request, items))


def register_generic_list(reg: Registry) -> None:
    scope = r"(?P<scope>/subscriptions/[^/]+(/resourceGroups/[^/]+)?)"
    reg.route("GET", scope + r"/resources", _generic_list, "Microsoft.Resources/resources")
