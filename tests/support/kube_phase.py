"""The product's phases 1-2 plus a test phase 3 made of the Kubernetes step kinds, run as a CLI.

Phase 3 here stands in for what the real later phases do: server-side applied objects (a namespace,
a ConfigMap, a DaemonSet labelled as Cilium so the BYO-CNI nodes turn Ready), a wait for Ready nodes,
and a drill that evicts a Spot VM and measures how long its pods take to run again elsewhere.
`python -m tests.support.kube_phase --cloud local run --phase 3 --yes`
"""

from __future__ import annotations

import time
from typing import Any

from orchestrator.config.model import Deployment
from orchestrator.engine.context import StepContext
from orchestrator.engine.phases import Phase, PhaseRegistry
from orchestrator.engine.step import Outputs, Step
from steps.kube import ActionStep, KubeObjectStep, WaitStep
from steps.registry import default_registry

NAMESPACE = "platform-demo"
SPOT_TOLERATION = {
    "key": "kubernetes.azure.com/scalesetpriority",
    "operator": "Equal",
    "value": "spot",
    "effect": "NoSchedule",
}


def _cni(cluster: str) -> dict[str, Any]:
    labels = {"k8s-app": "cilium"}
    container = {"name": "cilium-agent", "image": "quay.io/cilium/cilium:v1.20.1"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "cilium", "namespace": "kube-system", "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "hostNetwork": True,
                    "tolerations": [{"operator": "Exists"}],
                    "containers": [container],
                },
            },
        },
    }


def _workload() -> dict[str, Any]:
    labels = {"app": "echo"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "echo", "namespace": NAMESPACE},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "tolerations": [SPOT_TOLERATION],
                    "nodeSelector": {"kubernetes.azure.com/scalesetpriority": "spot"},
                    "containers": [{"name": "echo", "image": "mcr.microsoft.com/azurelinux/busybox:1.36"}],
                },
            },
        },
    }


def _nodes_ready(cluster: str) -> Any:
    def check(ctx: StepContext) -> tuple[bool, str]:
        from kubernetes import client

        nodes = client.CoreV1Api(ctx.services.kube.api(cluster)).list_node().items
        ready = [
            n for n in nodes if any(c.type == "Ready" and c.status == "True" for c in n.status.conditions)
        ]
        return bool(nodes) and len(ready) == len(nodes), f"{len(ready)}/{len(nodes)} nodes Ready"

    return check


class SpotEvictionDrill(ActionStep):
    def __init__(self, config: Deployment, cluster: str, depends_on: tuple[str, ...]) -> None:
        super().__init__(
            f"p3/drill/{cluster}", phase=3, title=f"Spot eviction drill on {cluster}", depends_on=depends_on
        )
        self.config, self.cluster = config, cluster

    def act(self, ctx: StepContext) -> Outputs:
        from kubernetes import client

        compute = ctx.services.azure.compute()
        node_rg = ctx.outputs_of(f"p2/cluster/{self.cluster}")["nodeResourceGroup"]
        vmss = next(
            s
            for s in compute.virtual_machine_scale_sets.list(node_rg)
            if s.virtual_machine_profile.priority == "Spot"
        )
        vm = next(iter(compute.virtual_machine_scale_set_vms.list(node_rg, vmss.name)))
        core = client.CoreV1Api(ctx.services.kube.api(self.cluster))
        started = time.monotonic()
        ctx.mutate(
            f"simulate eviction of {vmss.name}/{vm.instance_id}",
            lambda: compute.virtual_machine_scale_set_vms.simulate_eviction(
                node_rg, vmss.name, vm.instance_id
            ),
        )

        def recovered() -> bool:
            pods = core.list_namespaced_pod(NAMESPACE, label_selector="app=echo").items
            return len(pods) == 2 and all(p.status.phase == "Running" for p in pods)

        ctx.wait_until("echo pods running again", recovered, interval=0.2)
        return {
            "evicted": f"{vmss.name}/{vm.instance_id}",
            "recovery_s": round(time.monotonic() - started, 3),
        }


def _phase3(config: Deployment) -> list[Step]:
    steps: list[Step] = []
    for cluster in (c.name for c in config.clusters):
        ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
        cm = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "mesh", "namespace": NAMESPACE},
            "data": {"cluster": cluster},
        }
        steps += [
            KubeObjectStep(f"p3/cni/{cluster}", phase=3, cluster=cluster, manifest=_cni(cluster)),
            WaitStep(
                f"p3/nodes-ready/{cluster}",
                phase=3,
                title=f"nodes Ready on {cluster}",
                check=_nodes_ready(cluster),
                depends_on=(f"p3/cni/{cluster}",),
                timeout_s=60,
            ),
            KubeObjectStep(f"p3/namespace/{cluster}", phase=3, cluster=cluster, manifest=ns),
            KubeObjectStep(
                f"p3/configmap/{cluster}",
                phase=3,
                cluster=cluster,
                manifest=cm,
                depends_on=(f"p3/namespace/{cluster}",),
            ),
        ]
    app1 = config.clusters[1].name
    steps.append(
        KubeObjectStep(
            f"p3/echo/{app1}",
            phase=3,
            cluster=app1,
            manifest=_workload(),
            depends_on=(f"p3/namespace/{app1}", f"p3/nodes-ready/{app1}"),
        )
    )
    steps.append(SpotEvictionDrill(config, app1, depends_on=(f"p3/echo/{app1}",)))
    return steps


def registry() -> PhaseRegistry:
    phases = list(default_registry())
    phases[2] = Phase(3, phases[2].name, _phase3)
    return PhaseRegistry(phases)


if __name__ == "__main__":
    from orchestrator.cli import _default_services, build_cli, main

    main(cli=build_cli(registry, _default_services))
