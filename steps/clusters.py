"""Phase 2, AKS clusters: per cluster a control-plane identity, its Network Contributor role on the
subnet (before the cluster exists, so AKS can join the subnet), the cluster with its Regular system
pool, and the Spot user pool as its own agent pool. The three clusters build concurrently."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.config.model import Cluster, Deployment
from orchestrator.engine.change import Action, Change, FieldChange
from orchestrator.engine.step import Child, Document, Outputs, Ownership
from orchestrator.errors import CloudError
from steps import ids, names
from steps.aks_shared import PHASE, cluster_tags, refuse_if_stopped
from steps.arm import ArmStep
from steps.identity import IdentityStep, SubnetRoleStep
from steps.network import ResourceGroupStep, sub_of
from steps.pools import CAPACITY_CODES, PoolStep, pool_profile

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext


class ClusterStep(ArmStep):
    replace_needs_approval = True  # destroys every workload on it
    kind = "Microsoft.ContainerService/managedClusters"
    propagation_codes = frozenset({"LinkedAuthorizationFailed"})  # the subnet role was granted seconds ago
    immutable = ("properties.networkProfile.*", "properties.dnsPrefix")
    # What later phases read (phase 3: the API server FQDN for Cilium's k8sServiceHost).
    provides = frozenset({"id", "fqdn", "nodeResourceGroup", "oidcIssuerUrl", "kubernetesVersion"})

    def __init__(self, config: Deployment, cluster: Cluster) -> None:
        self.config, self.cluster, self.rg = config, cluster, names.clusters_rg(config)
        self.identity_step = IdentityStep(config, cluster)
        super().__init__(
            ids.cluster(cluster.name),
            phase=PHASE,
            title=f"AKS cluster {cluster.name}",
            resource_id=cluster.name,
            depends_on=(self.identity_step.id, ids.subnet_role(cluster.name)),
        )
        self.timeout_s = 45 * 60

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.containerservice().managed_clusters

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.cluster.name)

    def exclusive_keys(self) -> tuple[str, ...]:
        return (names.cluster_lock(self.rg, self.cluster.name),)

    def ignored_fields(self, ctx: StepContext) -> tuple[str, ...]:
        return ("properties.agentPoolProfiles",)  # each pool is its own step (PoolStep)

    def desired(self, ctx: StepContext) -> Document:
        c, sub = self.cluster, sub_of(ctx)
        identity_id = names.res_id(
            sub, self.rg, "Microsoft.ManagedIdentity/userAssignedIdentities", self.identity_step.name
        )
        tier = "Standard" if self.config.profile == "production" else c.sku_tier
        return {
            "location": self.config.region,
            "tags": cluster_tags(self.config, ctx, c),
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity_id: {}}},
            "sku": {"name": "Base", "tier": tier},
            "properties": {
                "kubernetesVersion": c.kubernetes_version,
                "dnsPrefix": names.dns_prefix(self.config, c.name),
                "enableRBAC": True,
                "agentPoolProfiles": [pool_profile(self.config, c, c.system_pool, sub)],
                "networkProfile": {
                    "networkPlugin": "none",
                    "podCidr": c.pod_cidr,
                    "serviceCidr": c.service_cidr,
                    "dnsServiceIP": c.dns_service_ip,
                    "loadBalancerSku": "standard",
                    "outboundType": "loadBalancer",
                },
                "apiServerAccessProfile": {"authorizedIPRanges": self._authorized_ranges(ctx)},
                "oidcIssuerProfile": {"enabled": True},
                "securityProfile": {"workloadIdentity": {"enabled": True}},
            },
        }

    def _authorized_ranges(self, ctx: StepContext) -> list[str]:
        access = self.config.api_access
        ranges = [ctx.services.egress.cidr(access.operator_ip), *access.authorized_ranges]
        return sorted(set(ranges))

    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        change, observed = super().plan(ctx)
        if observed is None or change.replace:
            return change, observed
        live = str(
            (observed.get("properties") or {}).get("currentKubernetesVersion")
            or (observed.get("properties") or {}).get("kubernetesVersion")
            or ""
        )
        want = self.cluster.kubernetes_version
        if live and not (live == want or live.startswith(want + ".")):
            drift = FieldChange("properties.kubernetesVersion", live, want)
            return Change(Action.UPDATE, (*change.fields, drift), change.reason, change.desired), observed
        return change, observed

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        refuse_if_stopped(self.title, change, observed)
        try:
            return super().apply(ctx, change, observed)
        except CloudError as exc:
            if exc.code not in CAPACITY_CODES:
                raise
            index = [c.name for c in self.config.clusters].index(self.cluster.name)
            size = self.cluster.system_pool.vm_size
            raise CloudError(
                f"{self.title}: Azure has no capacity for the system pool's {size} in {self.config.region} now",
                code=exc.code,
                status=exc.status,
                fix=f"set clusters[{index}].system_pool.vm_size to another size the region offers"
                " (orchestrate plan checks it) and run again",
            ) from exc

    def children(self, ctx: StepContext, observed: Document) -> list[Child]:
        """Agent pools go with the cluster: ours are the two the config declares."""
        ours = {self.cluster.system_pool.name.lower(), self.cluster.spot_pool.name.lower()}
        pools = ctx.services.azure.containerservice().agent_pools
        return [
            Child("node pool", name, Ownership.OURS if name.lower() in ours else Ownership.FOREIGN)
            for name in (str(p.get("name")) for p in self._list(ctx, lambda: pools.list(*self.key())))
        ]

    def outputs(self, observed: Document) -> Outputs:
        props = observed.get("properties") or {}
        return {
            "id": observed.get("id"),
            "fqdn": props.get("fqdn"),
            "nodeResourceGroup": props.get("nodeResourceGroup"),
            "oidcIssuerUrl": (props.get("oidcIssuerProfile") or {}).get("issuerURL"),
            "kubernetesVersion": props.get("currentKubernetesVersion") or props.get("kubernetesVersion"),
        }


def phase2_steps(config: Deployment) -> list[ArmStep]:
    steps: list[ArmStep] = [ResourceGroupStep(config, names.clusters_rg(config), PHASE)]
    for index, cluster in enumerate(config.clusters):
        steps += [
            IdentityStep(config, cluster),
            SubnetRoleStep(config, cluster),
            ClusterStep(config, cluster),
            PoolStep(config, cluster, cluster.system_pool, index),
            PoolStep(config, cluster, cluster.spot_pool, index),
        ]
    return steps
