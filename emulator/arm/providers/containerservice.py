"""Microsoft.ContainerService: AKS managed clusters and agent pools over the generic ARM engine.

- Cluster PUT 200/201 + Azure-AsyncOperation (+Location); create ~6 min, update ~3 min, delete ~5 min
  (202/204); stop/start POST 202; credentials POST 200. Agent pools PUT 200/201 (~3 min), DELETE 202/204.
- `agentPoolProfiles` of a cluster PUT are stored as agentPools child resources and re-inlined on GET;
  pools a cluster PUT omits are kept (delete them through the agentPools API).
- Writes to a cluster or its pools while any operation on them runs, or while the cluster is stopped
  (except start/delete), answer 409 OperationNotAllowed (custom routes run the guard before the generic
  PUT/PATCH/DELETE). A cluster DELETE is always accepted and pre-empts a running operation, as does a
  pool DELETE for the pool's own operation. Rules: aks_rules; defaults: aks_defaults; nodes/VMSS/quota: aks_nodes; Kubernetes API and
  kubeconfigs: aks_kube; completion and actions: aks_ops.
- Emulator-only hook for the cluster autoscaler: `POST {agentPoolId}/simulateAutoscale?count=N`
  (or `aks_ops.autoscale(backend, pool_id, count)`), which changes the live count without a client PUT.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm import ids
from emulator.arm.backend import Backend
from emulator.arm.handlers import delete, make_ctx, patch, put
from emulator.arm.http import Request, Response
from emulator.arm.providers import aks_common as c
from emulator.arm.providers import (
    aks_defaults,
    aks_kube,
    aks_nodes,
    aks_ops,
    aks_rules,
    aks_updates,
    aks_versions,
)
from emulator.arm.providers.durations import duration
from emulator.arm.registry import Ctx, Lro, Registry, ResourceType
from emulator.arm.routing import parse
from emulator.arm.store import Resource

_CLUSTER_PATH = (
    r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/"
    r"Microsoft\.ContainerService/managedClusters/(?P<name>[^/]+)"
)
_POOL_PATH = _CLUSTER_PATH + r"/agentPools/(?P<pool>[^/]+)"
_CLUSTER_READONLY = (
    "provisioningState",
    "powerState",
    "fqdn",
    "azurePortalFQDN",
    "privateFQDN",
    "currentKubernetesVersion",
    "maxAgentPools",
    "resourceUID",
)
_POOL_READONLY = ("provisioningState", "powerState", "currentOrchestratorVersion", "nodeImageVersion", "eTag")


# --- cluster hooks ------------------------------------------------------------------------------------
def _existing_pools(ctx: Ctx) -> dict[str, dict[str, Any]]:
    if ctx.existing is None:
        return {}
    return {p.body["name"]: p.body["properties"] for p in ctx.backend.children(ctx.resource_id, c.POOL)}


def _validate_cluster(ctx: Ctx, body: dict[str, Any]) -> None:
    p = c.props(body)
    aks_updates.check_identity(body.get("identity") or {})
    if ctx.existing is not None:
        old = ctx.existing.body.get("properties", {})
        aks_updates.keep_current(p, old)
        aks_updates.check_unchanged(p, old)
        aks_updates.keep_stored_spelling(p, old)
    _check_version(ctx, p)
    current = _existing_pools(ctx)
    given: list[dict[str, Any]] = []
    for raw in p.get("agentPoolProfiles") or []:
        profile = {k: v for k, v in raw.items() if k not in _POOL_READONLY}
        name = str(profile.get("name", ""))
        merged = aks_rules.merge_pool_update(profile, current.get(name))
        aks_rules.check_pool(ctx.backend, name, merged, current.get(name))
        given.append({**merged, "name": name})
    p["agentPoolProfiles"] = given
    names = {g["name"] for g in given}
    pools = given + [{**v, "name": k} for k, v in current.items() if k not in names]
    aks_rules.check_system_pool(pools)
    aks_rules.check_network(ctx.backend, p.get("networkProfile") or {}, pools)
    aks_rules.check_subnet_permission(ctx.backend, ctx.resource_id, body.get("identity") or {}, pools)


def _check_version(ctx: Ctx, p: dict[str, Any]) -> None:
    wanted = c.resolve_version(p.get("kubernetesVersion"))
    running = str(
        (ctx.existing.body.get("properties", {}) if ctx.existing else {}).get("currentKubernetesVersion", "")
    )
    if running and c.version_tuple(wanted) < c.version_tuple(running):
        raise e.bad_request("OperationNotAllowed", c.MSG_DOWNGRADE.format(current=running, wanted=wanted))


def _cluster_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    aks_defaults.cluster_defaults(ctx, body)
    body["etag"] = aks_defaults.new_etag()  # answered as `eTag` (see _render_cluster)
    profiles = c.props(body).pop("agentPoolProfiles", None) or []
    for profile in profiles:
        _save_inline_pool(ctx, body, profile)


def _save_inline_pool(ctx: Ctx, cluster_body: dict[str, Any], profile: dict[str, Any]) -> None:
    pid = f"{ctx.resource_id}/agentPools/{profile['name']}"
    creating = ctx.backend.get(pid) is None
    props = aks_defaults.pool_defaults(ctx.backend, cluster_body["properties"], profile, creating)
    body = {"id": pid, "name": profile["name"], "type": c.POOL, "properties": props}
    body["etag"] = aks_defaults.new_etag()
    ctx.backend.save(Resource(pid, c.POOL, body))


def _render_cluster(backend: Backend, resource: Resource, body: dict[str, Any]) -> None:
    """AKS answers its etag as top-level `eTag`, and each inlined pool's as `eTag` beside its fields."""
    pools = backend.children(resource.id, c.POOL)
    c.props(body)["agentPoolProfiles"] = [
        {"name": p.body["name"], **_with_etag(p.body["properties"], p.body.get("etag"))} for p in pools
    ]
    _rename_etag(body)


def _render_pool(backend: Backend, resource: Resource, body: dict[str, Any]) -> None:
    body["properties"] = _with_etag(body.get("properties") or {}, body.pop("etag", None))


def _with_etag(props: dict[str, Any], etag: Any) -> dict[str, Any]:
    return {**props, "eTag": etag} if etag else dict(props)


def _rename_etag(body: dict[str, Any]) -> None:
    etag = body.pop("etag", None)
    if etag:
        body["eTag"] = etag


def _cluster_removed(backend: Backend, cluster: Resource) -> None:
    if cluster.body.get("properties", {}).get("nodeResourceGroup"):
        aks_nodes.remove_node_rg(backend, cluster)
    aks_kube.drop_kube(backend, cluster.id)


# --- pool hooks ---------------------------------------------------------------------------------------
def _cluster_of(ctx: Ctx) -> Resource:
    cluster = ctx.backend.get(ctx.parent_id or "")
    assert cluster is not None  # the generic handler answered ParentResourceNotFound already
    return cluster


def _validate_pool(ctx: Ctx, body: dict[str, Any]) -> None:
    cluster = _cluster_of(ctx)
    current = ctx.existing.body["properties"] if ctx.existing else None
    merged = aks_rules.merge_pool_update(c.props(body), current)
    aks_rules.check_pool(ctx.backend, ctx.name, merged, current)
    siblings = [
        {**p.body["properties"], "name": p.body["name"]}
        for p in ctx.backend.children(cluster.id, c.POOL)
        if p.body["name"] != ctx.name
    ]
    aks_rules.check_system_pool([*siblings, merged])
    cp = cluster.body["properties"]
    aks_rules.check_network(ctx.backend, cp.get("networkProfile") or {}, [merged])
    aks_rules.check_subnet_permission(ctx.backend, cluster.id, cluster.body.get("identity") or {}, [merged])
    body["properties"] = merged


def _pool_defaults(ctx: Ctx, body: dict[str, Any]) -> None:
    cluster = _cluster_of(ctx)
    creating = ctx.existing is None
    body["properties"] = aks_defaults.pool_defaults(
        ctx.backend, cluster.body["properties"], body["properties"], creating
    )
    body["etag"] = aks_defaults.new_etag()  # answered as `properties.eTag` (see _render_pool)


def _pool_on_delete(ctx: Ctx, pool: Resource) -> None:
    if str(pool.body["properties"].get("mode", "")).lower() != "system":
        return
    others = [p for p in ctx.backend.children(ctx.parent_id or "", c.POOL) if p.id != pool.id]
    if not any(str(p.body["properties"].get("mode", "")).lower() == "system" for p in others):
        raise e.bad_request("OperationNotAllowed", c.MSG_LAST_SYSTEM_POOL.format(name=pool.body["name"]))


def _pool_removed(backend: Backend, pool: Resource) -> None:
    cluster = backend.get(pool.id.rsplit("/agentPools/", 1)[0])
    if cluster is not None:
        aks_nodes.remove_pool_vmss(backend, cluster, pool.body["name"])


# --- guarded writes (custom routes run before the generic dispatch) --------------------------------------
def _generic(backend: Backend, request: Request) -> Ctx:
    target = parse(request.path)
    assert target is not None
    rtype = backend.registry.get(target.type_name)
    assert rtype is not None
    return make_ctx(backend, request, rtype, target)


def _cluster_write(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    ctx = _generic(backend, request)
    if request.method == "DELETE":
        return delete(ctx)  # allowed while stopped; pre-empts a running operation (generic handler)
    if ctx.existing is not None:
        aks_ops.check_writable(backend, ctx.resource_id)
    if request.method == "PATCH":
        return patch(ctx)
    response = put(ctx)
    stored = backend.get(ctx.resource_id)
    op = backend.operation(stored.operation_id) if stored and stored.operation_id else None
    if op is not None and op.kind == "update":
        op.duration_s = backend.scaled(aks_ops.UPDATE_S)
    return response


def _pool_write(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    ctx = _generic(backend, request)
    if ctx.parent_id and backend.get(ctx.parent_id) is not None:
        preempted = ctx.resource_id if request.method == "DELETE" else ""
        aks_ops.check_writable(backend, ctx.parent_id, preempted=preempted)
    return delete(ctx) if request.method == "DELETE" else put(ctx)


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            c.CLUSTER,
            lro=Lro.ASYNC_OPERATION,
            location_header=True,
            create_code=201,
            update_code=200,
            duration_s=duration(c.CLUSTER),
            delete_lro=Lro.ASYNC_OPERATION,
            delete_code=202,
            delete_missing_code=204,
            delete_duration_s=duration(c.CLUSTER + ":delete"),
            model=f"{c.MODELS}:ManagedCluster",
            readonly_properties=_CLUSTER_READONLY,
            defaults=_cluster_defaults,
            validate=_validate_cluster,
            render=_render_cluster,
            id_style=ids.lower_rg,
            answered_type=c.CLUSTER_ANSWERED_TYPE,
            on_settled=aks_ops.cluster_settled,
            on_removed=_cluster_removed,
            actions={
                "listclusteradmincredential": aks_ops.admin_credentials,
                "listclusterusercredential": aks_ops.user_credentials,
                "stop": aks_ops.stop,
                "start": aks_ops.start,
            },
        )
    )
    reg.add(
        ResourceType(
            c.POOL,
            lro=Lro.ASYNC_OPERATION,
            location_header=True,
            create_code=201,
            update_code=200,
            duration_s=duration(c.POOL),
            delete_lro=Lro.ASYNC_OPERATION,
            delete_code=202,
            delete_missing_code=204,
            delete_duration_s=duration(c.POOL + ":delete"),
            model=f"{c.MODELS}:AgentPool",
            has_location=False,
            readonly_properties=_POOL_READONLY,
            defaults=_pool_defaults,
            validate=_validate_pool,
            render=_render_pool,
            id_style=ids.lower_rg,
            on_delete=_pool_on_delete,
            on_settled=aks_ops.pool_settled,
            on_removed=_pool_removed,
            actions={"simulateautoscale": aks_ops.simulate_autoscale},
        )
    )
    for method in ("PUT", "DELETE"):
        reg.route(method, _CLUSTER_PATH, _cluster_write, c.CLUSTER)
        reg.route(method, _POOL_PATH, _pool_write, c.POOL)
    reg.route("PATCH", _CLUSTER_PATH, _cluster_write, c.CLUSTER)
    aks_versions.register(reg)
    aks_kube.register(reg)
