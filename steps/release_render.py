"""The objects a phase would apply, for `orchestrate render`: a release's rendered objects in apply
order (hooks included, test hooks not) with the inventory labels, and the plain KubeObjectSteps'
manifests with the ownership labels, grouped by cluster. Nothing here calls a cluster."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from orchestrator.charts.objects import CLUSTER_SCOPED, ObjectRef
from orchestrator.charts.order import stages
from orchestrator.charts.render import Render
from steps.kube import OWNER_LABEL, KubeObjectStep
from steps.release_plan import desired_body

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext
    from steps.release import ChartRelease

Objects = list[tuple[ObjectRef, dict[str, Any]]]


def release_objects(step: ChartRelease, ctx: StepContext) -> tuple[Render, Objects]:
    render = step.render(ctx)
    st = stages(render.objects)
    ordered = (*st.crds, *st.namespaces, *st.pre_hooks, *st.main, *st.post_hooks)
    return render, [(o.ref, desired_body(o, ctx.deployment, step.release)) for o in ordered]


def plain_objects(steps: Sequence[KubeObjectStep], deployment: str) -> dict[str, Objects]:
    by_cluster: dict[str, Objects] = {}
    for step in steps:
        manifest = dict(step.manifest)
        meta = dict(manifest["metadata"])
        meta["labels"] = {
            **(meta.get("labels") or {}),
            OWNER_LABEL: deployment,
            "app.kubernetes.io/managed-by": "orchestrate",
        }
        manifest["metadata"] = meta
        namespace = "" if manifest["kind"] in CLUSTER_SCOPED else str(meta.get("namespace") or "default")
        ref = ObjectRef(manifest["apiVersion"], manifest["kind"], namespace, meta["name"])
        by_cluster.setdefault(step.cluster, []).append((ref, manifest))
    return by_cluster
