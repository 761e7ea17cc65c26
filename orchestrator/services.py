"""The clients a step may use, bundled so the engine can pass them around as one object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.azure.clients import AzureClients
from orchestrator.azure.limiter import RequestLimiter
from orchestrator.clouds import open_cloud
from orchestrator.egress import EgressIp, from_echo_service, loopback
from orchestrator.engine.secrets import SecretBroker
from orchestrator.kube.clients import KubeClients
from orchestrator.telemetry import RequestCounts

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.azure.clients import CloudTarget
    from orchestrator.charts.services import ChartServices


@dataclass
class Services:
    azure: AzureClients
    counts: RequestCounts
    cloud: str
    egress: EgressIp = field(default_factory=lambda: EgressIp(loopback))
    kube: KubeClients | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    secrets: SecretBroker = field(default_factory=SecretBroker)  # this command's secrets, in memory only
    charts: ChartServices | None = None  # lock file, chart source and helm, for release steps

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
    azure = AzureClients(handle.target, app.counts, RequestLimiter(app.config.arm_limits.buckets()))
    egress = EgressIp(loopback if app.options.cloud == "local" else from_echo_service)
    return Services(
        azure=azure,
        counts=app.counts,
        cloud=app.options.cloud,
        egress=egress,
        kube=KubeClients(
            azure, app.counts, f"rg-{app.config.name}-aks", app.state_path.parent / "cache" / "discovery"
        ),
        closers=[lambda: handle.__exit__(None, None, None)],
        charts=chart_services(handle.target, app.state_path),
    )


def chart_services(target: CloudTarget, state_path: Path) -> ChartServices | None:
    """Upstream repositories on Azure; on the local cloud, its own chart repository (same CA as ARM)."""
    from orchestrator.charts.services import mirror_charts, upstream_charts

    if target.name != "local":
        return upstream_charts(state_path)
    if target.chart_repository is None:
        return None
    ca = target.connection_verify if isinstance(target.connection_verify, str) else None
    return mirror_charts(target.chart_repository, ca, state_path)
