"""Phase 2, per cluster: the control-plane identity and its Network Contributor role on the subnet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.azure.retry import call_azure
from orchestrator.config.model import Cluster, Deployment
from orchestrator.engine.graph import KnownAfterApply, OutputRef
from orchestrator.engine.step import Document, Outputs
from orchestrator.errors import NotFound
from steps import ids, names
from steps.aks_shared import PHASE, cluster_tags
from steps.arm import ArmStep
from steps.network import sub_of

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext


class IdentityStep(ArmStep):
    lro_write = lro_delete = False
    kind = "Microsoft.ManagedIdentity/userAssignedIdentities"
    provides = frozenset({"id", "principalId", "clientId"})

    def __init__(self, config: Deployment, cluster: Cluster) -> None:
        self.config, self.cluster, self.rg = config, cluster, names.clusters_rg(config)
        self.name = names.control_plane_identity(cluster.name)
        super().__init__(
            ids.identity(cluster.name),
            phase=PHASE,
            title=f"identity {self.name}",
            resource_id=self.name,
            depends_on=(ids.resource_group(PHASE, self.rg),),
        )
        self.principal_id = OutputRef(self.id, "principalId", str)

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.msi().user_assigned_identities

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.name)

    def desired(self, ctx: StepContext) -> Document:
        return {"location": self.config.region, "tags": cluster_tags(self.config, ctx, self.cluster)}

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
            ids.subnet_role(cluster.name),
            phase=PHASE,
            title=f"subnet role for {cluster.name}",
            resource_id="",
            depends_on=(self.identity_step.id, ids.subnet(cluster.subnet)),
        )

    def reads(self) -> tuple[OutputRef[Any], ...]:
        return (self.identity_step.principal_id,)

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
        principal = ctx.output(self.identity_step.principal_id)
        if isinstance(principal, KnownAfterApply):  # not recorded yet: the identity may exist already
            identity = self.identity_step._get(ctx)
            return str(((identity or {}).get("properties") or {}).get("principalId") or principal)
        return principal

    def read(self, ctx: StepContext) -> Any:
        """Our assignment by its deterministic name, else the same role given to this identity under
        another name (by hand, or by another tool): either way the role is there."""
        ops = ctx.services.azure.authorization().role_assignments
        try:
            return call_azure(lambda: ops.get(self._scope(ctx), self._name(ctx)))
        except NotFound:
            principal = ctx.output(self.identity_step.principal_id)
            if isinstance(principal, KnownAfterApply):
                raise  # no identity yet: nothing can hold the role
            existing = call_azure(lambda: self._same_role_elsewhere(ctx))
            if existing is None:
                raise
            return existing

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
            if getattr(getattr(exc, "error", None), "code", "") != "RoleAssignmentExists":
                raise
            existing = self._same_role_elsewhere(ctx)  # the same role, given to this identity by another name
            if existing is None:
                raise
            return existing

    def _same_role_elsewhere(self, ctx: StepContext) -> Any:
        """The assignment of Network Contributor to this identity on the subnet, whatever its name."""
        principal = self._principal(ctx)
        ops = ctx.services.azure.authorization().role_assignments
        found = ops.list_for_scope(self._scope(ctx), filter=f"principalId eq '{principal}'")
        for assignment in found:
            role = str(getattr(assignment, "role_definition_id", "") or "")
            if role.rsplit("/", 1)[-1].lower() == names.NETWORK_CONTRIBUTOR.lower():
                return assignment
        return None

    def remove(self, ctx: StepContext, continuation: str | None) -> Any:
        return ctx.services.azure.authorization().role_assignments.delete(self._scope(ctx), self._name(ctx))

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        principal = ((observed.get("properties") or {}).get("principalId")) or ""
        return principal == self._principal(ctx)

    def outputs(self, observed: Document) -> Outputs:
        return {"id": observed.get("id")}
