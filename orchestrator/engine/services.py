"""What a step may use from `ctx.services`, as a typed protocol: the seam between steps and the
clients, with no `Any` in it. `orchestrator.services.Services` is the product's implementation;
tests pass their own bundles of the same shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from orchestrator.azure.clients import AzureClients
    from orchestrator.egress import EgressIp
    from orchestrator.kube.clients import KubeClients


class StepServices(Protocol):
    @property
    def azure(self) -> AzureClients: ...

    @property
    def kube(self) -> KubeClients | None: ...

    @property
    def egress(self) -> EgressIp: ...
