"""Generic ARM verbs over registered resource types (moto's `responses` layer): PUT/GET/HEAD/PATCH/
DELETE on a resource, GET on a collection, POST actions. Rules specific to a type live in its hooks."""

from __future__ import annotations

import copy
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response, read_json
from emulator.arm.lro import lro_headers
from emulator.arm.registry import Ctx, Lro, ResourceType, Scope
from emulator.arm.routing import RG_TYPE, Target, parse, scope_parts
from emulator.arm.store import Operation, Resource
from emulator.arm.validation import validate_body
from emulator.arm.views import page, render

_TOP_READONLY = ("id", "name", "type", "etag", "eTag", "systemData")


def dispatch(backend: Backend, request: Request) -> Response:
    hit = backend.registry.match_route(request.method, request.path)
    if hit is not None:
        route, match = hit
        return route.handler(backend, request, match)
    target = parse(request.path)
    if target is None:
        raise e.bad_request("NoRegisteredProviderFound", e.MSG_NO_ROUTE.format(path=request.path))
    if target.trailing is not None:
        return _collection_or_action(backend, request, target)
    rtype = _type_or_fail(backend, target.type_name, request.path)
    ctx = make_ctx(backend, request, rtype, target)
    verbs = {"PUT": put, "GET": get, "HEAD": head, "PATCH": patch, "DELETE": delete}
    verb = verbs.get(request.method)
    if verb is None:
        raise e.bad_request(
            "MethodNotAllowed", e.MSG_METHOD_NOT_ALLOWED.format(method=request.method, path=request.path)
        )
    response = verb(ctx)
    if rtype.write_delay is not None and request.method in ("PUT", "PATCH", "DELETE"):
        response.delay_s = rtype.write_delay(backend)
    return response


def label_for(backend: Backend, method: str, path: str) -> str:
    """Resource type label used by request counters and fault matching."""
    hit = backend.registry.match_route(method, path)
    if hit is not None and hit[0].label:
        return hit[0].label
    target = parse(path)
    if target is None:
        return "unknown"
    if target.trailing is not None and backend.registry.get(target.type_name) is None:
        return target.owner_type
    return target.type_name


def _type_or_fail(backend: Backend, type_name: str, path: str) -> ResourceType:
    rtype = backend.registry.get(type_name)
    if rtype is None:
        raise e.bad_request("NoRegisteredProviderFound", e.MSG_NO_ROUTE.format(path=path))
    return rtype


def make_ctx(backend: Backend, request: Request, rtype: ResourceType, target: Target) -> Ctx:
    resource_id = target.resource_id
    sub, rg = scope_parts(resource_id)
    parent_id = _parent_of(rtype, target, resource_id)
    ctx = Ctx(backend, request, rtype, resource_id, target.names[-1], sub or "", rg, parent_id)
    _require_scope(backend, rtype, rg, sub, parent_id)
    ctx.existing = backend.get(resource_id)
    return ctx


def _parent_of(rtype: ResourceType, target: Target, resource_id: str) -> str | None:
    if rtype.parent_type is not None:
        return resource_id.rsplit("/", 2)[0]
    if rtype.scope == Scope.ANY:
        return target.scope
    return None


def _require_scope(
    backend: Backend, rtype: ResourceType, rg: str | None, sub: str | None, parent: str | None
) -> None:
    in_rg = rtype.type_name != RG_TYPE and rg is not None and sub is not None
    if in_rg and backend.get(f"/subscriptions/{sub}/resourceGroups/{rg}") is None:
        raise e.rg_not_found(rg or "")
    needs_parent = rtype.parent_type is not None or (parent or "").count("/") > 4
    if parent is not None and needs_parent and backend.get(parent) is None:
        raise e.ArmError(404, "ParentResourceNotFound", e.MSG_PARENT_NOT_FOUND.format(parent=parent))


def _not_found(ctx: Ctx) -> e.ArmError:
    if ctx.rtype.type_name == RG_TYPE:
        return e.rg_not_found(ctx.name)
    return e.not_found(ctx.rtype.type_name, ctx.name, ctx.resource_group or "")


def clean_input(rtype: ResourceType, body: dict[str, Any]) -> dict[str, Any]:
    """Drop read-only fields a client may echo back from a GET."""
    out = {k: v for k, v in body.items() if k not in _TOP_READONLY}
    props = out.get("properties")
    if isinstance(props, dict):
        out["properties"] = {k: v for k, v in props.items() if k not in rtype.readonly_properties}
    return out


def build_body(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """Stored body: input + id/name/type/etag + the type's server-side defaults."""
    stored: dict[str, Any] = {"id": ctx.resource_id, "name": ctx.name, "type": ctx.rtype.type_name}
    stored.update(body)
    if ctx.rtype.has_location and isinstance(stored.get("location"), str):
        stored["location"] = stored["location"].replace(" ", "").lower()
    stored.setdefault("properties", {})
    stored["etag"] = ctx.backend.new_etag()
    if ctx.rtype.defaults is not None:
        ctx.rtype.defaults(ctx, stored)
    return stored


def put(ctx: Ctx) -> Response:
    rtype = ctx.rtype
    raw = read_json(ctx.request)
    if rtype.model is not None:
        validate_body(rtype.model, raw)
    body = clean_input(rtype, raw)
    _check_preconditions(ctx)
    _check_busy(ctx)
    _check_location(ctx, body)
    if rtype.validate is not None:
        rtype.validate(ctx, body)
    children = {p: body["properties"].pop(p, None) for p in rtype.inline_children if "properties" in body}
    stored = build_body(ctx, body)
    creating = ctx.existing is None
    resource = Resource(ctx.resource_id, rtype.type_name, stored)
    _save_inline_children(ctx, resource, children)
    code = rtype.create_code if creating else rtype.update_code
    style = rtype.lro if creating or rtype.update_lro else Lro.SYNC
    return _write(ctx, resource, "create" if creating else "update", style, code)


def _write(ctx: Ctx, resource: Resource, kind: str, style: Lro, code: int) -> Response:
    backend, rtype = ctx.backend, ctx.rtype
    props = resource.body.setdefault("properties", {})
    headers: dict[str, str] = {}
    if style == Lro.SYNC:
        if rtype.provisioning_state:
            props["provisioningState"] = "Succeeded"
    else:
        op = backend.start_operation(resource.id, kind, rtype.duration_s, rtype.type_name)
        props["provisioningState"] = "Creating" if kind == "create" else "Updating"
        resource.operation_id = op.id
        headers = lro_headers(backend, ctx.request, rtype, op, style)
        if rtype.on_started is not None:
            rtype.on_started(ctx, resource, op)
    backend.save(resource)
    return Response(code, render(backend, resource), headers)


def _check_preconditions(ctx: Ctx) -> None:
    """If-Match / If-None-Match against the stored etag (412 PreconditionFailed)."""
    if_match = _etags(ctx.request.headers.get("if-match"))
    if_none = _etags(ctx.request.headers.get("if-none-match"))
    stored = ctx.existing.body.get("etag") if ctx.existing is not None else None
    current = str(stored).removeprefix("W/").strip('"') if stored else None
    failed = (if_match is not None and (current is None or not {"*", current} & set(if_match))) or (
        if_none is not None and current is not None and bool({"*", current} & set(if_none))
    )
    if failed:
        raise e.ArmError(412, "PreconditionFailed", e.MSG_PRECONDITION.format(id=ctx.resource_id))


def _etags(header: str | None) -> list[str] | None:
    """Entity tags of a conditional header, compared weakly: `W/"x"`, `"x"` and `x` are the same tag
    (the SDK quotes bare etags such as AKS's GUIDs)."""
    if header is None:
        return None
    tags = [t.strip() for t in header.split(",")]
    return [(t[2:] if t.startswith("W/") else t).strip('"') for t in tags if t]


def _pending_operation(ctx: Ctx) -> Operation | None:
    existing = ctx.existing
    if existing is None or existing.operation_id is None:
        return None
    op = ctx.backend.operation(existing.operation_id)
    return op if op is not None and op.status == "InProgress" else None


def _check_busy(ctx: Ctx) -> None:
    op = _pending_operation(ctx)
    if op is not None and ctx.existing is not None:
        existing = ctx.existing
        raise e.conflict(
            "AnotherOperationInProgress",
            e.MSG_ANOTHER_OPERATION.format(kind=op.kind, id=existing.id),
        )


def _check_location(ctx: Ctx, body: dict[str, Any]) -> None:
    if not ctx.rtype.has_location or ctx.existing is None:
        return
    given = str(body.get("location", "")).replace(" ", "").lower()
    current = str(ctx.existing.body.get("location", ""))
    if given and current and given != current:
        raise e.bad_request(
            "InvalidResourceLocation", e.MSG_LOCATION_MISMATCH.format(given=given, existing=current)
        )


def _save_inline_children(ctx: Ctx, parent: Resource, children: dict[str, Any]) -> None:
    """Child resources sent inline (vnet subnets, NSG rules) become child resources; the list given
    replaces the children of that type, as the real service does."""
    for prop, items in children.items():
        crt = ctx.backend.registry.get(ctx.rtype.inline_children[prop])
        if crt is None:
            continue
        kept = {str(item["name"]).lower() for item in items or []}
        dropped = [
            old
            for old in ctx.backend.children(parent.id, crt.type_name)
            if old.body["name"].lower() not in kept
        ]
        for old in dropped:  # refuse (e.g. a subnet in use) before anything is written
            if crt.on_delete is not None:
                crt.on_delete(_child_ctx(ctx, crt, parent, old.body["name"]), old)
        for item in items or []:
            cctx = _child_ctx(ctx, crt, parent, item["name"])
            cbody = clean_input(crt, {k: v for k, v in item.items() if k != "name"})
            cbody.setdefault("properties", {})
            stored = build_body(cctx, cbody)
            stored["properties"]["provisioningState"] = "Succeeded"
            ctx.backend.save(Resource(cctx.resource_id, crt.type_name, stored))
        for old in dropped:
            ctx.backend.remove(old.id)


def _child_ctx(ctx: Ctx, crt: ResourceType, parent: Resource, name: str) -> Ctx:
    child_id = f"{parent.id}/{crt.type_name.split('/')[-1]}/{name}"
    return Ctx(
        ctx.backend,
        ctx.request,
        crt,
        child_id,
        name,
        ctx.subscription,
        ctx.resource_group,
        parent.id,
        ctx.backend.get(child_id),
    )


def get(ctx: Ctx) -> Response:
    if ctx.existing is None:
        raise _not_found(ctx)
    return Response(200, render(ctx.backend, ctx.existing))


def head(ctx: Ctx) -> Response:
    return Response(204 if ctx.existing is not None else 404)


def patch(ctx: Ctx) -> Response:
    if ctx.existing is None:
        raise _not_found(ctx)
    _check_preconditions(ctx)
    _check_busy(ctx)
    raw = read_json(ctx.request)
    if ctx.rtype.patch_model is not None:
        validate_body(ctx.rtype.patch_model, raw)
    update = clean_input(ctx.rtype, raw)
    merged = copy.deepcopy(ctx.existing.body)
    _merge(merged, update)
    if ctx.rtype.validate is not None:
        ctx.rtype.validate(ctx, merged)
    if ctx.rtype.defaults is not None:
        ctx.rtype.defaults(ctx, merged)
    merged["etag"] = ctx.backend.new_etag()
    resource = Resource(ctx.existing.id, ctx.existing.type, merged)
    style = ctx.rtype.lro if ctx.rtype.patch_lro else Lro.SYNC
    return _write(ctx, resource, "update", style, ctx.rtype.patch_code)


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if key == "tags" or not isinstance(value, dict) or not isinstance(into.get(key), dict):
            into[key] = value
        else:
            _merge(into[key], value)


def delete(ctx: Ctx) -> Response:
    rtype, backend, existing = ctx.rtype, ctx.backend, ctx.existing
    if existing is None:
        if rtype.delete_missing_code == 404:
            raise _not_found(ctx)
        return Response(rtype.delete_missing_code)
    pending = _pending_operation(ctx)
    if pending is not None and pending.kind == "delete":
        style = Lro.ASYNC_OPERATION if rtype.delete_lro == Lro.BODY else rtype.delete_lro
        return Response(rtype.delete_code, None, lro_headers(backend, ctx.request, rtype, pending, style))
    if pending is not None:
        backend.cancel_operation(pending)  # a delete pre-empts a running create/update, as in ARM
    if rtype.on_delete is not None:
        rtype.on_delete(ctx, existing)
    if rtype.delete_lro == Lro.SYNC:
        shown = render(backend, existing)
        backend.remove(existing.id)
        return Response(rtype.delete_code, shown if rtype.delete_code == 200 else None)
    op = backend.start_operation(existing.id, "delete", rtype.delete_duration_s, rtype.type_name)
    existing.operation_id = op.id
    existing.body.setdefault("properties", {})["provisioningState"] = "Deleting"
    if rtype.on_started is not None:
        rtype.on_started(ctx, existing, op)
    backend.save(existing)
    style = Lro.ASYNC_OPERATION if rtype.delete_lro == Lro.BODY else rtype.delete_lro
    return Response(rtype.delete_code, None, lro_headers(backend, ctx.request, rtype, op, style))


def _collection_or_action(backend: Backend, request: Request, target: Target) -> Response:
    listed = backend.registry.get(target.type_name)
    if listed is not None and request.method == "GET":
        return list_collection(backend, request, listed, target)
    owner = backend.registry.get(target.owner_type)
    action = (target.trailing or "").lower()
    if owner is not None and request.method == "POST" and action in owner.actions:
        owner_target = Target(target.scope, target.owner_type, target.names, None)
        ctx = make_ctx(backend, request, owner, owner_target)
        if ctx.existing is None:
            raise _not_found(ctx)
        return owner.actions[action](ctx, ctx.existing)
    if owner is not None:
        raise e.bad_request(
            "InvalidAction", e.MSG_NO_ACTION.format(action=target.trailing, type=owner.type_name)
        )
    raise e.bad_request("NoRegisteredProviderFound", e.MSG_NO_ROUTE.format(path=request.path))


def list_collection(backend: Backend, request: Request, rtype: ResourceType, target: Target) -> Response:
    scope = target.resource_id
    sub, rg = scope_parts(scope)
    if (
        rg is not None
        and sub is not None
        and backend.get(f"/subscriptions/{sub}/resourceGroups/{rg}") is None
    ):
        raise e.rg_not_found(rg)
    if rtype.parent_type is not None:
        if backend.get(scope) is None:
            raise e.ArmError(404, "ParentResourceNotFound", e.MSG_PARENT_NOT_FOUND.format(parent=scope))
        found = backend.children(scope, rtype.type_name)
    else:
        found = backend.of_type(rtype.type_name, scope)
    keep = rtype.list_filter
    items = [render(backend, r) for r in found if keep is None or keep(request, r)]
    return Response(200, page(backend, request, items))
