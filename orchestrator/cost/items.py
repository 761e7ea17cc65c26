"""Price the desired state, resource by resource: the core of the estimator.

`price_items(config, prices, running_hours)` returns one `Item` per priced resource. Resources that only
bill while the clusters run (nodes, their managed OS disks, Log Analytics ingestion, Key Vault reads)
scale with `running_hours`; the rest (load balancers, public IPs, DNS zone, stored data, alert rules)
bill the whole month (`hours_per_month`), stopped or not (reference section 11; Azure/AKS#3749).
"""

from __future__ import annotations

from decimal import Decimal

from orchestrator.config.model import Cluster, Deployment
from orchestrator.cost.compute import control_plane, pool_items, spot_band, system_band
from orchestrator.cost.lines import Ctx
from orchestrator.cost.model import ZERO, Item
from orchestrator.cost.network import load_balancer, mesh_load_balancer, private_dns, public_ips
from orchestrator.cost.prices import PriceTable
from orchestrator.cost.services import backups, key_vault, log_analytics, metric_alerts, snapshots


def price_items(
    config: Deployment, prices: PriceTable, running_hours: Decimal, *, teardown: bool = False
) -> list[Item]:
    """`teardown`: the clusters (with their load balancers and IPs) are destroyed, not stopped, between
    runs; the DNS zone, Key Vault, backups, snapshots and alert rules stay."""
    ctx = Ctx(config, prices, running_hours, Decimal(prices.hours_per_month), teardown)
    first, *rest = shared_items(ctx)
    items = [first]
    for cluster in config.clusters:
        items += cluster_items(ctx, cluster)
    return [*items, *rest]


def shared_items(ctx: Ctx) -> list[Item]:
    """What no single cluster owns (the DNS zone first, as the bill lists it, then the services)."""
    return [
        private_dns(ctx),
        key_vault(ctx),
        *log_analytics(ctx),
        metric_alerts(ctx),
        backups(ctx),
        snapshots(ctx),
    ]


def cluster_items(ctx: Ctx, cluster: Cluster) -> list[Item]:
    return [
        control_plane(ctx, cluster),
        *pool_items(
            ctx, cluster.name, "system", cluster.system_pool, system_band(cluster.system_pool), spot=False
        ),
        *pool_items(ctx, cluster.name, "spot", cluster.spot_pool, spot_band(cluster.spot_pool), spot=True),
        *load_balancer(ctx, cluster),
        *public_ips(ctx, cluster),
        *mesh_load_balancer(ctx, cluster),
    ]


def monthly_total(
    config: Deployment, prices: PriceTable, running_hours: Decimal, *, teardown: bool = False
) -> Decimal:
    """The bill for a month in which the clusters run `running_hours` (items rounded, then summed)."""
    items = price_items(config, prices, running_hours, teardown=teardown)
    return sum((item.monthly for item in items), ZERO)
