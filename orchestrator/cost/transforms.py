"""Copies of a Deployment with one thing changed, for levers and production deltas.

The config models are frozen pydantic models; `model_copy(update=...)` returns a changed copy without
re-running validation, which is fine here: the copies are only priced, never applied.
"""

from __future__ import annotations

from collections.abc import Callable

from orchestrator.config.model import Cluster, Deployment, SpotPool, SystemPool

ClusterFn = Callable[[Cluster], Cluster]


def map_clusters(config: Deployment, fn: ClusterFn, only: str | None = None) -> Deployment:
    clusters = [fn(c) if only in (None, c.name) else c for c in config.clusters]
    return config.model_copy(update={"clusters": clusters})


def with_system_pool(cluster: Cluster, **changes: object) -> Cluster:
    pool: SystemPool = cluster.system_pool.model_copy(update=changes)
    return cluster.model_copy(update={"system_pool": pool})


def with_spot_pool(cluster: Cluster, **changes: object) -> Cluster:
    pool: SpotPool = cluster.spot_pool.model_copy(update=changes)
    return cluster.model_copy(update={"spot_pool": pool})


def with_tier(cluster: Cluster, tier: str) -> Cluster:
    return cluster.model_copy(update={"sku_tier": tier})


def with_daily_cap(config: Deployment, cap_gb: float) -> Deployment:
    monitoring = config.monitoring.model_copy(update={"daily_cap_gb": cap_gb})
    return config.model_copy(update={"monitoring": monitoring})


def spot_at_minimum(cluster: Cluster) -> Cluster:
    pool = cluster.spot_pool
    return with_spot_pool(cluster, count=pool.min_count) if pool.autoscale else cluster


def single_cluster(config: Deployment) -> Deployment:
    """All workloads on the first cluster (namespaces instead of clusters), same Spot capacity."""
    first, pools = config.clusters[0], [c.spot_pool for c in config.clusters]
    merged = with_spot_pool(
        first,
        count=sum(p.count for p in pools),
        min_count=sum(p.min_count if p.autoscale else p.count for p in pools),
        max_count=sum(p.max_count if p.autoscale else p.count for p in pools),
    )
    return config.model_copy(update={"clusters": [merged]})
