"""What the modelled in-cluster software sees outside its own cluster: ARM state and peer clusters.

Read without locks, so a controller running under its cluster's lock never waits for another one (no
lock-order deadlock with ARM requests or a peer's control loop): the ARM state file is replaced
atomically on every save, and a peer cluster's SQLite file is read through its own read-only
connection (its last committed state). A controller kind that needs it gets ``stateDir`` and
``clusterId`` in its config (``aks_kube`` enables such kinds with them).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Obj = dict[str, Any]
ARM_STATE = "arm-state.json"
KUBE_EXTRAS = "aks_kube"
CLUSTER_TYPE = "microsoft.containerservice/managedclusters"
SUBNET_TYPE = "microsoft.network/virtualnetworks/subnets"


@dataclass(frozen=True)
class PeerObjects:
    """The committed objects of one cluster, by storage key (``services``, ``secrets``, ...)."""

    cluster_id: str
    objects: dict[str, list[Obj]]

    def items(self, bucket: str) -> list[Obj]:
        return self.objects.get(bucket, [])

    def get(self, bucket: str, namespace: str, name: str) -> Obj | None:
        for obj in self.items(bucket):
            meta = obj["metadata"]
            if meta.get("namespace", "") == namespace and meta["name"] == name:
                return obj
        return None


class CloudView:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self._arm = _read_json(state_dir / ARM_STATE)

    # -- ARM ------------------------------------------------------------------------------------
    def resource(self, resource_id: str) -> Obj | None:
        entry = (self._arm.get("resources") or {}).get(resource_id.lower())
        return entry.get("body") if isinstance(entry, dict) else None

    def of_type(self, type_name: str) -> list[Obj]:
        return [
            r["body"]
            for r in (self._arm.get("resources") or {}).values()
            if isinstance(r, dict) and str(r.get("type", "")).lower() == type_name
        ]

    def cluster_subnet(self, cluster_id: str) -> str | None:
        """The subnet ID of the cluster's node pools (its System pool's first), where its nodes are."""
        prefix = f"{cluster_id.lower()}/agentpools/"
        pools = [
            entry.get("body") or {}
            for key, entry in sorted((self._arm.get("resources") or {}).items())
            if key.startswith(prefix) and isinstance(entry, dict)
        ]
        inline = (self.resource(cluster_id) or {}).get("properties", {}).get("agentPoolProfiles") or []
        candidates = [p.get("properties") or {} for p in pools] + list(inline)
        candidates.sort(key=lambda p: str(p.get("mode", "")).lower() != "system")
        return next((str(p["vnetSubnetID"]) for p in candidates if p.get("vnetSubnetID")), None)

    def subnet(self, subnet_id: str) -> Obj | None:
        return self.resource(subnet_id)

    def nsg(self, nsg_id: str) -> Obj | None:
        """The NSG with its rules: inline ones and the child ``securityRules`` resources."""
        body = self.resource(nsg_id)
        if body is None:
            return None
        prefix = f"{nsg_id.lower()}/securityrules/"
        children = [
            entry.get("body") or {}
            for key, entry in (self._arm.get("resources") or {}).items()
            if key.startswith(prefix) and isinstance(entry, dict)
        ]
        props = dict(body.get("properties") or {})
        names = {r.get("name") for r in children}
        inline = [r for r in props.get("securityRules") or [] if r.get("name") not in names]
        props["securityRules"] = [*inline, *children]
        return {**body, "properties": props}

    # -- peer clusters --------------------------------------------------------------------------
    def clusters(self) -> dict[str, str]:
        """kube key -> ARM cluster id, for every cluster that has a Kubernetes API."""
        section = (self._arm.get("extras") or {}).get(KUBE_EXTRAS) or {}
        return {key: str(entry.get("clusterId", "")) for key, entry in section.items()}

    def peer(self, key: str, buckets: Iterable[str]) -> PeerObjects | None:
        path = self.state_dir / "k8s" / f"{key}.sqlite"
        if not path.exists():
            return None
        wanted = list(buckets)
        found: dict[str, list[Obj]] = {b: [] for b in wanted}
        marks = ",".join("?" for _ in wanted)
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
            rows = db.execute(f"SELECT bucket, body FROM objects WHERE bucket IN ({marks})", wanted)
            for bucket, body in rows:
                found[str(bucket)].append(json.loads(body))
        return PeerObjects(self.clusters().get(key, ""), found)


def _read_json(path: Path) -> Obj:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def view_of(config: Obj) -> CloudView | None:
    """The view for a controller kind's config, or None when it runs outside an ARM-backed cloud."""
    state_dir = config.get("stateDir")
    return CloudView(Path(str(state_dir))) if state_dir else None
