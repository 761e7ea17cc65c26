"""Compute: AKS control plane tiers, node pools (on-demand and Spot, with autoscaler bands), OS disks."""

from __future__ import annotations

from decimal import Decimal

from orchestrator.config.model import Cluster, Deployment, SpotPool, SystemPool
from orchestrator.cost.lines import PHASE_CLUSTERS, Ctx, line
from orchestrator.cost.model import Band, Item
from orchestrator.cost.prices import PriceTable

PREMIUM_TIERS: tuple[tuple[int, str], ...] = (
    (32, "P4"),
    (64, "P6"),
    (128, "P10"),
    (256, "P15"),
    (512, "P20"),
    (1024, "P30"),
    (2048, "P40"),
)


def system_band(pool: SystemPool) -> Band:
    return Band.fixed(Decimal(pool.count))


def _spot_counts(pool: SpotPool) -> tuple[int, int, int]:
    if not pool.autoscale:
        return pool.count, pool.count, pool.count
    return pool.min_count, min(max(pool.count, pool.min_count), pool.max_count), pool.max_count


def spot_band(pool: SpotPool) -> Band:
    return Band(*(Decimal(n) for n in _spot_counts(pool)))


def node_band(config: Deployment) -> Band:
    """Every node of every cluster, summed as integers (cheap for hundreds of clusters)."""
    totals = [0, 0, 0]
    for cluster in config.clusters:
        for i, n in enumerate(_spot_counts(cluster.spot_pool)):
            totals[i] += n + cluster.system_pool.count
    return Band(*(Decimal(n) for n in totals))


def spot_key(prices: PriceTable, vm_size: str) -> str | None:
    key = f"vm/{vm_size}/spot"
    return key if prices.has(key) else None


def control_plane(ctx: Ctx, cluster: Cluster) -> Item:
    standard = cluster.sku_tier == "Standard"
    return line(
        ctx,
        "aks/standard" if standard else "aks/free",
        Band.fixed(ctx.month),
        resource="AKS control plane",
        cluster=cluster.name,
        phase=PHASE_CLUSTERS,
        sku=f"{cluster.sku_tier} tier",
        while_stopped=standard,
        note="Standard tier counted while stopped too (not documented; conservative)" if standard else "",
    )


def pool_items(
    ctx: Ctx, cluster: str, label: str, pool: SystemPool | SpotPool, nodes: Band, *, spot: bool
) -> list[Item]:
    key = spot_key(ctx.prices, pool.vm_size) if spot else None
    fraction = ctx.prices.number("spot_eviction_billed_fraction") if key else Decimal(1)
    note = f"autoscaler {nodes.minimum}-{nodes.maximum} nodes, expected {nodes.expected}"
    if spot and key is None:
        note += "; no Spot for this size, priced on-demand"
    elif key:
        note += f"; eviction assumption: billed fraction {fraction}"
    vm = line(
        ctx,
        key or f"vm/{pool.vm_size}/payg",
        nodes.map(lambda n: n * ctx.hours * fraction),
        resource=f"{label} pool nodes",
        cluster=cluster,
        phase=PHASE_CLUSTERS,
        sku=f"{pool.vm_size} {'Spot' if key else 'pay-as-you-go'}",
        while_stopped=False,
        note=note,
    )
    return [vm, os_disk(ctx, cluster, label, pool, nodes)]


def premium_tier(size_gb: int) -> str:
    for capacity, tier in PREMIUM_TIERS:
        if size_gb <= capacity:
            return tier
    raise ValueError(f"OS disk of {size_gb} GB is larger than the biggest priced tier")


def os_disk_is_ephemeral(prices: PriceTable, vm_size: str, size_gb: int) -> bool:
    """The rule the estimator assumes the node-pool step follows: an ephemeral OS disk when it fits the
    size's cache/temp disk (D2s_v3: 50 GiB), a managed Premium SSD otherwise (AKS's default)."""
    return size_gb <= prices.vm(vm_size).cache_gib


def os_disk(ctx: Ctx, cluster: str, label: str, pool: SystemPool | SpotPool, nodes: Band) -> Item:
    size = pool.os_disk_size_gb
    cache = ctx.prices.vm(pool.vm_size).cache_gib
    if os_disk_is_ephemeral(ctx.prices, pool.vm_size, size):
        key, sku, note = "disk/ephemeral", f"Ephemeral OS {size} GB", f"fits the {cache} GiB cache"
    else:
        tier = premium_tier(size)
        key, sku = f"disk/premium/{tier}", f"Premium SSD {tier} (managed OS)"
        note = (
            f"{pool.vm_size} cache {cache} GiB < {size} GB: no ephemeral OS; deleted with the nodes on stop"
        )
    return line(
        ctx,
        key,
        nodes.map(lambda n: n * ctx.runtime_share),
        resource=f"{label} pool OS disks",
        cluster=cluster,
        phase=PHASE_CLUSTERS,
        sku=sku,
        while_stopped=False,
        note=note,
    )
