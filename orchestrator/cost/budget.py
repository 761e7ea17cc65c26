"""Budget mode: how many hours a month the platform can run within the budget, a weekday schedule that
fits, and the levers that would close the gap when running around the clock does not.

Stopping (`orchestrate stop`) removes the nodes but not the load balancers, public IPs, the DNS zone,
stored backups and snapshots or the alert rules (reference section 11), so the month starts from the
stopped floor `monthly_total(config, prices, 0)`. The bill is non-decreasing in running hours, so the
largest whole number of hours that fits is found by bisection.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal

from orchestrator.config.model import Deployment
from orchestrator.cost import transforms as tf
from orchestrator.cost.items import monthly_total
from orchestrator.cost.model import BudgetMode, BudgetVerdict, Lever, Schedule
from orchestrator.cost.prices import PriceTable, load_prices

DAYS_PER_WEEK = Decimal(7)
# (days label, days per week), most convenient first
WEEKLY_PATTERNS: tuple[tuple[str, int], ...] = (
    ("Mon-Fri", 5),
    ("Mon, Wed, Fri", 3),
    ("Tue, Thu", 2),
    ("Wed", 1),
)
DAY_START_HOUR = 9  # KST


def hours_within_budget(
    config: Deployment, prices: PriceTable, budget: Decimal, *, teardown: bool = False
) -> int:
    """Whole running hours a month that fit; `teardown`: destroy between runs instead of stopping."""
    month = prices.hours_per_month
    if monthly_total(config, prices, Decimal(0), teardown=teardown) > budget:
        return 0
    low, high = 0, month  # invariant: total(low) <= budget
    while low < high:
        mid = (low + high + 1) // 2
        if monthly_total(config, prices, Decimal(mid), teardown=teardown) <= budget:
            low = mid
        else:
            high = mid - 1
    return low


def days_per_month(prices: PriceTable, days_per_week: int) -> Decimal:
    weeks = Decimal(prices.hours_per_month) / Decimal(24) / DAYS_PER_WEEK
    return weeks * days_per_week


def weekly_schedule(config: Deployment, prices: PriceTable, hours: int) -> Schedule | None:
    """The most convenient weekly pattern whose daily window is at least the minimum session."""
    month = prices.hours_per_month
    if hours >= month:
        return Schedule(
            "24x7", "every day", 0, 24, Decimal(month), monthly_total(config, prices, Decimal(month))
        )
    minimum = int(prices.number("min_session_hours"))
    for days, per_week in WEEKLY_PATTERNS:
        per_month = days_per_month(prices, per_week)
        per_day = min(24, int((Decimal(hours) / per_month).to_integral_value(rounding=ROUND_FLOOR)))
        if per_day >= minimum:
            return _schedule(config, prices, days, per_day, per_month)
    return None


def _schedule(
    config: Deployment, prices: PriceTable, days: str, per_day: int, per_month: Decimal
) -> Schedule:
    start = DAY_START_HOUR if DAY_START_HOUR + per_day <= 24 else 24 - per_day
    end = start + per_day
    hours = (per_day * per_month).quantize(Decimal("0.1"))
    return Schedule(
        label=f"{days} {start:02d}:00-{end:02d}:00 KST",
        days=days,
        start_hour=start,
        end_hour=end,
        hours_per_month=hours,
        monthly=monthly_total(config, prices, hours),
    )


def budget_mode(config: Deployment, prices: PriceTable) -> BudgetMode:
    budget = Decimal(str(config.budget.monthly_usd))
    hours = hours_within_budget(config, prices, budget)
    return BudgetMode(
        monthly_budget=budget,
        always_on_total=monthly_total(config, prices, Decimal(prices.hours_per_month)),
        stopped_monthly=monthly_total(config, prices, Decimal(0)),
        hours_per_month_within_budget=hours,
        schedule=weekly_schedule(config, prices, hours),
        hours_if_destroyed_between_runs=hours_within_budget(config, prices, budget, teardown=True),
    )


# --- levers ------------------------------------------------------------------------------------

Transform = Callable[[Deployment], Deployment]


def free_grant_cap(prices: PriceTable) -> float:
    """The daily cap (GB, two decimals, rounded down) that keeps a month inside the free grant."""
    per_day = prices.number("la_free_gb_per_month") / (Decimal(prices.hours_per_month) / Decimal(24))
    return math.floor(per_day * 100) / 100


def cheapest_system_size(config: Deployment, prices: PriceTable) -> str:
    """The VM size (>= 2 vCPU, >= 4 GiB, the AKS system-pool minimum) with the lowest bill. B-series
    sizes are left out: AKS does not support them for system pools (use-system-pools.md)."""
    candidates = [
        name
        for name, size in prices.vm_sizes.items()
        if size.vcpus >= 2
        and size.memory_gib >= 4
        and prices.has(f"vm/{name}/payg")
        and not name.startswith("Standard_B")
    ]

    def bill(name: str) -> Decimal:
        changed = tf.map_clusters(config, lambda c: tf.with_system_pool(c, vm_size=name))
        return monthly_total(changed, prices, Decimal(prices.hours_per_month))

    return min(sorted(candidates), key=bill)


def config_levers(config: Deployment, prices: PriceTable) -> list[tuple[str, str, Transform]]:
    cap = free_grant_cap(prices)
    size = cheapest_system_size(config, prices)
    return [
        (
            "log-analytics-free-grant",
            f"monitoring.daily_cap_gb: {cap} keeps ingestion inside the free 5 GB a month",
            lambda c: tf.with_daily_cap(c, cap),
        ),
        (
            "system-pool-size",
            f"clusters[*].system_pool.vm_size: {size}",
            lambda c: tf.map_clusters(c, lambda k: tf.with_system_pool(k, vm_size=size)),
        ),
        (
            "spot-pools-at-minimum",
            "clusters[*].spot_pool.count: min_count (let the autoscaler add nodes only under load)",
            lambda c: tf.map_clusters(c, tf.spot_at_minimum),
        ),
        (
            "single-cluster",
            "one AKS cluster with namespaces for mgmt/app1/app2 (drops Cluster Mesh and two LBs)",
            tf.single_cluster,
        ),
        (
            "free-tier",
            "clusters[*].sku_tier: Free (no financially backed SLA)",
            lambda c: tf.map_clusters(c, lambda k: tf.with_tier(k, "Free")),
        ),
    ]


def levers(config: Deployment, prices: PriceTable, mode: BudgetMode) -> tuple[Lever, ...]:
    month = Decimal(prices.hours_per_month)
    found = [
        Lever(name, mode.always_on_total - monthly_total(fn(config), prices, month), how)
        for name, how, fn in config_levers(config, prices)
    ]
    if mode.schedule is not None and mode.schedule.days != "every day":
        saving = mode.always_on_total - mode.schedule.monthly
        found.append(
            Lever("part-time-schedule", saving, f"orchestrate stop/start: run {mode.schedule.label}")
        )
    useful = [lever for lever in found if lever.monthly_saving > 0]
    return tuple(sorted(useful, key=lambda lever: (-lever.monthly_saving, lever.name)))


def budget_check(config: Deployment, prices: PriceTable | None = None) -> BudgetVerdict:
    """Does running around the clock fit the budget? If not, what closes the gap, and by how much."""
    table = prices if prices is not None else load_prices()
    mode = budget_mode(config, table)
    ok = mode.always_on_total <= mode.monthly_budget
    return BudgetVerdict(
        ok=ok,
        strict=config.budget.strict,
        always_on=mode.always_on_total,
        budget=mode.monthly_budget,
        hours_within_budget=mode.hours_per_month_within_budget,
        levers=() if ok else levers(config, table, mode),
    )


def apply_levers(config: Deployment, prices: PriceTable) -> Deployment:
    """`config` with every configuration lever applied at once (not the part-time schedule)."""
    for _name, _how, fn in config_levers(config, prices):
        config = fn(config)
    return config
