"""Runtime settings of the local cloud: time scale, seed, faults, quotas. JSON shape in `Settings.to_json`."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

SETTINGS_FILE = "settings.json"


class FaultKind(StrEnum):
    THROTTLE = "throttle"  # 429 + Retry-After + x-ms-ratelimit-remaining-* headers
    INTERNAL = "internal"  # 500
    UNAVAILABLE = "unavailable"  # 503
    RESET = "reset"  # close the socket without an answer
    LRO_FAILURE = "lro_failure"  # the LRO ends Failed with error_code
    SLOW = "slow"  # the LRO lasts `multiplier` times longer


@dataclass(frozen=True)
class FaultRule:
    """One fault: which requests it hits (type glob, HTTP method, rate) and how often (count)."""

    kind: FaultKind
    resource_type: str = "*"  # fnmatch glob, case-insensitive, e.g. "Microsoft.Network/*"
    method: str = "*"  # HTTP verb or "*"
    rate: float = 1.0  # 0..1, drawn from a seeded RNG
    count: int | None = None  # stop after this many hits (counted across every process of the cloud)
    error_code: str | None = None  # for LRO_FAILURE (QuotaExceeded, SkuNotAvailable, ...)
    retry_after: int = 1  # seconds, THROTTLE only
    multiplier: float = 10.0  # SLOW only
    # Which resource: a glob over the resource ID (case-insensitive), or over its name when it has no "/"
    # (e.g. "*/managedClusters/aks-app1/agentPools/spot", or "spot").
    resource: str = "*"
    message: str | None = None  # LRO_FAILURE: the error message (default: the service's usual wording)

    @classmethod
    def failed_operation(
        cls,
        error_code: str,
        resource_type: str = "*",
        *,
        resource: str = "*",
        count: int | None = 1,
        method: str = "*",
        message: str | None = None,
    ) -> FaultRule:
        """The long-running operation on a matching resource ends `Failed` with this code (`count` times)."""
        return cls(
            FaultKind.LRO_FAILURE,
            resource_type,
            method,
            count=count,
            error_code=error_code,
            resource=resource,
            message=message,
        )

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FaultRule:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        values["kind"] = FaultKind(values["kind"])
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"] = str(self.kind)
        return out


@dataclass(frozen=True)
class KubeFaultRule:
    """A fault of the clusters' Kubernetes API: requests that match (method, API path glob, cluster name
    glob) are answered with ``status`` instead, at ``rate`` (seeded RNG), at most ``count`` times per
    process of the local cloud. Nothing is applied: the request never reaches the cluster."""

    status: int = 503  # 429 (with Retry-After), 500, 502, 503 or 504
    rate: float = 1.0
    method: str = "*"
    path: str = "*"  # fnmatch glob over the API path, e.g. "/apis/apps/v1/*"
    cluster: str = "*"  # fnmatch glob over the cluster's name
    count: int | None = None
    retry_after: int = 1  # seconds, 429 only

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> KubeFaultRule:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})


# Default regional vCPU quotas (names as Microsoft.Compute usages report them).
DEFAULT_QUOTAS: dict[str, int] = {
    "cores": 20,
    "lowPriorityCores": 3,
    "standardDSv3Family": 10,
    "standardDASv5Family": 10,
    "standardDSv5Family": 10,
    "standardBSFamily": 10,
    "virtualMachines": 25000,
    "virtualMachineScaleSets": 2500,
}


# ARM's documented token buckets: kind -> [capacity, refill per second].
DEFAULT_RATE_LIMITS: dict[str, list[float]] = {"reads": [250, 25], "writes": [200, 10], "deletes": [200, 10]}


@dataclass(frozen=True)
class Settings:
    time_scale: float = 0.0  # 1.0 = real durations; 0 = LROs finish on the first poll
    seed: int = 0
    faults: tuple[FaultRule, ...] = ()
    kube_faults: tuple[KubeFaultRule, ...] = ()  # faults of every cluster's Kubernetes API
    retry_after_s: int | None = None  # Retry-After on LRO responses (None = not sent)
    page_size: int = 50
    quotas: dict[str, int] = field(default_factory=dict)  # overrides of DEFAULT_QUOTAS
    sku_restrictions: dict[str, list[str]] = field(default_factory=dict)  # sku -> restricted locations
    location: str = "koreacentral"
    fic_write_latency_s: float = 0.2  # a federated credential write is "in flight" this long
    rate_limits: dict[str, list[float]] = field(default_factory=dict)  # {} = no throttling
    # What the caller may do (Microsoft.Authorization/permissions); an Owner by default.
    caller_actions: list[str] = field(default_factory=lambda: ["*"])
    caller_not_actions: list[str] = field(default_factory=list)
    # Append every ARM request to <state_dir>/requests.jsonl, shared by every process serving this cloud
    # (the in-memory counters are per process); for tests that span a crash and a resume.
    request_log: bool = False
    # Entra ID and RBAC propagation, in wall-clock seconds (0 = instant): a new identity's principal is
    # unknown to role assignments for `principal_propagation_s` (400 PrincipalNotFound), and a new role
    # assignment is not yet seen by AKS's subnet check for `role_propagation_s` (LinkedAuthorizationFailed).
    principal_propagation_s: float = 0.0
    role_propagation_s: float = 0.0

    def quota_limits(self) -> dict[str, int]:
        return {**DEFAULT_QUOTAS, **self.quotas}

    def with_faults(self, *rules: FaultRule) -> Settings:
        return replace(self, faults=tuple(rules))

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["faults"] = [r.to_json() for r in self.faults]
        out["kube_faults"] = [asdict(r) for r in self.kube_faults]
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        values["faults"] = tuple(FaultRule.from_json(r) for r in raw.get("faults", []))
        values["kube_faults"] = tuple(KubeFaultRule.from_json(r) for r in raw.get("kube_faults", []))
        return cls(**values)

    @classmethod
    def load(cls, state_dir: Path) -> Settings | None:
        path = state_dir / SETTINGS_FILE
        if not path.exists():
            return None
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    def save(self, state_dir: Path) -> Path:
        state_dir.mkdir(parents=True, exist_ok=True)
        path = state_dir / SETTINGS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2), encoding="utf-8")
        os.replace(tmp, path)
        return path
