"""As many clusters as the address plan allows: up to 255 (Cluster Mesh IDs), with the pod CIDRs and
subnets checked for the nodes asked; config checks and the cost model stay fast at that size (no
cloud needed, so these are quick)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bench.topology import scaled_document
from orchestrator.config.checks import peak_nodes
from orchestrator.config.loader import validate
from orchestrator.cost.estimator import estimate
from orchestrator.errors import ConfigError


def _problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate(doc)
    return [str(p) for p in err.value.problems]


def test_255_clusters_are_accepted_and_priced() -> None:
    config = validate(scaled_document(255))
    assert len(config.clusters) == 255
    report = estimate(config)
    clusters_priced = {i.cluster for i in report.demo.items if i.cluster}
    assert len(clusters_priced) == 255


def test_a_256th_cluster_is_refused() -> None:
    doc = scaled_document(255)
    doc["clusters"].append({**doc["clusters"][-1], "name": "aks-extra", "cilium_cluster_id": 1})
    assert any(p.startswith("clusters:") for p in _problems(doc))


def test_a_pod_cidr_too_small_for_the_nodes_asked_is_refused() -> None:
    doc = scaled_document(20)
    doc["clusters"][12]["pod_cidr"] = "100.127.0.0/23"  # two /24 node blocks
    problems = _problems(doc)
    assert any(p.startswith("clusters[12].pod_cidr") and "2 node blocks" in p for p in problems), problems


def test_a_subnet_too_small_for_the_nodes_asked_is_refused() -> None:
    doc = scaled_document(20)
    doc = copy.deepcopy(doc)
    doc["network"]["subnets"][-1]["cidr"] = "10.200.0.0/29"  # 8 addresses, 3 usable on Azure
    problems = _problems(doc)
    assert any(p.startswith("clusters[19].subnet") and "3 usable" in p for p in problems), problems


def test_overlapping_pod_cidrs_among_many_clusters_name_both() -> None:
    doc = scaled_document(40)
    doc["clusters"][33]["pod_cidr"] = doc["clusters"][7]["pod_cidr"]
    problems = _problems(doc)
    assert any(p.startswith("clusters[33].pod_cidr") and "clusters[7].pod_cidr" in p for p in problems)


def test_peak_nodes_counts_pool_ceilings_and_the_system_pools_upgrade_surge() -> None:
    config = validate(scaled_document(3))
    app = config.cluster("aks-app1")  # system 1, Spot autoscaled up to 3
    assert peak_nodes(app) == (1 + 1) + 3  # Spot pools take no upgrade surge
