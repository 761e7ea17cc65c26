"""Budget mode, worked by hand from the pinned prices (conftest). Month 730 h; a weekday-per-week
pattern gives 730 / 24 / 7 = 4.3452 days a month per weekday (Mon-Fri: 21.7262 days)."""

from __future__ import annotations

from decimal import Decimal

from orchestrator.config.model import Deployment
from orchestrator.cost import transforms as tf
from orchestrator.cost.budget import (
    apply_levers,
    budget_check,
    budget_mode,
    free_grant_cap,
    hours_within_budget,
    weekly_schedule,
)
from orchestrator.cost.items import monthly_total
from orchestrator.cost.prices import PriceTable

D = Decimal


def with_budget(config: Deployment, usd: float, strict: bool = False) -> Deployment:
    return config.model_copy(
        update={"budget": config.budget.model_copy(update={"monthly_usd": usd, "strict": strict})}
    )


def test_hours_within_80_dollars(seed_without_mesh: Deployment, prices: PriceTable) -> None:
    config = seed_without_mesh
    # stopped floor 74.05 (test_cost_estimator); 12 h: system 3 x cents(12 x 0.123 = 1.476) = 4.44,
    # Spot mgmt cents(12 x 0.0246 = 0.2952) = 0.30, app1/app2 2 x cents(24 x 0.0246 = 0.5904) = 1.18,
    # logs 8 x 0.25 / 24 x 12 = 1 GB (free) -> 74.05 + 4.44 + 0.30 + 1.18 = 79.97 <= 80
    # 13 h: 3 x 1.60 + 0.32 + 2 x 0.64 = 6.40 -> 80.45 > 80
    assert monthly_total(config, prices, D(12)) == D("79.97")
    assert monthly_total(config, prices, D(13)) == D("80.45")
    assert hours_within_budget(config, prices, D(80)) == 12


def test_schedule_for_12_hours_is_one_two_hour_slot_a_week(
    seed_without_mesh: Deployment, prices: PriceTable
) -> None:
    config = seed_without_mesh
    # Mon-Fri: 12 / 21.7262 -> 0 h/day; Mon/Wed/Fri 12 / 13.0357 -> 0;
    # Tue/Thu 12 / 8.6905 -> 1 (below the 2 h minimum session)
    # Wed: 12 / 4.3452 -> 2 h/day -> 2 x 4.3452 = 8.69 -> 8.7 h a month
    schedule = weekly_schedule(config, prices, 12)
    assert schedule is not None
    assert schedule.label == "Wed 09:00-11:00 KST"
    assert schedule.hours_per_month == D("8.7")
    assert schedule.monthly <= D(80)


def test_business_hours_schedule(config: Deployment, prices: PriceTable) -> None:
    # 200 h: Mon-Fri 200 / 21.7262 = 9.2 -> 9 h/day from 09:00; 9 x 21.7262 = 195.5 h
    schedule = weekly_schedule(config, prices, 200)
    assert schedule is not None
    assert (schedule.label, schedule.hours_per_month) == ("Mon-Fri 09:00-18:00 KST", D("195.5"))


def test_long_days_end_at_midnight(config: Deployment, prices: PriceTable) -> None:
    # 500 h: 500 / 21.7262 = 23.01 -> 23 h/day; 09:00 + 23 h passes midnight, so 01:00-24:00
    schedule = weekly_schedule(config, prices, 500)
    assert schedule is not None and schedule.label == "Mon-Fri 01:00-24:00 KST"


def test_whole_month_is_24x7(seed_without_mesh: Deployment, prices: PriceTable) -> None:
    config = seed_without_mesh
    mode = budget_mode(with_budget(config, 1000), prices)
    assert mode.hours_per_month_within_budget == 730
    assert mode.schedule is not None and mode.schedule.label == "24x7"
    assert mode.schedule.monthly == mode.always_on_total == D("619.73")


def test_floor_above_budget_leaves_no_hours(config: Deployment, prices: PriceTable) -> None:
    # the stopped floor 74.05 alone exceeds $50
    mode = budget_mode(with_budget(config, 50), prices)
    assert mode.hours_per_month_within_budget == 0 and mode.schedule is None


def test_free_grant_cap(prices: PriceTable) -> None:
    # 5 GB / 30.41667 days = 0.16438 GB/day, rounded down to 0.16
    assert free_grant_cap(prices) == 0.16


def test_verdict_with_levers(seed_without_mesh: Deployment, prices: PriceTable) -> None:
    config = seed_without_mesh
    verdict = budget_check(with_budget(config, 80, strict=True), prices)
    assert not verdict.ok and verdict.fails_preflight
    # 619.73 - 80 = 539.73
    assert verdict.gap == D("539.73")
    levers = {lever.name: lever.monthly_saving for lever in verdict.levers}
    # the free-grant cap removes the whole 186.48 of ingestion
    assert levers["log-analytics-free-grant"] == D("186.48")
    # Spot pools at min: app1 and app2 lose one node each, 2 x 17.96 = 35.92; logs 6 nodes 135.69
    # (was 186.48, -50.79) -> 86.71
    assert levers["spot-pools-at-minimum"] == D("86.71")
    # part-time: 619.73 around the clock - 78.33 on "Wed 09:00-11:00" (8.7 h)
    assert levers["part-time-schedule"] == D("619.73") - budget_mode(config, prices).schedule.monthly  # type: ignore[union-attr]
    savings = [lever.monthly_saving for lever in verdict.levers]
    assert savings == sorted(savings, reverse=True)


def test_verdict_ok_has_no_levers(config: Deployment, prices: PriceTable) -> None:
    verdict = budget_check(with_budget(config, 1000, strict=True), prices)
    assert verdict.ok and not verdict.fails_preflight and verdict.levers == ()


def test_single_cluster_keeps_spot_capacity(config: Deployment) -> None:
    merged = tf.single_cluster(config)
    [cluster] = merged.clusters
    # Spot counts 1 + 2 + 2, mins 1 + 1 + 1, maxes 2 + 3 + 3
    pool = cluster.spot_pool
    assert (pool.count, pool.min_count, pool.max_count) == (5, 3, 8)


def test_all_levers_together_fit_more_hours(config: Deployment, prices: PriceTable) -> None:
    levered = apply_levers(config, prices)
    assert hours_within_budget(levered, prices, D(80)) > hours_within_budget(config, prices, D(80))


def test_destroying_between_runs_removes_the_floor(seed_without_mesh: Deployment, prices: PriceTable) -> None:
    config = seed_without_mesh
    # floor without clusters: DNS 0.50 + Blob 0.25 + snapshots 0.30 = 1.05
    assert monthly_total(config, prices, D(0), teardown=True) == D("1.05")
    # 109 h: system 3 x cents(13.407) = 40.23; Spot 2.68 + 2 x 5.36 = 13.40; LB 3 x cents(2.725) = 8.19;
    # IPs 5 x cents(0.545) = 2.75; logs 2.0 / 24 x 109 = 9.0833 - 5 = 4.0833 x 3.34 = 13.64; + 1.05 = 79.26
    # 110 h: 40.59 + 2.71 + 10.82 + 8.25 + 2.75 + 13.92 (4.1667 GB) + 1.05 = 80.09 > 80
    assert monthly_total(config, prices, D(109), teardown=True) == D("79.26")
    assert monthly_total(config, prices, D(110), teardown=True) == D("80.09")
    assert budget_mode(config, prices).hours_if_destroyed_between_runs == 109


def test_with_the_mesh_the_stopped_floor_alone_exceeds_80_dollars(
    config: Deployment, prices: PriceTable
) -> None:
    # stopped floor 74.05 + 3 mesh internal LBs x 18.25 = 128.80 > 80: stopping cannot fit the budget,
    # only destroying the clusters between runs does
    mode = budget_mode(config, prices)
    assert mode.stopped_monthly == D("128.80")
    assert mode.hours_per_month_within_budget == 0 and mode.schedule is None
    assert mode.hours_if_destroyed_between_runs == 101
