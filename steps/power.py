"""Stop and start the clusters (AKS stop/start): one step per cluster, run like any other step, so it
is concurrent, journalled, resumable and a no-op when the cluster is already in the wanted state.

While stopped, AKS keeps billing for the load balancers, public IPs and disks; `orchestrate cost`
shows that figure (reference: aks-platform-security-gitops-monitoring-backup.md section 11).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from orchestrator.config.model import Cluster, Deployment
from orchestrator.engine.change import Action, Change
from orchestrator.engine.step import Document, Outputs, Step
from orchestrator.errors import UsageError
from steps import ids, names
from steps.arm import MappedPoller, begin
from steps.clusters import ClusterStep

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

PowerState = Literal["Running", "Stopped"]


class PowerStep(Step):
    def __init__(self, config: Deployment, cluster: Cluster, target: PowerState) -> None:
        verb = "stop" if target == "Stopped" else "start"
        super().__init__(ids.power(cluster.name), phase=0, title=f"{verb} {cluster.name}")
        self.config, self.cluster, self.target, self.verb = config, cluster, target, verb
        self.cluster_step = ClusterStep(config, cluster)
        self.timeout_s = 30 * 60

    def observe(self, ctx: StepContext) -> Document | None:
        return self.cluster_step.observe(ctx)  # waits out an operation in flight

    def exclusive_keys(self) -> tuple[str, ...]:
        return self.cluster_step.exclusive_keys()

    def desired(self, ctx: StepContext) -> Document:
        return {"properties": {"powerState": {"code": self.target}}}

    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        change, observed = super().plan(ctx)
        if observed is None:
            raise UsageError(f"cluster {self.cluster.name} does not exist; run phase 2 first")
        return change, observed

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        ops = ctx.services.azure.containerservice().managed_clusters
        start = ops.begin_stop if self.verb == "stop" else ops.begin_start
        rg = names.clusters_rg(self.config)
        ctx.store.set_power(self.cluster.name, "Stopping" if self.verb == "stop" else "Starting")
        ctx.lro(
            f"{self.verb} {self.cluster.name}",
            lambda token: MappedPoller(begin(start, rg, self.cluster.name, token=token)),
        )
        ctx.store.set_power(self.cluster.name, self.target)
        return {"powerState": self.target}

    def reattach(self, ctx: StepContext, operation: str, continuation: str) -> None:
        self.apply(ctx, Change(Action.UPDATE), None)

    def outputs(self, observed: Document) -> Outputs:
        ctx_state = ((observed.get("properties") or {}).get("powerState") or {}).get("code")
        return {"powerState": ctx_state}

    def delete(self, ctx: StepContext, observed: Document) -> None:
        """Nothing to delete: power is a state of the cluster, not a resource."""

    def owned(self, ctx: StepContext, observed: Any) -> bool:
        return self.cluster_step.owned(ctx, observed)


def power_steps(config: Deployment, target: PowerState) -> list[Step]:
    return [PowerStep(config, cluster, target) for cluster in config.clusters]
