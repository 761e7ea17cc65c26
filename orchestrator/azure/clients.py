"""One factory for every Azure management client, built the same way for Azure and the local cloud.

Each client gets: the request limiter shared by every client (ARM-shaped token buckets, per retry, so
a retry or a poll waits for its token too), our request-counting policy (per retry, so every request
on the wire counts), the SDK retry policy sized by `RetrySettings`, the polling interval, and for the local cloud the endpoint
and the CA bundle to trust. SDK modules are imported on first use, so `orchestrate --help` and
`status` never load them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

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

    def _get(self, key: str, build: Any) -> Any:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build(
                    self.target.credential, self.target.subscription_id, **self._common()
                )
            return self._cache[key]

    def resource(self) -> ResourceManagementClient:
        from azure.mgmt.resource.resources import ResourceManagementClient

        return self._get("resource", ResourceManagementClient)  # type: ignore[no-any-return]

    def network(self) -> NetworkManagementClient:
        from azure.mgmt.network import NetworkManagementClient

        return self._get("network", NetworkManagementClient)  # type: ignore[no-any-return]

    def containerservice(self) -> ContainerServiceClient:
        from azure.mgmt.containerservice import ContainerServiceClient

        return self._get("containerservice", ContainerServiceClient)  # type: ignore[no-any-return]

    def msi(self) -> ManagedServiceIdentityClient:
        from azure.mgmt.msi import ManagedServiceIdentityClient

        return self._get("msi", ManagedServiceIdentityClient)  # type: ignore[no-any-return]

    def authorization(self) -> AuthorizationManagementClient:
        from azure.mgmt.authorization import AuthorizationManagementClient

        return self._get("authorization", AuthorizationManagementClient)  # type: ignore[no-any-return]

    def keyvault(self) -> KeyVaultManagementClient:
        from azure.mgmt.keyvault import KeyVaultManagementClient

        return self._get("keyvault", KeyVaultManagementClient)  # type: ignore[no-any-return]

    def monitor(self) -> MonitorManagementClient:
        from azure.mgmt.monitor import MonitorManagementClient

        return self._get("monitor", MonitorManagementClient)  # type: ignore[no-any-return]

    def loganalytics(self) -> LogAnalyticsManagementClient:
        from azure.mgmt.loganalytics import LogAnalyticsManagementClient

        return self._get("loganalytics", LogAnalyticsManagementClient)  # type: ignore[no-any-return]

    def privatedns(self) -> PrivateDnsManagementClient:
        from azure.mgmt.privatedns import PrivateDnsManagementClient

        return self._get("privatedns", PrivateDnsManagementClient)  # type: ignore[no-any-return]

    def storage(self) -> StorageManagementClient:
        from azure.mgmt.storage import StorageManagementClient

        return self._get("storage", StorageManagementClient)  # type: ignore[no-any-return]

    def compute(self) -> ComputeManagementClient:
        from azure.mgmt.compute import ComputeManagementClient

        return self._get("compute", ComputeManagementClient)  # type: ignore[no-any-return]

    def policy(self) -> PolicyClient:
        from azure.mgmt.resource.policy import PolicyClient

        return self._get("policy", PolicyClient)  # type: ignore[no-any-return]

    def close(self) -> None:
        with self._lock:
            for client in self._cache.values():
                client.close()
            self._cache.clear()
