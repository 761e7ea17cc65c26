"""Declarative resource-type registry: what a provider tells the generic ARM engine.

See emulator/arm/README.md for the guide. In short, a provider module exposes `register(reg)` and
calls `reg.add(ResourceType(...))` for each type and `reg.route(...)` for non-resource endpoints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from emulator.arm.http import Request, Response

if TYPE_CHECKING:
    from emulator.arm.backend import Backend
    from emulator.arm.store import Operation, Resource

Body = dict[str, Any]


class Scope(StrEnum):
    RESOURCE_GROUP = "resource_group"  # /subscriptions/{s}/resourceGroups/{rg}/providers/...
    SUBSCRIPTION = "subscription"  # /subscriptions/{s}/providers/...
    ANY = "any"  # extension resource: /{any scope}/providers/... (role/policy assignments)


class Lro(StrEnum):
    SYNC = "sync"  # answered at once, provisioningState Succeeded
    ASYNC_OPERATION = "async_operation"  # Azure-AsyncOperation header (+ Location when location=True)
    LOCATION = "location"  # Location header only; the Location URL answers 202, then the result
    BODY = "body"  # no header; the client polls the resource's provisioningState


@dataclass
class Ctx:
    """Everything a hook needs about the current request."""

    backend: Backend
    request: Request
    rtype: ResourceType
    resource_id: str  # canonical id of the addressed resource
    name: str  # last name segment
    subscription: str
    resource_group: str | None
    parent_id: str | None  # parent resource id (child types) or the scope (extension types)
    existing: Resource | None = None

    @property
    def location(self) -> str:
        return self.backend.settings.location


DefaultsHook = Callable[[Ctx, Body], None]  # mutate the body to be stored (fill server-side fields)
ValidateHook = Callable[[Ctx, Body], None]  # raise ArmError on a rule violation
ActionHook = Callable[[Ctx, "Resource"], Response]  # POST {id}/{action}
DeleteHook = Callable[[Ctx, "Resource"], None]  # before the resource (and children) are removed
RemovedHook = Callable[["Backend", "Resource"], None]  # after removal, also on cascade (RG delete)
RenderHook = Callable[["Backend", "Resource", Body], None]  # mutate the GET body (e.g. inline children)
SettleHook = Callable[["Backend", "Resource", "Operation"], None]  # an LRO on it completed (op.status)
StartedHook = Callable[[Ctx, "Resource", "Operation"], None]  # an LRO was just started on it
ListFilter = Callable[[Request, "Resource"], bool]  # keep an item of a collection GET ($filter)
IdStyle = Callable[[str], str]  # how the service spells a resource ID it answers (see arm/ids.py)
RouteHandler = Callable[["Backend", Request, "re.Match[str]"], Response]


@dataclass(frozen=True)
class ResourceType:
    type_name: str  # "Microsoft.Network/virtualNetworks/subnets"; the parent is implied by the path
    scope: Scope = Scope.RESOURCE_GROUP
    # Write behaviour
    lro: Lro = Lro.SYNC
    location_header: bool = False  # ASYNC_OPERATION: also send Location (network deletes, AKS)
    create_code: int = 201
    update_code: int = 200
    patch_code: int = 200
    patch_lro: bool = False  # PATCH runs as an LRO with the same style as PUT
    update_lro: bool = True  # False: a PUT on an existing resource answers synchronously
    duration_s: float = 0.0  # typical real duration of a create/update (scaled by time_scale)
    # Delete behaviour
    delete_lro: Lro = Lro.SYNC
    delete_code: int = 200  # when it existed (202 for LRO styles)
    delete_missing_code: int = 204
    delete_duration_s: float = 0.0
    # Body handling
    model: str | None = None  # "package.module:Class" of the SDK model used for validation
    patch_model: str | None = None  # same for PATCH bodies (e.g. TagsObject, *Update, *Patch)
    readonly_properties: tuple[str, ...] = ("provisioningState",)
    has_location: bool = True  # top-level location is required and kept
    provisioning_state: bool = True  # SYNC types without properties.provisioningState set False
    write_delay: Callable[[Backend], float] | None = None  # answer writes this late (in-flight models)
    inline_children: Mapping[str, str] = field(default_factory=dict)  # property -> child type
    defaults: DefaultsHook | None = None
    validate: ValidateHook | None = None
    actions: Mapping[str, ActionHook] = field(default_factory=dict)  # lower-case action name
    on_delete: DeleteHook | None = None
    on_removed: RemovedHook | None = None
    render: RenderHook | None = None
    on_settled: SettleHook | None = None
    on_started: StartedHook | None = None  # e.g. consume quota, or backend.fail_operation(op, code, msg)
    list_filter: ListFilter | None = None
    id_style: IdStyle | None = None  # e.g. ids.lower_rg: AKS and MSI answer `/resourcegroups/`
    answered_type: str | None = None  # the `type` the service answers, when it differs in case

    @property
    def key(self) -> str:
        return self.type_name.lower()

    @property
    def namespace(self) -> str:
        return self.type_name.split("/")[0]

    @property
    def parent_type(self) -> str | None:
        parts = self.type_name.split("/")
        return "/".join(parts[:-1]) if len(parts) > 2 else None


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: RouteHandler
    label: str  # resource type for request counts and fault matching ("" = derive from the path)


class Registry:
    def __init__(self) -> None:
        self.types: dict[str, ResourceType] = {}
        self.routes: list[Route] = []

    def add(self, rtype: ResourceType) -> None:
        self.types[rtype.key] = rtype

    def route(self, method: str, pattern: str, handler: RouteHandler, label: str) -> None:
        """Register a non-resource endpoint; `pattern` is a regex matched against the whole path."""
        self.routes.append(Route(method.upper(), re.compile(pattern + r"/?\Z", re.I), handler, label))

    def get(self, type_name: str) -> ResourceType | None:
        return self.types.get(type_name.lower())

    def match_route(self, method: str, path: str) -> tuple[Route, re.Match[str]] | None:
        for route in self.routes:
            if route.method in (method, "*"):
                m = route.pattern.match(path)
                if m:
                    return route, m
        return None
