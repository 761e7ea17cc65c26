"""Kubernetes versions offered in the region and a cluster's upgrade profile.

- `GET /subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{loc}/kubernetesVersions`
  (SDK `managed_clusters.list_kubernetes_versions`): minors 1.31-1.34 with their patches; upgrades go to
  later patches of the same minor and to the next minor.
- `GET {clusterId}/upgradeProfiles/default` (SDK `managed_clusters.get_upgrade_profile`).
"""

from __future__ import annotations

import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response
from emulator.arm.providers import aks_common as c
from emulator.arm.registry import Registry

_VERSIONS_PATH = (
    r"/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.ContainerService/locations/(?P<loc>[^/]+)"
    r"/kubernetesVersions"
)
_PROFILE_PATH = (
    r"(?P<cluster>/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.ContainerService/"
    r"managedClusters/[^/]+)/upgradeProfiles/default"
)


def upgrades(version: str) -> list[str]:
    """Versions a cluster running `version` may move to (later patch, or the next minor)."""
    minors = list(c.VERSIONS)
    minor = ".".join(version.split(".")[:2])
    if minor not in c.VERSIONS:
        return []
    nxt = minors[minors.index(minor) + 1 : minors.index(minor) + 2]
    later = [v for v in c.VERSIONS[minor] if c.version_tuple(v) > c.version_tuple(version)]
    return [*later, *(v for m in nxt for v in c.VERSIONS[m])]


def _kubernetes_versions(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    values = [
        {
            "version": minor,
            "isDefault": minor == c.DEFAULT_MINOR,
            "isPreview": False,
            "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]},
            "patchVersions": {v: {"upgrades": upgrades(v)} for v in patches},
        }
        for minor, patches in c.VERSIONS.items()
    ]
    return Response(200, {"values": values})


def _profile_entry(version: str) -> dict[str, Any]:
    return {
        "kubernetesVersion": version,
        "osType": "Linux",
        "upgrades": [{"kubernetesVersion": v, "isPreview": False} for v in upgrades(version)],
    }


def _upgrade_profile(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    cluster = backend.get(m["cluster"])
    if cluster is None:
        raise e.not_found(c.CLUSTER, m["cluster"].rsplit("/", 1)[1], m["cluster"].split("/")[4])
    version = str(cluster.body["properties"]["currentKubernetesVersion"])
    pools = [
        {"name": p.body["name"], **_profile_entry(str(p.body["properties"]["currentOrchestratorVersion"]))}
        for p in backend.children(cluster.id, c.POOL)
    ]
    body = {
        "id": f"{cluster.id}/upgradeprofiles/default",
        "name": "default",
        "type": f"{c.CLUSTER}/upgradeprofiles",
        "properties": {
            "controlPlaneProfile": {"name": cluster.body["name"], **_profile_entry(version)},
            "agentPoolProfiles": pools,
        },
    }
    return Response(200, body)


def register(reg: Registry) -> None:
    reg.route("GET", _VERSIONS_PATH, _kubernetes_versions, "Microsoft.ContainerService/kubernetesVersions")
    reg.route("GET", _PROFILE_PATH, _upgrade_profile, f"{c.CLUSTER}/upgradeProfiles")
