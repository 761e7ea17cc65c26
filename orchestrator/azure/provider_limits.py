"""Limits a resource provider sets on its own, under ARM's: per subscription and per resource.

Microsoft Entra documents these for user-assigned managed identities ("Throttling limits" in
workload-identity-federation-considerations): create or update 2 requests per second per subscription
and 0.25 per resource, get 10 and 0.5, delete 2 and 0.25; above them the provider answers 429. Twenty
clusters create twenty control-plane identities at once, so without pacing the SDK's three retries
could run out and fail the step. We keep to 80% of each figure, with a bucket of one second's worth.

Not paced (yet): gets per identity (0.5/s). Phase 2 reads each identity up to three times within a
second (plan, the role step's principal, apply); pacing them would add ~5 s to every phase-2 run
until those reads are one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.azure.token_bucket import TokenBucket

SHARE = 0.8  # of each documented rate


@dataclass(frozen=True)
class ProviderLimit:
    resource_type: str  # "Microsoft.ManagedIdentity/userAssignedIdentities"
    kind: str  # reads | writes | deletes
    per_subscription: float  # documented requests per second
    per_resource: float | None  # None: not paced per resource


MSI = "Microsoft.ManagedIdentity/userAssignedIdentities"
PROVIDER_LIMITS = (
    ProviderLimit(MSI, "writes", 2.0, 0.25),
    ProviderLimit(MSI, "reads", 10.0, None),  # documented 0.5 per resource: see the module docstring
    ProviderLimit(MSI, "deletes", 2.0, 0.25),
)

_RESOURCE = re.compile(r"/subscriptions/[^/]+/resourcegroups/[^/]+/providers/([^/]+/[^/]+)/[^/]+$")


def resource_of(url: str) -> tuple[str, str] | None:
    """(resource type, resource ID), lower case, of a request for one top-level resource (not a child,
    not a list); any base URL before `/subscriptions/` is ignored."""
    path = url.split("?", 1)[0].rstrip("/").lower()
    match = _RESOURCE.search(path)
    return (match.group(1), match.group(0)) if match else None


class ProviderBuckets:
    """The buckets of `limits`, per subscription (one per rule) and per resource (made on first use)."""

    def __init__(
        self, clock: Callable[[], float], limits: tuple[ProviderLimit, ...] = PROVIDER_LIMITS
    ) -> None:
        self._clock = clock
        self._rules = {(r.resource_type.lower(), r.kind): r for r in limits}
        self._subscription = {key: _bucket(r.per_subscription, clock) for key, r in self._rules.items()}
        self._resources: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def buckets_for(self, kind: str, url: str) -> list[TokenBucket]:
        found = resource_of(url)
        if found is None:
            return []
        rtype, resource_id = found
        rule = self._rules.get((rtype, kind))
        if rule is None:
            return []
        shared = self._subscription[(rtype, kind)]
        if rule.per_resource is None:
            return [shared]
        with self._lock:
            own = self._resources.get((resource_id, kind))
            if own is None:
                own = self._resources[(resource_id, kind)] = _bucket(rule.per_resource, self._clock)
        return [shared, own]


def _bucket(documented_rate: float, clock: Callable[[], float]) -> TokenBucket:
    rate = documented_rate * SHARE
    return TokenBucket(max(1.0, float(int(rate))), rate, clock)
