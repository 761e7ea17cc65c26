"""One factory for every Azure management client, built the same way for Azure and the local cloud.

Each client gets: the request limiter shared by every client (ARM-shaped token buckets, per retry, so
a retry or a poll waits for its token too), our request-counting policy (per retry, so every request
on the wire counts), the SDK retry policy sized by `RetrySettings`, the polling interval, and for the local cloud the endpoint
and the CA bundle to trust. SDK modules are imported on first use, so `orchestrate --help` and
`status` never load them.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from orchestrator.azure.limiter import RequestLimiter, limiter_policy
from orchestrator.azure.retry import RetrySettings
from orchestrator.telemetry import RequestCounts, azure_counting_policy

if TYPE_CHECKING:
    from azure.mgmt.authorization import AuthorizationManagementClient
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.containerservice import ContainerServiceClient
    from azure.mgmt.keyvault import KeyVaultManagementClient
    from azure.mgmt.loganalytics import LogAnalyticsManagementClient
    from azure.mgmt.monitor import MonitorManagementClient
    from azure.mgmt.msi import ManagedServiceIdentityClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.privatedns import PrivateDnsManagementClient
    from azure.mgmt.resource.policy import PolicyClient
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.storage import StorageManagementClient

C = TypeVar("C")


@dataclass(frozen=True)
class CloudTarget:
    """Where and how to reach ARM. Holds a credential object, never a secret value in a field we log."""

    name: str  # "azure" or "local"
    subscription_id: str
    credential: Any = field(repr=False)
    base_url: str | None = None
    connection_verify: str | bool = True
    polling_interval: float = 30.0
    retry: RetrySettings = field(default_factory=RetrySettings)
    # base URL of the chart repository (<base>/charts/index.yaml, <base>/manifests/...); local cloud only
    chart_repository: str | None = None


class AzureClients:
    def __init__(
        self, target: CloudTarget, counts: RequestCounts, limiter: RequestLimiter | None = None
    ) -> None:
        self.target = target
        self.counts = counts
        self.limiter = limiter or RequestLimiter()
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def subscription_id(self) -> str:
        return self.target.subscription_id

    def _common(self) -> dict[str, Any]:
        t = self.target
        kwargs: dict[str, Any] = {
            "per_retry_policies": [limiter_policy(self.limiter), azure_counting_policy(self.counts)],
            "polling_interval": t.polling_interval,
            "retry_total": t.retry.sdk_total,
            "retry_backoff_factor": t.retry.sdk_backoff_factor,
            "retry_backoff_max": t.retry.sdk_backoff_max,
            "connection_verify": t.connection_verify,
        }
        if t.base_url:
            kwargs["base_url"] = t.base_url
            kwargs["credential_scopes"] = ["https://management.azure.com/.default"]
        return kwargs

    def _get(self, key: str, module: str, class_name: str) -> Any:
        """The one client of this kind, built on first use. The SDK package is imported under the lock
        too: steps ask for clients from many threads at once, and two threads importing the same
        package for the first time can deadlock in the import system (`_DeadlockError`)."""
        with self._lock:
            if key not in self._cache:
                build = getattr(importlib.import_module(module), class_name)
                self._cache[key] = build(
                    self.target.credential, self.target.subscription_id, **self._common()
                )
            return self._cache[key]

    def resource(self) -> ResourceManagementClient:
        return cast(
            "ResourceManagementClient",
            self._get("resource", "azure.mgmt.resource.resources", "ResourceManagementClient"),
        )

    def network(self) -> NetworkManagementClient:
        return cast(
            "NetworkManagementClient", self._get("network", "azure.mgmt.network", "NetworkManagementClient")
        )

    def containerservice(self) -> ContainerServiceClient:
        return cast(
            "ContainerServiceClient",
            self._get("containerservice", "azure.mgmt.containerservice", "ContainerServiceClient"),
        )

    def msi(self) -> ManagedServiceIdentityClient:
        return cast(
            "ManagedServiceIdentityClient", self._get("msi", "azure.mgmt.msi", "ManagedServiceIdentityClient")
        )

    def authorization(self) -> AuthorizationManagementClient:
        return cast(
            "AuthorizationManagementClient",
            self._get("authorization", "azure.mgmt.authorization", "AuthorizationManagementClient"),
        )

    def keyvault(self) -> KeyVaultManagementClient:
        return cast(
            "KeyVaultManagementClient",
            self._get("keyvault", "azure.mgmt.keyvault", "KeyVaultManagementClient"),
        )

    def monitor(self) -> MonitorManagementClient:
        return cast(
            "MonitorManagementClient", self._get("monitor", "azure.mgmt.monitor", "MonitorManagementClient")
        )

    def loganalytics(self) -> LogAnalyticsManagementClient:
        return cast(
            "LogAnalyticsManagementClient",
            self._get("loganalytics", "azure.mgmt.loganalytics", "LogAnalyticsManagementClient"),
        )

    def privatedns(self) -> PrivateDnsManagementClient:
        return cast(
            "PrivateDnsManagementClient",
            self._get("privatedns", "azure.mgmt.privatedns", "PrivateDnsManagementClient"),
        )

    def storage(self) -> StorageManagementClient:
        return cast(
            "StorageManagementClient", self._get("storage", "azure.mgmt.storage", "StorageManagementClient")
        )

    def compute(self) -> ComputeManagementClient:
        return cast(
            "ComputeManagementClient", self._get("compute", "azure.mgmt.compute", "ComputeManagementClient")
        )

    def policy(self) -> PolicyClient:
        return cast("PolicyClient", self._get("policy", "azure.mgmt.resource.policy", "PolicyClient"))

    def close(self) -> None:
        with self._lock:
            for client in self._cache.values():
                client.close()
            self._cache.clear()
