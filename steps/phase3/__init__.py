"""Phase 3, CNI and multi-cluster networking: Cilium (BYO CNI) on every cluster, Cluster Mesh between
them, Gateway API ingress on the application clusters, and the checks that prove it works.

Per cluster, in dependency order (the three clusters run side by side):

    Gateway API CRDs ─┐
    cilium-ca ────────┼─> Cilium release ─> nodes Ready, Cilium rolled out, clustermesh-apiserver IP
    mesh subnet role ─┘                   └> demo kustomization ─> Gateway kustomization ─> Programmed
    DNS A record clustermesh-<cluster> (fixed IP, known at plan time)

and once for the mesh: the probe Job on the platform cluster, after every cluster's demo objects
and clustermesh-apiserver. `destroy --phase 3` runs the same graph backwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.config.model import Cluster, Deployment
from orchestrator.engine.graph import KnownAfterApply, OutputRef, StepId
from orchestrator.engine.step import Step
from steps import ids
from steps.phase3 import mesh
from steps.phase3.azure import MeshDnsRecordStep, MeshSubnetRoleStep
from steps.phase3.ca import CaKeys, CaSecretStep
from steps.phase3.values import cilium_values
from steps.phase3.verify import (
    VERIFY_GRACE_S,
    VerifyStep,
    all_of,
    gateway_programmed,
    internal_ip,
    mesh_agrees,
    nodes_ready,
    rollout,
    verify,
)
from steps.release_leftovers import Leftover

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext
    from steps.release import ReleaseStep

PHASE = 3
GATEWAY_API_MANIFEST = "gateway-api-standard"  # key in manifests/charts.lock.yaml
CILIUM_NAMESPACE = "kube-system"
DEMO, GATEWAY = "demo", "gateway"


# What Cilium's own software makes at run time (no template renders it); destroy removes it too.
CILIUM_LEFTOVERS = (
    Leftover(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "the Cilium operator",
        label_selector="io.cilium.k8s.crd.schema.version",  # set on every CRD the operator registers
    ),
    Leftover(
        "v1",
        "Secret",
        "the certgen Jobs (tls.auto.method: cronJob)",
        namespace=CILIUM_NAMESPACE,
        names=(
            "clustermesh-apiserver-server-cert",
            "clustermesh-apiserver-admin-cert",
            "clustermesh-apiserver-remote-cert",
            "clustermesh-apiserver-local-cert",
            "hubble-server-certs",
            "hubble-relay-client-certs",
            "hubble-relay-server-certs",
        ),
    ),
)


def platform_cluster(config: Deployment) -> Cluster:
    """Where the shared CA is generated and the probe runs: the Tier-1 cluster, else the first."""
    return next((c for c in config.clusters if c.tier == 1), config.clusters[0])


def ingress_clusters(config: Deployment) -> list[Cluster]:
    """Clusters in a subnet open to internet ingress get a Gateway (ADR-0005)."""
    return [c for c in config.clusters if config.subnet(c.subnet).ingress]


def api_fqdn(cluster: Cluster) -> OutputRef[str]:
    return OutputRef(ids.cluster(cluster.name), "fqdn", str)


def cilium_release(config: Deployment, cluster: Cluster) -> ReleaseStep:
    from orchestrator.charts.readiness import Readiness
    from steps.release import ReleaseStep

    fqdn = api_fqdn(cluster)

    def values(ctx: StepContext) -> dict[str, object]:
        host: str | KnownAfterApply = ctx.output(fqdn)  # plan before phase 2 shows "(known after apply)"
        return cilium_values(config, cluster, host)

    deps = [ids.cluster(cluster.name), ids.gateway_api_crds(cluster.name), ids.cilium_ca(cluster.name)]
    if config.cilium.cluster_mesh:
        deps.append(ids.mesh_subnet_role(cluster.name))
    return ReleaseStep(
        ids.cilium(cluster.name),
        phase=PHASE,
        cluster=cluster.name,
        release="cilium",
        chart="cilium",
        namespace=CILIUM_NAMESPACE,
        values=values,
        depends_on=tuple(deps),
        ready=(
            Readiness.rollout("DaemonSet", CILIUM_NAMESPACE, "cilium"),
            Readiness.rollout("Deployment", CILIUM_NAMESPACE, "cilium-operator"),
        ),
        reads=(fqdn,),
        leftovers=CILIUM_LEFTOVERS,
    )


def cluster_steps(config: Deployment, cluster: Cluster, keys: CaKeys) -> list[Step]:
    from steps.release import ManifestStep

    name, first = cluster.name, keys.first
    ca_deps = (ids.cluster(name),) if name == first else (ids.cluster(name), ids.cilium_ca(first))
    installed = ids.cilium(name)
    steps: list[Step] = [
        ManifestStep(
            ids.gateway_api_crds(name),
            phase=PHASE,
            cluster=name,
            manifest=GATEWAY_API_MANIFEST,
            depends_on=(ids.cluster(name),),
        ),
        CaSecretStep(ids.cilium_ca(name), cluster=name, keys=keys, depends_on=ca_deps),
        cilium_release(config, cluster),
        verify(ids.verify("nodes-ready", name), f"nodes Ready on {name}", nodes_ready(name), (installed,)),
        verify(
            ids.verify("cilium-rollout", name),
            f"Cilium rolled out on {name}",
            all_of(
                rollout(name, "DaemonSet", CILIUM_NAMESPACE, "cilium"),
                rollout(name, "Deployment", CILIUM_NAMESPACE, "cilium-operator"),
            ),
            (installed,),
        ),
    ]
    if config.cilium.cluster_mesh:
        steps += mesh_steps(config, cluster)
    return steps


def mesh_steps(config: Deployment, cluster: Cluster) -> list[Step]:
    name = cluster.name
    subnet = config.subnet(config.cilium.mesh_subnet).cidr
    check = internal_ip(
        name, CILIUM_NAMESPACE, "clustermesh-apiserver", subnet, mesh.mesh_ip(config, cluster)
    )
    return [
        MeshSubnetRoleStep(config, cluster),
        MeshDnsRecordStep(config, cluster),
        verify(
            ids.verify("clustermesh-ip", name),
            f"clustermesh-apiserver internal IP on {name}",
            check,
            (ids.cilium(name),),
        ),
    ]


def workload_steps(config: Deployment) -> list[Step]:
    from steps.phase3.kustomize import KustomizeStep
    from steps.phase3.meshcheck import diagnose
    from steps.phase3.probe import ProbeStep

    steps: list[Step] = []
    for cluster in config.clusters:
        ready = ids.verify("nodes-ready", cluster.name)
        steps.append(
            KustomizeStep(
                ids.kustomization(cluster.name, DEMO),
                cluster=cluster.name,
                component=DEMO,
                depends_on=(ids.cilium(cluster.name), ready),
            )
        )
    for cluster in ingress_clusters(config) if config.cilium.gateway_api else []:
        name = cluster.name
        gateway = ids.kustomization(name, GATEWAY)
        deps = (ids.kustomization(name, DEMO), ids.cilium(name), ids.gateway_api_crds(name))
        steps += [
            KustomizeStep(gateway, cluster=name, component=GATEWAY, depends_on=deps),
            verify(
                ids.verify("gateway", name),
                f"Gateway Programmed on {name}",
                gateway_programmed(name, DEMO, "demo", "echo"),
                (gateway,),
            ),
        ]
    if config.cilium.cluster_mesh and len(config.clusters) > 1:
        probe_from = platform_cluster(config).name
        after: list[StepId] = []
        for cluster in config.clusters:
            after += [
                ids.kustomization(cluster.name, DEMO),
                ids.verify("clustermesh-ip", cluster.name),
                ids.verify("cilium-rollout", cluster.name),
            ]
        steps.append(
            ProbeStep(
                ids.verify("mesh-probe", probe_from),
                cluster=probe_from,
                depends_on=tuple(after),
                diagnose=lambda ctx: diagnose(ctx, config),
            )
        )
    return steps


def _import_sdks_once() -> None:
    """Import, in the thread that builds the graph, the SDK packages several phase-3 steps first use
    at the same moment from worker threads (three DNS records, three role assignments, three CA
    copies). Concurrent first imports of these packages deadlock or see a half-initialised module
    (`_DeadlockError`, `cannot import name ... partially initialized`); imported here, they are done."""
    import azure.mgmt.authorization
    import azure.mgmt.privatedns  # noqa: F401
    import cryptography.x509  # noqa: F401
    import kubernetes.client  # noqa: F401


def phase3_steps(config: Deployment) -> list[Step]:
    _import_sdks_once()
    keys = CaKeys(platform_cluster(config).name)
    steps: list[Step] = []
    for cluster in config.clusters:
        steps += cluster_steps(config, cluster, keys)
    return [*steps, *workload_steps(config)]


def phase3_verification(config: Deployment) -> list[Step]:
    """What `orchestrate verify --phase 3` runs: every check of the phase on its own (no install step
    runs), the mesh configuration checked across the clusters, and a fresh mesh probe."""
    from steps.phase3.probe import ProbeStep

    checks: list[Step] = []
    for step in phase3_steps(config):
        if isinstance(step, VerifyStep | ProbeStep):
            checks.append(step.standalone())
    if config.cilium.cluster_mesh and len(config.clusters) > 1:
        home = platform_cluster(config).name
        title = "Cluster Mesh settings agree across the clusters"
        check = mesh_agrees(config)
        checks.append(verify(ids.verify("mesh-config", home), title, check, (), timeout_s=VERIFY_GRACE_S))
    return checks
