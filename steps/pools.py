"""Phase 2, per cluster: the agent pools (the Regular system pool and the Spot user pool)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.config.model import Cluster, Deployment, SpotPool, SystemPool
from orchestrator.engine.change import Change
from orchestrator.engine.step import Document, Outputs
from orchestrator.errors import CloudError
from steps import ids, names
from steps.aks_shared import PHASE, refuse_if_stopped
from steps.arm import ArmStep, to_rest
from steps.network import sub_of

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

CAPACITY_CODES = frozenset(
    {"OverconstrainedAllocationRequest", "SkuNotAvailable", "AllocationFailed", "ZonalAllocationFailed"}
)


def pool_profile(
    config: Deployment, cluster: Cluster, pool: SystemPool | SpotPool, sub: str
) -> dict[str, Any]:
    """The pool as an inline `agentPoolProfiles` entry (flat), as the cluster PUT takes it."""
    return {"name": pool.name, **pool_properties(config, cluster, pool, sub)}


def pool_properties(
    config: Deployment, cluster: Cluster, pool: SystemPool | SpotPool, sub: str
) -> dict[str, Any]:
    subnet_id = (
        names.res_id(sub, names.network_rg(config), "Microsoft.Network/virtualNetworks", names.vnet(config))
        + f"/subnets/{names.subnet(cluster.subnet)}"
    )
    props: dict[str, Any] = {
        "mode": "System" if isinstance(pool, SystemPool) else "User",
        "count": pool.count,
        "vmSize": pool.vm_size,
        "osType": "Linux",
        "type": "VirtualMachineScaleSets",
        "osDiskSizeGB": pool.os_disk_size_gb,
        "osDiskType": "Ephemeral" if _ephemeral_fits(pool.vm_size, pool.os_disk_size_gb) else "Managed",
        "vnetSubnetID": subnet_id,
        "enableAutoScaling": False,
    }
    if isinstance(pool, SpotPool):
        props.update(
            {
                "scaleSetPriority": "Spot",
                "scaleSetEvictionPolicy": "Delete",
                "spotMaxPrice": pool.max_price,
                "enableAutoScaling": pool.autoscale,
            }
        )
        if pool.autoscale:
            props.update({"minCount": pool.min_count, "maxCount": pool.max_count})
    return props


def _ephemeral_fits(vm_size: str, size_gb: int) -> bool:
    """The same rule the cost model prices: ephemeral when the OS disk fits the size's cache."""
    from orchestrator.cost import load_prices
    from orchestrator.cost.compute import os_disk_is_ephemeral

    try:
        return os_disk_is_ephemeral(load_prices(), vm_size, size_gb)
    except KeyError:
        return False  # a size the price table does not know: a managed disk is always accepted


class PoolStep(ArmStep):
    replace_needs_approval = True  # destroys every workload on it
    immutable = (
        "properties.vmSize",
        "properties.osDiskSizeGB",
        "properties.osDiskType",
        "properties.vnetSubnetID",
        "properties.scaleSetPriority",
        "properties.scaleSetEvictionPolicy",
        "properties.spotMaxPrice",
    )

    def __init__(self, config: Deployment, cluster: Cluster, pool: SystemPool | SpotPool, index: int) -> None:
        self.config, self.cluster, self.pool, self.index = config, cluster, pool, index
        self.rg = names.clusters_rg(config)
        role = "system" if isinstance(pool, SystemPool) else "spot"
        super().__init__(
            ids.pool(cluster.name, pool.name),
            phase=PHASE,
            title=f"{role} pool {pool.name} of {cluster.name}",
            resource_id=pool.name,
            depends_on=(ids.cluster(cluster.name),),
        )
        self.timeout_s = 30 * 60
        autoscaled = isinstance(pool, SpotPool) and pool.autoscale
        self.kind = "Microsoft.ContainerService/managedClusters/agentPools" + (
            "#autoscaled" if autoscaled else ""
        )

    @property
    def config_path(self) -> str:
        key = "system_pool" if isinstance(self.pool, SystemPool) else "spot_pool"
        return f"clusters[{self.index}].{key}"

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.containerservice().agent_pools

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.cluster.name, self.pool.name)

    def exclusive_keys(self) -> tuple[str, ...]:
        return (names.cluster_lock(self.rg, self.cluster.name),)  # pools share their cluster's turn

    def desired(self, ctx: StepContext) -> Document:
        return {"properties": pool_properties(self.config, self.cluster, self.pool, sub_of(ctx))}

    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        change, observed = super().plan(ctx)
        if change.replace and isinstance(self.pool, SystemPool):
            fields = ", ".join(f.path for f in change.fields)
            raise CloudError(
                f"{self.title}: {fields} cannot change on the only system pool",
                code="SystemPoolImmutable",
                fix=f"revert {self.config_path} to the live value, or add a new system pool by hand and move to it",
            )
        return change, observed

    def body(self, ctx: StepContext, change: Change, observed: Document | None) -> dict[str, Any]:
        body = super().body(ctx, change, observed)
        live_count = ((observed or {}).get("properties") or {}).get("count")
        if self.kind.endswith("#autoscaled") and live_count is not None and not change.replace:
            body["properties"]["count"] = live_count  # never fight the autoscaler
        return body

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        refuse_if_stopped(self.title, change, observed)
        try:
            return super().apply(ctx, change, observed)
        except CloudError as exc:
            if exc.code not in CAPACITY_CODES or not isinstance(self.pool, SpotPool):
                raise
            fallbacks = (
                ", ".join(s for s in self.pool.fallback_vm_sizes if s != self.pool.vm_size)
                or "(none configured)"
            )
            raise CloudError(
                f"{self.title}: Azure has no Spot capacity for {self.pool.vm_size} in {self.config.region} now",
                code=exc.code,
                status=exc.status,
                fix=f"set {self.config_path}.vm_size to one of the fallback sizes ({fallbacks}) and run again;"
                " the cluster is kept and the failed pool is replaced",
            ) from exc

    def delete(self, ctx: StepContext, observed: Document) -> None:
        if isinstance(self.pool, SystemPool):
            return  # the system pool goes with its cluster; AKS refuses to delete it on its own
        super().delete(ctx, observed)

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        ops = ctx.services.azure.containerservice().managed_clusters  # a pool is owned with its cluster
        cluster = to_rest(self._call(ctx, lambda: ops.get(self.rg, self.cluster.name)))
        return super().owned(ctx, cluster)

    def outputs(self, observed: Document) -> Outputs:
        props = observed.get("properties") or {}
        return {"id": observed.get("id"), "vmSize": props.get("vmSize"), "mode": props.get("mode")}
