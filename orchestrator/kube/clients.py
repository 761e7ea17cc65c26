"""Kubernetes clients for the AKS clusters, built from `listClusterAdminCredential` in memory.

The kubeconfig never touches the state file or the logs; the kubernetes client itself writes the CA
and client certificate to private temporary files, as it always does. Every request is counted by
the same RequestCounts as the Azure ones (`orchestrator.telemetry`), retried when the answer is
transient and the request safe to repeat, and bounded in time (`orchestrator.kube.retry`). A stopped
cluster is refused before any request (`ClusterStopped`): its API would not answer.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path
from typing import Any

from orchestrator.azure.clients import AzureClients
from orchestrator.errors import ClusterStopped, NotBuiltYet, NotFound
from orchestrator.telemetry import RequestCounts, count_kubernetes_requests


class KubeClients:
    def __init__(
        self,
        azure: AzureClients,
        counts: RequestCounts,
        resource_group: str,
        discovery_cache: Path | None = None,
    ) -> None:
        """`discovery_cache`: where each cluster's API discovery is kept between commands (as kubectl
        keeps ~/.kube/cache/discovery), one file per API server; without it, a temporary directory."""
        self._azure = azure
        self._counts = counts
        self._rg = resource_group
        self._lock = threading.Lock()
        self._api: dict[str, Any] = {}
        self._dynamic: dict[str, Any] = {}
        self._scratch = tempfile.TemporaryDirectory(prefix="orchestrate-discovery-")
        self._cache_dir = discovery_cache or Path(self._scratch.name)

    def api(self, cluster: str) -> Any:
        """A kubernetes ApiClient for the cluster (admin credentials, fetched once per command)."""
        from kubernetes import client as kube_client
        from kubernetes import config as kube_config

        from orchestrator.kube.retry import kube_retry, with_default_timeout

        with self._lock:
            if cluster not in self._api:
                configuration: Any = kube_client.Configuration()  # the package ships no type hints
                configuration.retries = kube_retry(self._azure.target.retry)  # read when the pool is made
                build: Any = kube_config.new_client_from_config_dict
                client = build(self._kubeconfig(cluster), client_configuration=configuration)
                with_default_timeout(client.rest_client)
                count_kubernetes_requests(client, self._counts)
                self._api[cluster] = client
            return self._api[cluster]

    def _kubeconfig(self, cluster: str) -> dict[str, Any]:
        from orchestrator.azure.retry import call_azure
        from orchestrator.kubeconfig import fetch

        ops = self._azure.containerservice().managed_clusters
        try:
            found = call_azure(lambda: ops.get(self._rg, cluster))
            power = found.power_state.code if found.power_state else None
            if str(getattr(power, "value", power)) == "Stopped":  # asked now: every request would hang
                raise ClusterStopped(cluster)
            return fetch(self._azure, self._rg, cluster, admin=True)
        except NotFound as exc:  # the cluster (or its resource group) is not there: not built yet
            raise NotBuiltYet(f"AKS cluster {cluster}") from exc

    def dynamic(self, cluster: str) -> Any:
        from kubernetes import dynamic

        api = self.api(cluster)
        with self._lock:
            if cluster not in self._dynamic:
                # Per API server: a cluster created again (a new server) never reads the old one's file.
                # A kind missing from the file makes the client discover again, so new CRDs are found.
                host = hashlib.sha256(str(api.configuration.host).encode()).hexdigest()[:16]
                self._cache_dir.mkdir(parents=True, exist_ok=True)
                cache = self._cache_dir / f"{cluster}-{host}.json"
                build: Any = dynamic.DynamicClient
                self._dynamic[cluster] = SerialDiscovery(build(api, cache_file=str(cache)))
            return self._dynamic[cluster]

    def close(self) -> None:
        with self._lock:
            for client in self._api.values():
                client.close()
            self._api.clear()
            self._dynamic.clear()
        self._scratch.cleanup()


class SerialDiscovery:
    """A DynamicClient whose `resources` lookups run one at a time: its lazy discovery cache is not
    thread-safe (steps of one cluster resolve kinds concurrently; a race fails with `KeyError`)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.resources = _LockedResources(client.resources, self._lock)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class _LockedResources:
    def __init__(self, resources: Any, lock: threading.Lock) -> None:
        self._resources = resources
        self._lock = lock

    def get(self, **kwargs: Any) -> Any:
        with self._lock:
            return self._resources.get(**kwargs)

    def search(self, **kwargs: Any) -> Any:
        with self._lock:
            return self._resources.search(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resources, name)
