"""The estimator: the demo bill itemised, the production deltas the seed names, the budget mode, and
the difference between two configurations (for `plan`).
"""

from __future__ import annotations

from decimal import Decimal

from orchestrator.config.model import Deployment
from orchestrator.cost import transforms as tf
from orchestrator.cost.budget import budget_mode
from orchestrator.cost.compute import pool_items, spot_band
from orchestrator.cost.items import cluster_items, monthly_total, price_items, shared_items
from orchestrator.cost.lines import Ctx
from orchestrator.cost.model import ZERO, CostDelta, CostReport, DemoEstimate, ItemDelta, ProductionDelta
from orchestrator.cost.prices import PriceTable, load_prices

ZONES = 3


def demo_estimate(config: Deployment, prices: PriceTable) -> DemoEstimate:
    month = Decimal(prices.hours_per_month)
    items = tuple(price_items(config, prices, month))
    return DemoEstimate(
        monthly_total=sum((i.monthly for i in items), ZERO),
        monthly_min=sum((i.monthly_min for i in items), ZERO),
        monthly_max=sum((i.monthly_max for i in items), ZERO),
        stopped_monthly=monthly_total(config, prices, ZERO),
        items=items,
    )


def _diff(config: Deployment, changed: Deployment, prices: PriceTable) -> Decimal:
    month = Decimal(prices.hours_per_month)
    return monthly_total(changed, prices, month) - monthly_total(config, prices, month)


def _cluster_diff(config: Deployment, changed: Deployment, name: str, prices: PriceTable) -> Decimal:
    """`_diff` when only cluster `name` differs: the other clusters' items are the same on both sides,
    so price that cluster and the shared items only (linear, not quadratic, in the cluster count)."""
    month = Decimal(prices.hours_per_month)

    def part(cfg: Deployment) -> Decimal:
        ctx = Ctx(cfg, prices, month, month)
        cluster = next(c for c in cfg.clusters if c.name == name)
        return sum((i.monthly for i in [*cluster_items(ctx, cluster), *shared_items(ctx)]), ZERO)

    return part(changed) - part(config)


def on_demand_deltas(config: Deployment, prices: PriceTable) -> list[ProductionDelta]:
    """Tier 1 clusters' user pools on pay-as-you-go instead of Spot."""
    ctx = Ctx(config, prices, Decimal(prices.hours_per_month), Decimal(prices.hours_per_month))
    rows = []
    for cluster in (c for c in config.clusters if c.tier == 1):
        band = spot_band(cluster.spot_pool)
        spot = pool_items(ctx, cluster.name, "spot", cluster.spot_pool, band, spot=True)[0]
        regular = pool_items(ctx, cluster.name, "spot", cluster.spot_pool, band, spot=False)[0]
        rows.append(
            ProductionDelta(
                change=f"Tier 1 on On-Demand ({cluster.name})",
                monthly=regular.monthly - spot.monthly,
                cluster=cluster.name,
                seed_estimate="+$50-80",
                how=f"{band.expected} x {cluster.spot_pool.vm_size} pay-as-you-go instead of Spot",
            )
        )
    return rows


def multi_az_delta(config: Deployment, prices: PriceTable) -> ProductionDelta:
    changed = tf.map_clusters(config, lambda c: tf.with_system_pool(c, count=max(ZONES, c.system_pool.count)))
    return ProductionDelta(
        change="multi-AZ (zone-redundant system pools)",
        monthly=_diff(config, changed, prices),
        cluster=None,
        seed_estimate="+$30-50",
        how=f"system pools spread over {ZONES} zones: at least {ZONES} nodes each; "
        "zones themselves are free; ZRS disks and inter-zone traffic not priced",
    )


def sla_deltas(config: Deployment, prices: PriceTable) -> list[ProductionDelta]:
    rows = []
    for cluster in (c for c in config.clusters if c.sku_tier == "Free"):
        changed = tf.map_clusters(config, lambda c: tf.with_tier(c, "Standard"), only=cluster.name)
        rows.append(
            ProductionDelta(
                change=f"Standard tier / Uptime SLA ({cluster.name})",
                monthly=_cluster_diff(config, changed, cluster.name, prices),
                cluster=cluster.name,
                seed_estimate="+$73",
                how="sku_tier: Standard, $0.10 per cluster-hour; 99.9% SLA (99.95% with zones)",
            )
        )
    return rows


def production_deltas(config: Deployment, prices: PriceTable) -> tuple[ProductionDelta, ...]:
    return (*on_demand_deltas(config, prices), multi_az_delta(config, prices), *sla_deltas(config, prices))


def warnings(config: Deployment, prices: PriceTable, demo: DemoEstimate) -> tuple[str, ...]:
    found = [
        f"{c.name}: {c.spot_pool.vm_size} has no Spot offer; its user pool is priced on-demand"
        for c in config.clusters
        if not prices.has(f"vm/{c.spot_pool.vm_size}/spot")
    ]
    estimated = [i for i in demo.items if i.estimate and i.monthly > 0]
    if estimated:
        share = sum((i.monthly for i in estimated), ZERO)
        found.append(f"${share} of the ${demo.monthly_total} total uses estimated (non-Korea Central) prices")
    return tuple(found)


def estimate(config: Deployment, prices: PriceTable | None = None) -> CostReport:
    """The whole cost report for `config` (the shipped price table unless `prices` is given)."""
    table = prices if prices is not None else load_prices()
    demo = demo_estimate(config, table)
    return CostReport(
        currency=table.currency,
        hours_per_month=table.hours_per_month,
        demo=demo,
        production_deltas=production_deltas(config, table),
        budget=budget_mode(config, table),
        assumptions={name: f"{a.value}: {a.source}" for name, a in table.assumptions.items()},
        warnings=warnings(config, table, demo),
    )


def estimate_delta(
    before: Deployment | None, after: Deployment, prices: PriceTable | None = None
) -> CostDelta:
    """How a change moves the monthly (24x7, expected) bill; `before=None` means nothing deployed yet."""
    table = prices if prices is not None else load_prices()
    month = Decimal(table.hours_per_month)
    old = {i.key: i.monthly for i in price_items(before, table, month)} if before is not None else {}
    new = {i.key: i.monthly for i in price_items(after, table, month)}
    keys = sorted(set(old) | set(new))
    rows = tuple(
        ItemDelta(cluster=k[0], resource=k[1], before=old.get(k, ZERO), after=new.get(k, ZERO))
        for k in keys
        if old.get(k, ZERO) != new.get(k, ZERO)
    )
    return CostDelta(
        before_total=sum(old.values(), ZERO),
        after_total=sum(new.values(), ZERO),
        items=rows,
    )
