"""Phase 2, AKS clusters: per cluster a control-plane identity, its Network Contributor role on the
subnet (before the cluster exists, so AKS can join the subnet), the cluster with its Regular system
pool, and the Spot user pool as its own agent pool. The three clusters build concurrently."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.config.model import Cluster, Deployment, SpotPool, SystemPool
from orchestrator.engine.change import Action, Change, FieldChange
from orchestrator.engine.step import Document, Outputs, ownership_tags
from orchestrator.errors import CloudError
from steps import names
from steps.arm import ArmStep
from steps.network import ResourceGroupStep, sub_of

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

PHASE = 2
KNOWN_AFTER_APPLY = "(known after apply)"
CAPACITY_CODES = frozenset(
    {"OverconstrainedAllocationRequest", "SkuNotAvailable", "AllocationFailed", "ZonalAllocationFailed"}
)


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


def _tags(config: Deployment, ctx: StepContext, cluster: Cluster) -> dict[str, str]:
    return {**config.tags, **ownership_tags(ctx.deployment), "tier": str(cluster.tier)}


class IdentityStep(ArmStep):
    lro_write = lro_delete = False
    kind = "Microsoft.ManagedIdentity/userAssignedIdentities"

    def __init__(self, config: Deployment, cluster: Cluster) -> None:
        self.config, self.cluster, self.rg = config, cluster, names.clusters_rg(config)
        self.name = names.control_plane_identity(cluster.name)
        super().__init__(
            f"p2/identity/{cluster.name}",
            phase=PHASE,
            title=f"identity {self.name}",
            resource_id=self.name,
            depends_on=(f"p2/resource-group/{self.rg}",),
        )

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.msi().user_assigned_identities

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.name)

    def desired(self, ctx: StepContext) -> Document:
        return {"location": self.config.region, "tags": _tags(self.config, ctx, self.cluster)}

    def write(self, ctx: StepContext, body: dict[str, Any], continuation: str | None) -> Any:
        return self.operations(ctx).create_or_update(*self.key(), body)  # synchronous for identities

    def remove(self, ctx: StepContext, continuation: str | None) -> Any:
        return self.operations(ctx).delete(*self.key())

    def outputs(self, observed: Document) -> Outputs:
        props = observed.get("properties") or {}
        return {
            "id": observed.get("id"),
            "principalId": props.get("principalId"),
            "clientId": props.get("clientId"),
        }


class SubnetRoleStep(ArmStep):
    """Network Contributor for the control-plane identity on the cluster's subnet, under a name derived
    from scope, role and identity, so a re-run finds it instead of adding a second one."""

    lro_write = lro_delete = False
    propagation_codes = frozenset({"PrincipalNotFound"})  # the identity was created seconds ago
    kind = "Microsoft.Authorization/roleAssignments"

    def __init__(self, config: Deployment, cluster: Cluster) -> None:
        self.config, self.cluster = config, cluster
        self.identity_step = IdentityStep(config, cluster)
        super().__init__(
            f"p2/subnet-role/{cluster.name}",
            phase=PHASE,
            title=f"subnet role for {cluster.name}",
            resource_id="",
            depends_on=(self.identity_step.id, f"p1/subnet/{cluster.subnet}"),
        )

    def _scope(self, ctx: StepContext) -> str:
        rg = names.network_rg(self.config)
        vnet = names.res_id(sub_of(ctx), rg, "Microsoft.Network/virtualNetworks", names.vnet(self.config))
        return f"{vnet}/subnets/{names.subnet(self.cluster.subnet)}"

    def _name(self, ctx: StepContext) -> str:
        identity_id = names.res_id(
            sub_of(ctx),
            self.identity_step.rg,
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            self.identity_step.name,
        )
        return names.role_assignment(self._scope(ctx), names.NETWORK_CONTRIBUTOR, identity_id)

    def _principal(self, ctx: StepContext) -> str:
        principal = ctx.outputs_of(self.identity_step.id).get("principalId")
        if not principal:
            identity = self.identity_step._get(ctx)
            principal = ((identity or {}).get("properties") or {}).get("principalId")
        return str(principal or KNOWN_AFTER_APPLY)

    def read(self, ctx: StepContext) -> Any:
        return ctx.services.azure.authorization().role_assignments.get(self._scope(ctx), self._name(ctx))

    def desired(self, ctx: StepContext) -> Document:
        role = f"/subscriptions/{sub_of(ctx)}/providers/Microsoft.Authorization/roleDefinitions/{names.NETWORK_CONTRIBUTOR}"
        return {
            "properties": {
                "roleDefinitionId": role,
                "principalId": self._principal(ctx),
                "principalType": "ServicePrincipal",
            }
        }

    def write(self, ctx: StepContext, body: dict[str, Any], continuation: str | None) -> Any:
        ops = ctx.services.azure.authorization().role_assignments
        try:
            return ops.create(self._scope(ctx), self._name(ctx), body)
        except Exception as exc:  # the SDK error is mapped below; only RoleAssignmentExists is fine here
            if getattr(getattr(exc, "error", None), "code", "") == "RoleAssignmentExists":
                return body  # the same role is already assigned to this identity under another name
            raise

    def remove(self, ctx: StepContext, continuation: str | None) -> Any:
        return ctx.services.azure.authorization().role_assignments.delete(self._scope(ctx), self._name(ctx))

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        principal = ((observed.get("properties") or {}).get("principalId")) or ""
        return principal == self._principal(ctx)

    def outputs(self, observed: Document) -> Outputs:
        return {"id": observed.get("id")}


class ClusterStep(ArmStep):
    kind = "Microsoft.ContainerService/managedClusters"
    propagation_codes = frozenset({"LinkedAuthorizationFailed"})  # the subnet role was granted seconds ago
    immutable = ("properties.networkProfile.*", "properties.dnsPrefix")

    def __init__(self, config: Deployment, cluster: Cluster) -> None:
        self.config, self.cluster, self.rg = config, cluster, names.clusters_rg(config)
        self.identity_step = IdentityStep(config, cluster)
        super().__init__(
            f"p2/cluster/{cluster.name}",
            phase=PHASE,
            title=f"AKS cluster {cluster.name}",
            resource_id=cluster.name,
            depends_on=(self.identity_step.id, f"p2/subnet-role/{cluster.name}"),
        )
        self.timeout_s = 45 * 60

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.containerservice().managed_clusters

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.cluster.name)

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
            "tags": _tags(self.config, ctx, c),
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
        return super().apply(ctx, change, observed)

    def outputs(self, observed: Document) -> Outputs:
        props = observed.get("properties") or {}
        return {
            "id": observed.get("id"),
            "fqdn": props.get("fqdn"),
            "nodeResourceGroup": props.get("nodeResourceGroup"),
            "oidcIssuerUrl": (props.get("oidcIssuerProfile") or {}).get("issuerURL"),
            "kubernetesVersion": props.get("currentKubernetesVersion") or props.get("kubernetesVersion"),
        }


def pool_profile(
    config: Deployment, cluster: Cluster, pool: SystemPool | SpotPool, sub: str
) -> dict[str, Any]:
    """The pool as an inline `agentPoolProfiles` entry (flat), as the cluster PUT takes it."""
    return {"name": pool.name, **pool_properties(config, cluster, pool, sub)}


def pool_properties(
    config: Deployment, cluster: Cluster, pool: SystemPool | SpotPool, sub: str
) -> dict[str, Any]:
    subnet_id = (
        names.res_id(sub, names.network_rg(config), "Microsoft.Network/virtualNetworks", names.vnet(config))
        + f"/subnets/{names.subnet(cluster.subnet)}"
    )
    props: dict[str, Any] = {
        "mode": "System" if isinstance(pool, SystemPool) else "User",
        "count": pool.count,
        "vmSize": pool.vm_size,
        "osType": "Linux",
        "type": "VirtualMachineScaleSets",
        "osDiskSizeGB": pool.os_disk_size_gb,
        "osDiskType": "Ephemeral" if _ephemeral_fits(pool.vm_size, pool.os_disk_size_gb) else "Managed",
        "vnetSubnetID": subnet_id,
        "enableAutoScaling": False,
    }
    if isinstance(pool, SpotPool):
        props.update(
            {
                "scaleSetPriority": "Spot",
                "scaleSetEvictionPolicy": "Delete",
                "spotMaxPrice": pool.max_price,
                "enableAutoScaling": pool.autoscale,
            }
        )
        if pool.autoscale:
            props.update({"minCount": pool.min_count, "maxCount": pool.max_count})
    return props


def _ephemeral_fits(vm_size: str, size_gb: int) -> bool:
    """The same rule the cost model prices: ephemeral when the OS disk fits the size's cache."""
    from orchestrator.cost import load_prices
    from orchestrator.cost.compute import os_disk_is_ephemeral

    try:
        return os_disk_is_ephemeral(load_prices(), vm_size, size_gb)
    except KeyError:
        return False  # a size the price table does not know: a managed disk is always accepted


class PoolStep(ArmStep):
    immutable = (
        "properties.vmSize",
        "properties.osDiskSizeGB",
        "properties.osDiskType",
        "properties.vnetSubnetID",
        "properties.scaleSetPriority",
        "properties.scaleSetEvictionPolicy",
        "properties.spotMaxPrice",
    )

    def __init__(self, config: Deployment, cluster: Cluster, pool: SystemPool | SpotPool, index: int) -> None:
        self.config, self.cluster, self.pool, self.index = config, cluster, pool, index
        self.rg = names.clusters_rg(config)
        role = "system" if isinstance(pool, SystemPool) else "spot"
        super().__init__(
            f"p2/pool/{cluster.name}/{pool.name}",
            phase=PHASE,
            title=f"{role} pool {pool.name} of {cluster.name}",
            resource_id=pool.name,
            depends_on=(f"p2/cluster/{cluster.name}",),
        )
        self.timeout_s = 30 * 60
        autoscaled = isinstance(pool, SpotPool) and pool.autoscale
        self.kind = "Microsoft.ContainerService/managedClusters/agentPools" + (
            "#autoscaled" if autoscaled else ""
        )

    @property
    def config_path(self) -> str:
        key = "system_pool" if isinstance(self.pool, SystemPool) else "spot_pool"
        return f"clusters[{self.index}].{key}"

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.containerservice().agent_pools

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.cluster.name, self.pool.name)

    def desired(self, ctx: StepContext) -> Document:
        return {"properties": pool_properties(self.config, self.cluster, self.pool, sub_of(ctx))}

    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        change, observed = super().plan(ctx)
        if change.replace and isinstance(self.pool, SystemPool):
            fields = ", ".join(f.path for f in change.fields)
            raise CloudError(
                f"{self.title}: {fields} cannot change on the only system pool",
                code="SystemPoolImmutable",
                fix=f"revert {self.config_path} to the live value, or add a new system pool by hand and move to it",
            )
        return change, observed

    def body(self, ctx: StepContext, change: Change, observed: Document | None) -> dict[str, Any]:
        body = super().body(ctx, change, observed)
        live_count = ((observed or {}).get("properties") or {}).get("count")
        if self.kind.endswith("#autoscaled") and live_count is not None and not change.replace:
            body["properties"]["count"] = live_count  # never fight the autoscaler
        return body

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        refuse_if_stopped(self.title, change, observed)
        try:
            return super().apply(ctx, change, observed)
        except CloudError as exc:
            if exc.code not in CAPACITY_CODES or not isinstance(self.pool, SpotPool):
                raise
            fallbacks = (
                ", ".join(s for s in self.pool.fallback_vm_sizes if s != self.pool.vm_size)
                or "(none configured)"
            )
            raise CloudError(
                f"{self.title}: Azure has no Spot capacity for {self.pool.vm_size} in {self.config.region} now",
                code=exc.code,
                status=exc.status,
                fix=f"set {self.config_path}.vm_size to one of the fallback sizes ({fallbacks}) and run again;"
                " the cluster is kept and the failed pool is replaced",
            ) from exc

    def delete(self, ctx: StepContext, observed: Document) -> None:
        if isinstance(self.pool, SystemPool):
            return  # the system pool goes with its cluster; AKS refuses to delete it on its own
        super().delete(ctx, observed)

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        cluster = ClusterStep(self.config, self.cluster)._get(ctx)
        return cluster is not None and super().owned(ctx, cluster)

    def outputs(self, observed: Document) -> Outputs:
        props = observed.get("properties") or {}
        return {"id": observed.get("id"), "vmSize": props.get("vmSize"), "mode": props.get("mode")}


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
