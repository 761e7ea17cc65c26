"""What happens when AKS operations complete, plus the POST actions: stop/start, credentials, the
emulator's autoscaler hook, and the 409 OperationNotAllowed guard shared by every cluster/pool write.

Completion (`on_settled`) is where nodes materialise: pools in Creating/Updating are reconciled (VMSS
instances, quota, Nodes). A quota shortfall or a Spot capacity fault turns the finished operation into
`Failed` with the AKS error code, which the SDK raises as HttpResponseError with `error.code`.
"""

from __future__ import annotations

import uuid
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.faults import OPERATION_FAULTS
from emulator.arm.http import Response
from emulator.arm.lro import lro_headers
from emulator.arm.providers import aks_common as c
from emulator.arm.providers import aks_kube, aks_nodes
from emulator.arm.providers.aks_rules import is_spot
from emulator.arm.registry import Ctx, Lro
from emulator.arm.store import Operation, Resource
from emulator.arm.views import render
from emulator.k8s import KubeCluster
from emulator.settings import FaultKind

STOP_S, START_S, UPDATE_S, REPLACE_S = 150.0, 120.0, 180.0, 90.0
_BUSY = ("Creating", "Updating", "Deleting", "Stopping", "Starting", "Scaling", "Upgrading")
CAPACITY_MESSAGES = {
    "OverconstrainedAllocationRequest": (
        "Allocation failed. VM(s) with the following constraints cannot be allocated, because the "
        "condition is too restrictive. Please remove some constraints and try again. Constraints "
        "applied are: - Priority (Spot) - VM Size - Differencing (Ephemeral) Disks"
    ),
    "SkuNotAvailable": (
        "The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: "
        "{size}' is currently not available in location '{location}'. Please try another size or deploy "
        "to a different location or different zone."
    ),
}


# --- guards -------------------------------------------------------------------------------------------
def _in_flight(backend: Backend, res: Resource) -> bool:
    op = backend.operation(res.operation_id) if res.operation_id else None
    return op is not None and op.status == "InProgress"


def check_writable(
    backend: Backend, cluster_id: str, *, allow_stopped: bool = False, preempted: str = ""
) -> None:
    """409 OperationNotAllowed while the cluster or any of its pools runs an operation, or is stopped.

    `preempted`: the id of a pool being deleted; its own running operation does not block (a delete
    pre-empts it, as in ARM)."""
    cluster = backend.get(cluster_id)
    if cluster is None:
        return
    state = str(cluster.body.get("properties", {}).get("provisioningState", ""))
    if _in_flight(backend, cluster):
        msg = c.MSG_IN_PROGRESS.format(what="managed cluster", name=cluster.body["name"], state=state)
        raise e.conflict("OperationNotAllowed", msg)
    for pool in backend.children(cluster.id, c.POOL):
        if pool.id.lower() != preempted.lower() and _in_flight(backend, pool):
            pstate = pool.body["properties"].get("provisioningState", "Updating")
            msg = c.MSG_IN_PROGRESS.format(what="agentpool", name=pool.body["name"], state=pstate)
            raise e.conflict("OperationNotAllowed", msg)
    if not allow_stopped and is_stopped(cluster):
        raise e.conflict("OperationNotAllowed", c.MSG_STOPPED.format(name=cluster.body["name"]))


def is_stopped(cluster: Resource) -> bool:
    return str(cluster.body.get("properties", {}).get("powerState", {}).get("code")) == "Stopped"


def fail(op: Operation, resource: Resource, code: str, message: str) -> None:
    op.status = op.outcome = "Failed"
    op.error = {"code": code, "message": message}
    if code == "QuotaExceeded":  # AKS wraps the compute answer
        op.error["details"] = [{"code": "OperationNotAllowed", "message": message}]
    resource.body.setdefault("properties", {})["provisioningState"] = "Failed"


# --- completion ---------------------------------------------------------------------------------------
def cluster_settled(backend: Backend, cluster: Resource, op: Operation) -> None:
    if op.kind == "action":
        _power_settled(backend, cluster, op)
        return
    if op.kind not in ("create", "update"):
        return
    pools = [
        p
        for p in backend.children(cluster.id, c.POOL)
        if p.body["properties"].get("provisioningState") in _BUSY
    ]
    if op.status == "Succeeded":
        aks_kube.ensure_kube(backend, cluster)
        version = str(cluster.body["properties"]["currentKubernetesVersion"])
        aks_kube.update_kube(backend, cluster.id, lambda kube: _follow_version(kube, version))
        _reconcile_all(backend, cluster, op, pools, inline=True)
    elif pools:
        spot = [p for p in pools if is_spot(p.body["properties"])] or pools
        _size_in_message(backend, op, str(spot[0].body["properties"].get("vmSize")))
    for pool in pools:
        pool.body["properties"]["provisioningState"] = op.status
        backend.save(pool)


def _follow_version(kube: KubeCluster, version: str) -> None:
    if kube.kubernetes_version != version:
        kube.set_kubernetes_version(version)


def _reconcile_all(
    backend: Backend, cluster: Resource, op: Operation, pools: list[Resource], inline: bool
) -> None:
    for pool in pools:
        if inline and _capacity_fault(backend, cluster, op, pool):
            return
        try:
            aks_nodes.reconcile_pool(backend, cluster, pool)
        except e.QuotaExceeded as err:
            fail(op, cluster, err.code, err.message)
            return


def _capacity_fault(backend: Backend, cluster: Resource, op: Operation, pool: Resource) -> bool:
    """A new Spot pool inside a cluster PUT honours lro_failure rules on the agentPools type."""
    props = pool.body["properties"]
    if props.get("provisioningState") != "Creating" or not is_spot(props):
        return False
    rule = backend.pick_fault(OPERATION_FAULTS, c.POOL, "PUT", pool.id)
    if rule is None or rule.kind != FaultKind.LRO_FAILURE:
        return False
    code = rule.error_code or "OverconstrainedAllocationRequest"
    fail(op, cluster, code, rule.message or capacity_message(backend, code, str(props.get("vmSize"))))
    return True


def capacity_message(backend: Backend, code: str, size: str) -> str:
    template = CAPACITY_MESSAGES.get(code)
    if template is None:
        return e.operation_error_message(code)
    return template.format(size=size, location=backend.settings.location, code=code)


def _size_in_message(backend: Backend, op: Operation, size: str) -> None:
    """An injected capacity failure names the VM size, as Compute's answer does (unless the fault
    rule gave its own message)."""
    code = str((op.error or {}).get("code", ""))
    if op.error and code in CAPACITY_MESSAGES and op.error.get("message") == e.operation_error_message(code):
        op.error["message"] = capacity_message(backend, code, size)


def pool_settled(backend: Backend, pool: Resource, op: Operation) -> None:
    cluster = backend.get(pool.id.rsplit("/agentPools/", 1)[0])
    if cluster is None:
        return
    if op.kind == "action":
        _autoscaler_floor(backend, cluster, pool)
        return
    if op.kind not in ("create", "update"):
        return
    if op.status == "Failed":
        _size_in_message(backend, op, str(pool.body["properties"].get("vmSize")))
    if op.status == "Succeeded":
        _reconcile_all(backend, cluster, op, [pool], inline=False)
        if op.status == "Failed":
            pool.body["properties"]["provisioningState"] = "Failed"
    backend.save(pool)


def _power_settled(backend: Backend, cluster: Resource, op: Operation) -> None:
    p = cluster.body["properties"]
    if op.status == "Failed":
        p["provisioningState"] = "Failed"  # the power state does not change
        backend.save(cluster)
        return
    starting = p.get("provisioningState") == "Starting"
    p["powerState"] = {"code": "Running" if starting else "Stopped"}
    p["provisioningState"] = "Succeeded"
    pools = backend.children(cluster.id, c.POOL)
    for pool in pools:
        pool.body["properties"]["powerState"] = dict(p["powerState"])
        backend.save(pool)
    aks_kube.update_kube(backend, cluster.id, lambda kube: kube.set_powered(starting))
    _reconcile_all(backend, cluster, op, pools, inline=False)
    backend.save(cluster)


# --- autoscaler ---------------------------------------------------------------------------------------
def schedule_replacement(backend: Backend, pool: Resource) -> None:
    """After an eviction/VM delete in an autoscaled pool below minCount: a new node after REPLACE_S."""
    p = pool.body["properties"]
    if not p.get("enableAutoScaling") or int(p.get("count", 0)) >= int(p.get("minCount") or 0):
        return
    op = Operation(
        id=str(uuid.uuid4()),
        resource_id=pool.id,
        kind="action",
        started_at=backend.now(),
        duration_s=backend.scaled(REPLACE_S),
        location=backend.settings.location,
    )
    backend.state.operations[op.id] = op
    backend.touch()


def _autoscaler_floor(backend: Backend, cluster: Resource, pool: Resource) -> None:
    p = pool.body["properties"]
    floor = int(p.get("minCount") or 0)
    if p.get("enableAutoScaling") and int(p.get("count", 0)) < floor and not is_stopped(cluster):
        p["count"] = floor
        try:
            aks_nodes.reconcile_pool(backend, cluster, pool)
        except e.QuotaExceeded:
            return  # the autoscaler keeps trying in reality; the pool stays below minCount here
        backend.save(pool)


def autoscale(backend: Backend, pool_id: str, count: int) -> dict[str, Any]:
    """Python API: the cluster autoscaler moves an autoscaled pool to `count` (no client write).

    In-process use: `aks_ops.autoscale(local_cloud.backend, pool_id, 3)`; over HTTP:
    `POST {pool_id}/simulateAutoscale?count=3&api-version=...` with the ARM bearer token.
    """
    with backend.store.transaction():
        return _autoscale(backend, pool_id, count)


def _autoscale(backend: Backend, pool_id: str, count: int) -> dict[str, Any]:
    pool = backend.get(pool_id)
    if pool is None:
        raise e.not_found(c.POOL, pool_id.rsplit("/", 1)[-1])
    cluster_id = pool.id.rsplit("/agentPools/", 1)[0]
    check_writable(backend, cluster_id)
    cluster = backend.get(cluster_id)
    assert cluster is not None
    p = pool.body["properties"]
    name = pool.body["name"]
    if not p.get("enableAutoScaling"):
        raise e.bad_request("OperationNotAllowed", c.MSG_SCALE_NOT_AUTOSCALED.format(name=name))
    low, high = int(p.get("minCount") or 0), int(p.get("maxCount") or 0)
    if not low <= count <= high:
        raise e.bad_request(
            "InvalidParameter", c.MSG_SCALE_RANGE.format(count=count, min=low, max=high, name=name)
        )
    previous = p["count"]
    p["count"] = count
    try:
        aks_nodes.reconcile_pool(backend, cluster, pool)
    except e.QuotaExceeded:
        p["count"] = previous
        raise
    backend.save(pool)
    return render(backend, pool)


def simulate_autoscale(ctx: Ctx, pool: Resource) -> Response:
    """POST .../agentPools/{pool}/simulateAutoscale?count=N (emulator-only action)."""
    raw = ctx.request.query_ci("count")
    if raw is None or not raw.isdigit():
        raise e.bad_request(
            "InvalidParameter", "Query parameter 'count' (a non-negative integer) is required."
        )
    return Response(200, autoscale(ctx.backend, pool.id, int(raw)))


# --- cluster actions ----------------------------------------------------------------------------------
def _power_action(ctx: Ctx, cluster: Resource, state: str, duration_s: float) -> Response:
    check_writable(ctx.backend, cluster.id, allow_stopped=True)
    op = ctx.backend.start_operation(cluster.id, "action", duration_s, c.CLUSTER)
    cluster.operation_id = op.id
    cluster.body["properties"]["provisioningState"] = state
    ctx.backend.save(cluster)
    return Response(202, None, lro_headers(ctx.backend, ctx.request, ctx.rtype, op, Lro.ASYNC_OPERATION))


def stop(ctx: Ctx, cluster: Resource) -> Response:
    return _power_action(ctx, cluster, "Stopping", STOP_S)


def start(ctx: Ctx, cluster: Resource) -> Response:
    return _power_action(ctx, cluster, "Starting", START_S)


def admin_credentials(ctx: Ctx, cluster: Resource) -> Response:
    if cluster.body.get("properties", {}).get("disableLocalAccounts"):
        raise e.bad_request("BadRequest", c.MSG_LOCAL_ACCOUNTS)
    return Response(200, aks_kube.kubeconfig(ctx.backend, ctx.request, cluster, "clusterAdmin"))


def user_credentials(ctx: Ctx, cluster: Resource) -> Response:
    return Response(200, aks_kube.kubeconfig(ctx.backend, ctx.request, cluster, "clusterUser"))
