"""A deployment.yaml with N clusters: the seed's three, then `aks-app3`... each with its own subnet
(10.5.0.0/20 onwards), pod CIDR (100.64.0.0/20 onwards) and Cluster Mesh ID. Used by the benches and
the scale tests; the local cloud needs its vCPU quotas raised to match (`scale_quotas`).
"""

from __future__ import annotations

import ipaddress
from typing import Any

import yaml

from orchestrator.config.template import render_default_config

SEED_CLUSTERS = 3
_FIRST_SUBNET = ipaddress.IPv4Network("10.5.0.0/20")
_FIRST_POD = ipaddress.IPv4Network("100.64.0.0/20")


def _nth(first: ipaddress.IPv4Network, n: int) -> str:
    return str(ipaddress.IPv4Network((int(first.network_address) + n * first.num_addresses, first.prefixlen)))


def scaled_document(clusters: int) -> dict[str, Any]:
    if not SEED_CLUSTERS <= clusters <= 255:
        raise ValueError(
            "3 (the seed's, which the rest of the config names) to 255 clusters (Cluster Mesh IDs)"
        )
    doc: dict[str, Any] = yaml.safe_load(render_default_config())
    if clusters > 250:  # one clustermesh-apiserver address per cluster ID in the seed's /24 services subnet
        services = next(s for s in doc["network"]["subnets"] if s["name"] == "services")
        services["cidr"] = "10.4.0.0/23"
    for k in range(SEED_CLUSTERS, clusters):
        name = f"app{k}"
        doc["network"]["subnets"].append(
            {"name": name, "cidr": _nth(_FIRST_SUBNET, k - SEED_CLUSTERS), "ingress": True}
        )
        cluster = dict(doc["clusters"][-1])
        cluster.update(
            name=f"aks-{name}",
            subnet=name,
            pod_cidr=_nth(_FIRST_POD, k - SEED_CLUSTERS),
            cilium_cluster_id=k + 1,
        )
        doc["clusters"].append(cluster)
    return doc


def scaled_config(clusters: int) -> str:
    return yaml.safe_dump(scaled_document(clusters), sort_keys=False)


def scale_quotas(clusters: int) -> dict[str, int]:
    """Regional vCPU quotas for N clusters of the seed's sizes (2 vCPU nodes), with room to spare."""
    vcpus = 2 * 8 * clusters
    return {"cores": vcpus, "standardDSv3Family": vcpus, "lowPriorityCores": vcpus}
