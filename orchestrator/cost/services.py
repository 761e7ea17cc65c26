"""Platform services: Key Vault reads, Log Analytics ingestion (capped) and retention, metric alerts,
Velero backups in Blob storage, disk snapshots."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from orchestrator.cost.compute import node_band
from orchestrator.cost.lines import (
    HOURS_PER_DAY,
    PHASE_OBSERVABILITY,
    PHASE_SECURITY,
    PHASE_STORAGE,
    Ctx,
    line,
)
from orchestrator.cost.model import ZERO, Band, Item

_DURATION = re.compile(r"^(\d+)([smh])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600}


def refresh_hours(text: str) -> Decimal:
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"cannot read the refresh interval '{text}' (expected e.g. 1h, 30m)")
    return Decimal(int(match.group(1)) * _SECONDS[match.group(2)]) / Decimal(3600)


def key_vault(ctx: Ctx) -> Item:
    secrets = ctx.prices.number("key_vault_secrets_per_cluster") * len(ctx.config.clusters)
    interval = refresh_hours(ctx.config.security.external_secrets_refresh)
    operations = secrets * ctx.hours / interval
    return line(
        ctx,
        "kv/operations",
        Band.fixed(operations / Decimal(10_000)),
        resource="Key Vault operations",
        cluster=None,
        phase=PHASE_SECURITY,
        sku=f"{ctx.config.security.key_vault_sku}, {operations:.0f} reads/month",
        while_stopped=False,
        note=f"{secrets} ExternalSecrets refreshed every {ctx.config.security.external_secrets_refresh}",
    )


def ingestion_gb_per_day(ctx: Ctx, nodes: Decimal) -> Decimal:
    monitoring = ctx.config.monitoring
    if not monitoring.container_insights:
        return ZERO
    per_node = ctx.prices.number("container_insights_gb_per_node_day")
    return min(nodes * per_node, Decimal(str(monitoring.daily_cap_gb)))


def monthly_ingestion_gb(ctx: Ctx, nodes: Decimal) -> Decimal:
    return ingestion_gb_per_day(ctx, nodes) * ctx.hours / HOURS_PER_DAY


def log_analytics(ctx: Ctx) -> list[Item]:
    nodes = node_band(ctx.config)
    free = ctx.prices.number("la_free_gb_per_month")
    billable = nodes.map(lambda n: max(ZERO, monthly_ingestion_gb(ctx, n) - free))
    cap = ctx.config.monitoring.daily_cap_gb
    per_node = ctx.prices.number("container_insights_gb_per_node_day")
    items = [
        line(
            ctx,
            "la/ingestion",
            billable,
            resource="Log Analytics ingestion",
            cluster=None,
            phase=PHASE_OBSERVABILITY,
            sku=f"PerGB2018, cap {cap} GB/day",
            while_stopped=False,
            note=f"{nodes.expected} nodes x {per_node} GB/day, "
            f"capped at {cap} GB/day, minus {free} GB free a month",
        )
    ]
    extra_days = ctx.config.monitoring.retention_days - int(ctx.prices.number("la_included_retention_days"))
    if extra_days > 0:
        items.append(retention(ctx, nodes, extra_days))
    return items


def retention(ctx: Ctx, nodes: Band, extra_days: int) -> Item:
    days_per_month = ctx.month / HOURS_PER_DAY
    stored = nodes.map(lambda n: monthly_ingestion_gb(ctx, n) / days_per_month * extra_days)
    return line(
        ctx,
        "la/retention",
        stored,
        resource="Log Analytics retention",
        cluster=None,
        phase=PHASE_OBSERVABILITY,
        sku=f"{ctx.config.monitoring.retention_days} days",
        while_stopped=True,
        note=f"steady state: {extra_days} days of ingestion kept beyond the included 31",
    )


def metric_alerts(ctx: Ctx) -> Item:
    series = len(ctx.config.monitoring.alerts) * len(ctx.config.clusters)
    free = int(ctx.prices.number("metric_alert_free_time_series"))
    return line(
        ctx,
        "alert/metric_time_series",
        Band.fixed(Decimal(max(0, series - free))),
        resource="metric alert rules",
        cluster=None,
        phase=PHASE_OBSERVABILITY,
        sku=f"{series} time series ({free} free)",
        while_stopped=True,
        note="one time series per rule per cluster",
    )


def backups(ctx: Ctx) -> Item:
    velero = ctx.config.storage.velero
    kept = math.ceil(velero.ttl_hours / 24)
    per_cluster = ctx.prices.number("velero_backup_gb_per_cluster")
    stored = per_cluster * kept * len(ctx.config.clusters)
    return line(
        ctx,
        "blob/hot_lrs",
        Band.fixed(stored),
        resource="Velero backups (Blob)",
        cluster=None,
        phase=PHASE_STORAGE,
        sku="Hot LRS",
        while_stopped=True,
        note=f"{kept} daily backups kept x {per_cluster} GB x {len(ctx.config.clusters)} clusters",
    )


def snapshots(ctx: Ctx) -> Item:
    per_cluster = ctx.prices.number("pv_snapshot_gb_per_cluster")
    return line(
        ctx,
        "snapshot/lrs",
        Band.fixed(per_cluster * len(ctx.config.clusters)),
        resource="disk snapshots",
        cluster=None,
        phase=PHASE_STORAGE,
        sku="incremental LRS",
        while_stopped=True,
        note=f"{per_cluster} GB used per cluster, retained {ctx.config.storage.snapshot_retention_days} days",
    )
