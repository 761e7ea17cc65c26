"""Shared fixtures for the cost-model tests.

`prices` is the shipped table with the prices the hand-worked examples use pinned, so refreshing
orchestrator/cost/prices.json does not silently change the arithmetic these tests check.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from orchestrator.config.model import Deployment
from orchestrator.cost.prices import PriceTable, load_prices

PINNED = {
    "vm/Standard_D2s_v3/payg": "0.123",
    "vm/Standard_D2s_v3/spot": "0.0246",
    "vm/Standard_D2s_v5/payg": "0.118",
    "vm/Standard_D2s_v5/spot": "0.0236",
    "vm/Standard_B2s/payg": "0.052",
    "aks/free": "0",
    "aks/standard": "0.10",
    "lb/standard": "0.025",
    "ip/standard_static": "0.005",
    "disk/premium/P4": "6.60",
    "disk/ephemeral": "0",
    "dns/private_zone": "0.50",
    "kv/operations": "0.03",
    "la/ingestion": "3.34",
    "la/retention": "0.15",
    "alert/metric_time_series": "0.10",
    "blob/hot_lrs": "0.024",
    "snapshot/lrs": "0.05",
}


def pin(table: PriceTable, values: dict[str, str]) -> PriceTable:
    for key, value in values.items():
        table = table.with_price(key, table.get(key).model_copy(update={"price": Decimal(value)}))
    return table


@pytest.fixture
def prices() -> PriceTable:
    return pin(load_prices(), PINNED)


@pytest.fixture
def config() -> Deployment:
    return Deployment()


@pytest.fixture
def seed_without_mesh(config: Deployment) -> Deployment:
    """The seed without Cluster Mesh (`cilium.cluster_mesh: false`): no internal load balancer per
    cluster. The budget arithmetic worked by hand in test_cost_budget.py uses it, so a stopped floor
    under $80 leaves hours to schedule; the mesh's own lines are checked in test_cost_estimator.py."""
    return config.model_copy(update={"cilium": config.cilium.model_copy(update={"cluster_mesh": False})})
