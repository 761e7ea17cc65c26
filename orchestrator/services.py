"""The clients a step may use, bundled so the engine can pass them around as one object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orchestrator.azure.clients import AzureClients
from orchestrator.clouds import open_cloud
from orchestrator.egress import EgressIp, from_echo_service, loopback
from orchestrator.kube.clients import KubeClients
from orchestrator.telemetry import RequestCounts

if TYPE_CHECKING:
    from orchestrator.app import App


@dataclass
class Services:
    azure: AzureClients
    counts: RequestCounts
    cloud: str
    egress: EgressIp = field(default_factory=lambda: EgressIp(loopback))
    kube: KubeClients | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        if self.kube is not None:
            self.kube.close()
        self.azure.close()
        for closer in reversed(self.closers):
            closer()


def product_services(app: App) -> Services:
    """The services of a real run: Azure (or the local cloud) clients that count their requests."""
    handle = open_cloud(
        app.options.cloud, subscription_id=app.config.subscription_id, state_path=app.state_path
    )
    azure = AzureClients(handle.target, app.counts)
    egress = EgressIp(loopback if app.options.cloud == "local" else from_echo_service)
    return Services(
        azure=azure,
        counts=app.counts,
        cloud=app.options.cloud,
        egress=egress,
        kube=KubeClients(azure, app.counts, f"rg-{app.config.name}-aks"),
        closers=[lambda: handle.__exit__(None, None, None)],
    )
