"""Cilium's Helm values for one cluster: the shared file, the cluster's overlay, then what the product
computes (cluster identity, pod CIDR, API server FQDN, mesh peers and addresses), which always wins.

An overlay that sets a computed key is refused with the key's path: the value would be silently
replaced, and a wrong cluster ID or pod CIDR breaks the mesh in ways that are hard to see.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from orchestrator.config.model import Cluster, Deployment
from orchestrator.errors import OrchestrateError
from steps.phase3 import mesh, paths

# Dotted paths of the values the product computes; neither values.yaml nor an overlay may set them.
COMPUTED = (
    "cluster.name",
    "cluster.id",
    "ipam.operator.clusterPoolIPv4PodCIDRList",
    "k8sServiceHost",
    "operator.replicas",
    "clustermesh.useAPIServer",
    "clustermesh.config.enabled",
    "clustermesh.config.clusters",
    "clustermesh.apiserver.service.annotations",
    "clustermesh.apiserver.tls.auto.server",
    "gatewayAPI.enabled",
    "hubble.enabled",
    "hubble.relay.enabled",
)


class ValuesError(OrchestrateError):
    exit_code = 2


def load_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValuesError(f"{path}: Helm values must be a mapping, not {type(loaded).__name__}")
    return loaded


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's rule: maps merge key by key, anything else (lists included) replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        old = out.get(key)
        out[key] = (
            deep_merge(old, value)
            if isinstance(old, Mapping) and isinstance(value, Mapping)
            else copy.deepcopy(value)
        )
    return out


def leaf_paths(doc: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Every dotted path to a non-mapping value (an empty mapping counts as a value)."""
    for key, value in doc.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from leaf_paths(value, f"{path}.")
        else:
            yield path


def operator_replicas(cluster: Cluster) -> int:
    """Two operators need two nodes (they repel each other); Spot nodes may all be evicted at once, so
    only the Regular system pool counts: 1 for the seed's one-node system pools."""
    return max(1, min(2, cluster.system_pool.count))


def computed(config: Deployment, cluster: Cluster, api_fqdn: object) -> dict[str, Any]:
    cilium = config.cilium
    values: dict[str, Any] = {
        "cluster": {"name": cluster.name, "id": cluster.cilium_cluster_id},
        "ipam": {"operator": {"clusterPoolIPv4PodCIDRList": [cluster.pod_cidr]}},
        "k8sServiceHost": str(api_fqdn),
        "operator": {"replicas": operator_replicas(cluster)},
        "gatewayAPI": {"enabled": cilium.gateway_api},
        "hubble": {"enabled": cilium.hubble, "relay": {"enabled": cilium.hubble}},
        "clustermesh": {"useAPIServer": cilium.cluster_mesh, "config": {"enabled": cilium.cluster_mesh}},
    }
    if cilium.cluster_mesh:
        values["clustermesh"]["config"]["clusters"] = mesh.peers(config, cluster)
        values["clustermesh"]["apiserver"] = {
            "service": {"annotations": mesh.service_annotations(config, cluster)},
            "tls": {
                "auto": {
                    "server": {
                        "extraDnsNames": [mesh.record_fqdn(config, cluster)],
                        "extraIpAddresses": [mesh.mesh_ip(config, cluster)],
                    }
                }
            },
        }
    return values


def _refuse_computed(source: Path, doc: Mapping[str, Any]) -> None:
    problems = []
    for path in leaf_paths(doc):
        owner = next((c for c in COMPUTED if path == c or path.startswith(c + ".")), None)
        if owner is None:
            continue
        problems.append(
            f"{source}: {path}: orchestrate computes {owner}; remove it (see the header of values.yaml)"
        )
    if problems:
        raise ValuesError("; ".join(problems))


def cilium_values(config: Deployment, cluster: Cluster, api_fqdn: object) -> dict[str, Any]:
    """The values for `helm template` of Cilium on `cluster`."""
    product = computed(config, cluster, api_fqdn)
    merged: dict[str, Any] = {}
    for source in (paths.cilium_values_file(), paths.cilium_overlay_file(cluster.name)):
        doc = load_yaml(source)
        _refuse_computed(source, doc)
        merged = deep_merge(merged, doc)
    return deep_merge(merged, product)
