"""What the phase-2 steps share: the phase number, resource tags, and the stopped-cluster guard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.config.model import Cluster, Deployment
from orchestrator.engine.change import Change
from orchestrator.engine.step import Document
from orchestrator.errors import CloudError
from steps.network import deployment_tags

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

PHASE = 2


def refuse_if_stopped(title: str, change: Change, observed: Document | None) -> None:
    """AKS accepts only start or delete on a stopped cluster; say so instead of retrying its 409."""
    power = (((observed or {}).get("properties") or {}).get("powerState") or {}).get("code")
    if power == "Stopped" and not change.is_noop:
        fields = ", ".join(change.field_paths())
        raise CloudError(
            f"{title} is stopped, so {fields} cannot be changed now",
            code="ClusterStopped",
            fix="run `orchestrate start`, then run again",
        )


def cluster_tags(config: Deployment, ctx: StepContext, cluster: Cluster) -> dict[str, str]:
    """The deployment's tags plus the seed's Tier of this cluster."""
    return {**deployment_tags(config, ctx.deployment), "tier": str(cluster.tier)}
