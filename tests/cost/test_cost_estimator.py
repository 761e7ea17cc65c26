"""Arithmetic of the estimator, each expected value worked by hand from the pinned prices (conftest).

Month = 730 h; one day of a month = 730 / 24 = 30.41667 days. Money: each line rounded half-up to cents.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from orchestrator.config.model import Deployment
from orchestrator.cost import transforms as tf
from orchestrator.cost.compute import os_disk_is_ephemeral, premium_tier
from orchestrator.cost.estimator import estimate, estimate_delta
from orchestrator.cost.items import monthly_total, price_items
from orchestrator.cost.model import Item
from orchestrator.cost.prices import PriceTable
from orchestrator.cost.services import refresh_hours

D = Decimal
MONTH = D(730)


def item(items: list[Item], cluster: str | None, resource: str) -> Item:
    [found] = [i for i in items if i.cluster == cluster and i.resource == resource]
    return found


def test_system_node_is_on_demand(config: Deployment, prices: PriceTable) -> None:
    # 1 node x 730 h x $0.123 = $89.79
    line = item(price_items(config, prices, MONTH), "aks-mgmt", "system pool nodes")
    assert (line.quantity, line.unit_price, line.monthly) == (D(730), D("0.123"), D("89.79"))
    assert line.sku == "Standard_D2s_v3 pay-as-you-go"


def test_spot_pool_priced_at_spot_with_autoscaler_band(config: Deployment, prices: PriceTable) -> None:
    # aks-app1 Spot pool: min 1, count 2, max 3 at $0.0246 (not the $0.123 on-demand price)
    # min 1 x 730 x 0.0246 = 17.958 -> 17.96; expected 2 x 730 x 0.0246 = 35.916 -> 35.92;
    # max 3 x 730 x 0.0246 = 53.874 -> 53.87
    line = item(price_items(config, prices, MONTH), "aks-app1", "spot pool nodes")
    assert (line.monthly_min, line.monthly, line.monthly_max) == (D("17.96"), D("35.92"), D("53.87"))
    assert line.sku == "Standard_D2s_v3 Spot"
    assert "eviction assumption" in line.note


def test_fixed_spot_pool_has_no_band(config: Deployment, prices: PriceTable) -> None:
    # autoscale off, count 2: 2 x 730 x 0.0246 = 35.92 at min, expected and max
    fixed = tf.map_clusters(config, lambda c: tf.with_spot_pool(c, autoscale=False))
    line = item(price_items(fixed, prices, MONTH), "aks-app2", "spot pool nodes")
    assert line.monthly_min == line.monthly == line.monthly_max == D("35.92")


def test_size_without_spot_offer_is_priced_on_demand_and_warned(
    config: Deployment, prices: PriceTable
) -> None:
    # B2s has no Spot: 2 x 730 x 0.052 = 75.92
    changed = tf.map_clusters(config, lambda c: tf.with_spot_pool(c, vm_size="Standard_B2s"), only="aks-app1")
    line = item(price_items(changed, prices, MONTH), "aks-app1", "spot pool nodes")
    assert line.monthly == D("75.92")
    assert any("no Spot offer" in w for w in estimate(changed, prices).warnings)


def test_ephemeral_os_disk_is_free_when_it_fits_the_cache(config: Deployment, prices: PriceTable) -> None:
    # D2s_v3 has a 50 GiB cache; a 30 GB OS disk is ephemeral: $0
    line = item(price_items(config, prices, MONTH), "aks-mgmt", "system pool OS disks")
    assert line.sku == "Ephemeral OS 30 GB" and line.monthly == D("0.00")


def test_size_without_cache_gets_a_managed_p4(config: Deployment, prices: PriceTable) -> None:
    # D2s_v5 has no cache disk: 30 GB -> Premium P4 at $6.60 a disk-month; Spot pool expected 2 -> 13.20
    changed = tf.map_clusters(
        config, lambda c: tf.with_spot_pool(c, vm_size="Standard_D2s_v5"), only="aks-app1"
    )
    line = item(price_items(changed, prices, MONTH), "aks-app1", "spot pool OS disks")
    assert line.sku.startswith("Premium SSD P4")
    assert (line.monthly_min, line.monthly, line.monthly_max) == (D("6.60"), D("13.20"), D("19.80"))


def test_log_analytics_from_nodes_per_day(config: Deployment, prices: PriceTable) -> None:
    # 8 nodes (3 system + 5 Spot) x 0.25 GB = 2.0 GB/day, under the 5 GB/day cap
    # 2.0 x 30.41667 = 60.8333 GB - 5 GB free = 55.8333 GB x $3.34 = 186.4832 -> 186.48
    # max 11 nodes: 2.75 x 30.41667 = 83.6458 - 5 = 78.6458 x 3.34 = 262.677 -> 262.68
    line = item(price_items(config, prices, MONTH), None, "Log Analytics ingestion")
    assert line.quantity == D("55.8333")
    assert (line.monthly, line.monthly_max) == (D("186.48"), D("262.68"))


def test_daily_cap_is_the_ceiling(config: Deployment, prices: PriceTable) -> None:
    # cap 1.0 GB/day < 2.0: 1.0 x 30.41667 = 30.4167 - 5 = 25.4167 x 3.34 = 84.8918 -> 84.89
    # the max band (11 nodes, 2.75 GB/day) is capped at the same 1.0 GB/day
    capped = tf.with_daily_cap(config, 1.0)
    line = item(price_items(capped, prices, MONTH), None, "Log Analytics ingestion")
    assert line.monthly == line.monthly_max == D("84.89")


def test_cap_inside_the_free_grant_costs_nothing(config: Deployment, prices: PriceTable) -> None:
    # 0.16 GB/day x 30.41667 = 4.8667 GB <= 5 GB free
    line = item(price_items(tf.with_daily_cap(config, 0.16), prices, MONTH), None, "Log Analytics ingestion")
    assert line.monthly == D("0.00")


def test_retention_beyond_31_days(config: Deployment, prices: PriceTable) -> None:
    # 90 days: 59 days beyond the included 31; 2.0 GB/day x 59 = 118 GB stored x $0.15 = 17.70
    monitoring = config.monitoring.model_copy(update={"retention_days": 90})
    line = item(
        price_items(config.model_copy(update={"monitoring": monitoring}), prices, MONTH),
        None,
        "Log Analytics retention",
    )
    assert line.monthly == D("17.70")


def test_standard_tier_is_ten_cents_an_hour(config: Deployment, prices: PriceTable) -> None:
    # 730 x $0.10 = $73.00
    changed = tf.map_clusters(config, lambda c: tf.with_tier(c, "Standard"), only="aks-mgmt")
    line = item(price_items(changed, prices, MONTH), "aks-mgmt", "AKS control plane")
    assert line.monthly == D("73.00") and line.while_stopped


def test_small_items(config: Deployment, prices: PriceTable) -> None:
    items = price_items(config, prices, MONTH)
    # Key Vault: 3 clusters x 5 secrets x 730 h / 1 h = 10,950 reads = 1.095 x $0.03 = 0.03285 -> 0.03
    assert item(items, None, "Key Vault operations").monthly == D("0.03")
    # Velero: ceil(168 h / 24) = 7 backups x 0.5 GB x 3 clusters = 10.5 GB x $0.024 = 0.252 -> 0.25
    assert item(items, None, "Velero backups (Blob)").monthly == D("0.25")
    # snapshots: 2 GB x 3 clusters = 6 GB x $0.05 = 0.30
    assert item(items, None, "disk snapshots").monthly == D("0.30")
    # 3 alert rules x 3 clusters = 9 time series, first 10 free -> 0
    assert item(items, None, "metric alert rules").monthly == D("0.00")
    # app1 has an ingress subnet: outbound IP + Gateway IP, 730 x $0.005 = 3.65 each
    assert item(items, "aks-app1", "ingress public IP (Gateway)").monthly == D("3.65")


def test_alert_time_series_beyond_the_free_ten(config: Deployment, prices: PriceTable) -> None:
    # 4 rules x 3 clusters = 12 time series - 10 free = 2 x $0.10 = 0.20
    alerts = [*config.monitoring.alerts, config.monitoring.alerts[0].model_copy(update={"name": "extra"})]
    monitoring = config.monitoring.model_copy(update={"alerts": alerts})
    items = price_items(config.model_copy(update={"monitoring": monitoring}), prices, MONTH)
    assert item(items, None, "metric alert rules").monthly == D("0.20")


def test_demo_total_is_the_sum_of_the_hand_worked_lines(config: Deployment, prices: PriceTable) -> None:
    # system 3 x 89.79 = 269.37; Spot 17.96 + 35.92 + 35.92 = 89.80; LB 3 x 18.25 = 54.75;
    # IPs 5 x 3.65 = 18.25; DNS 0.50; Key Vault 0.03; Log Analytics 186.48; Blob 0.25; snapshots 0.30;
    # Cluster Mesh internal LBs 3 x 18.25 = 54.75 (phase 3) = 674.48; min: Spot 3 x 17.96 = 53.88 and LA (6 nodes: 1.5 x 30.41667 - 5 = 40.625 x 3.34 = 135.69)
    report = estimate(config, prices)
    assert report.demo.monthly_total == D("674.48")
    assert report.demo.monthly_min == D("674.48") - D("89.80") + D("53.88") - D("186.48") + D("135.69")
    assert report.demo.monthly_total == sum(i.monthly for i in report.demo.items)


def test_stopped_month_keeps_only_what_bills_while_stopped(config: Deployment, prices: PriceTable) -> None:
    # DNS 0.50 + 3 LB x 18.25 + 5 IPs x 3.65 + Blob 0.25 + snapshots 0.30 = 74.05,
    # + 3 internal LBs of the mesh x 18.25 = 128.80 (they stay while the clusters are stopped)
    assert monthly_total(config, prices, D(0)) == D("128.80")
    assert estimate(config, prices).demo.stopped_monthly == D("128.80")


def test_per_cluster_and_per_phase_totals_add_up(config: Deployment, prices: PriceTable) -> None:
    demo = estimate(config, prices).demo
    # aks-mgmt: 89.79 system + 17.96 Spot + 18.25 LB + 3.65 IP + 18.25 mesh internal LB = 147.90
    assert demo.by_cluster()["aks-mgmt"] == D("147.90")
    # phase 3: two Gateway IPs, 2 x 3.65 = 7.30, and three mesh internal LBs, 3 x 18.25 = 54.75 -> 62.05
    assert demo.by_phase()["3-cni-mesh-ingress"] == D("62.05")
    assert sum(demo.by_phase().values()) == demo.monthly_total


def test_production_deltas(config: Deployment, prices: PriceTable) -> None:
    rows = {row.change: row.monthly for row in estimate(config, prices).production_deltas}
    # Tier 1 (aks-mgmt) Spot node on-demand: 89.79 - 17.96 = 71.83
    assert rows["Tier 1 on On-Demand (aks-mgmt)"] == D("71.83")
    # Uptime SLA per cluster: 730 x 0.10 = 73.00
    assert rows["Standard tier / Uptime SLA (aks-app2)"] == D("73.00")
    # multi-AZ: 2 more system nodes per cluster = 6 x 89.79 = 538.74, and 14 nodes of logs:
    # 3.5 x 30.41667 = 106.4583 - 5 = 101.4583 x 3.34 = 338.87 (was 186.48, +152.39) -> 691.13
    assert rows["multi-AZ (zone-redundant system pools)"] == D("691.13")


def test_delta_from_nothing_is_the_whole_bill(config: Deployment, prices: PriceTable) -> None:
    delta = estimate_delta(None, config, prices)
    assert delta.before_total == 0 and delta.after_total == delta.delta == D("674.48")


def test_delta_of_one_more_spot_node(config: Deployment, prices: PriceTable) -> None:
    # app1 Spot count 2 -> 3: 53.87 - 35.92 = +17.95; logs 9 nodes: 2.25 x 30.41667 = 68.4375 - 5
    # = 63.4375 x 3.34 = 211.88 (+25.40); total +43.35
    after = tf.map_clusters(config, lambda c: tf.with_spot_pool(c, count=3), only="aks-app1")
    delta = estimate_delta(config, after, prices)
    assert delta.delta == D("43.35")
    assert {(r.cluster, r.resource): r.delta for r in delta.items} == {
        ("aks-app1", "spot pool nodes"): D("17.95"),
        ("shared", "Log Analytics ingestion"): D("25.40"),
    }


def test_os_disk_rule_and_tiers(prices: PriceTable) -> None:
    # D2s_v3 cache 50 GiB: 50 fits, 51 does not; D2s_v5 has no cache
    assert os_disk_is_ephemeral(prices, "Standard_D2s_v3", 50)
    assert not os_disk_is_ephemeral(prices, "Standard_D2s_v3", 51)
    assert not os_disk_is_ephemeral(prices, "Standard_D2s_v5", 30)
    assert [premium_tier(gb) for gb in (30, 33, 128, 129)] == ["P4", "P6", "P10", "P15"]


def test_refresh_interval_parsing() -> None:
    assert refresh_hours("1h") == 1 and refresh_hours("30m") == D("0.5")
    with pytest.raises(ValueError, match="refresh interval"):
        refresh_hours("0h")


def test_cluster_mesh_adds_an_internal_load_balancer_per_cluster(
    config: Deployment, seed_without_mesh: Deployment, prices: PriceTable
) -> None:
    # AKS serves internal LoadBalancer Services from a second Standard LB (kubernetes-internal):
    # $0.025 x 730 h = 18.25 per cluster, phase 3, billed while stopped
    mesh = [
        i for i in price_items(config, prices, MONTH) if i.resource == "internal load balancer (Cluster Mesh)"
    ]
    assert [(i.cluster, i.phase, i.monthly, i.while_stopped) for i in mesh] == [
        (c, 3, D("18.25"), True) for c in ("aks-mgmt", "aks-app1", "aks-app2")
    ]
    assert estimate(config, prices).demo.monthly_total - estimate(
        seed_without_mesh, prices
    ).demo.monthly_total == D("54.75")
    single = config.model_copy(update={"clusters": config.clusters[:1]})
    assert not [i for i in price_items(single, prices, MONTH) if "Cluster Mesh" in i.resource]
