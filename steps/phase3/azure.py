"""The Azure side of Cluster Mesh: the mesh subnet role each cluster's identity needs, and one A record
per clustermesh endpoint in the phase-1 private DNS zone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.config.model import Cluster, Deployment
from orchestrator.engine.step import OWNER_TAG, Document, Outputs, ownership_tags
from steps import ids, names
from steps.arm import ArmStep
from steps.identity import SubnetRoleStep
from steps.network import sub_of
from steps.phase3 import mesh

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

PHASE = 3
RECORD_TTL_S = 300


class MeshSubnetRoleStep(SubnetRoleStep):
    """Network Contributor for the cluster's control-plane identity on the mesh subnet. AKS creates the
    internal load balancer's frontend in that subnet (the internal-subnet annotation); without the role
    the cloud provider's load-balancer sync fails with LinkedAuthorizationFailed and the Service never
    gets an IP. Phase 2 grants the role on the cluster's own subnet only."""

    def __init__(self, config: Deployment, cluster: Cluster) -> None:
        super().__init__(config, cluster)
        self.id, self.phase = ids.mesh_subnet_role(cluster.name), PHASE
        self.title = f"mesh subnet role for {cluster.name}"
        self.depends_on = (self.identity_step.id, ids.subnet(config.cilium.mesh_subnet))

    def _scope(self, ctx: StepContext) -> str:
        rg = names.network_rg(self.config)
        vnet = names.res_id(sub_of(ctx), rg, "Microsoft.Network/virtualNetworks", names.vnet(self.config))
        return f"{vnet}/subnets/{names.subnet(self.config.cilium.mesh_subnet)}"


class MeshDnsRecordStep(ArmStep):
    """`clustermesh-<cluster>.<zone>` A <fixed IP>. Record sets have no tags: ownership is recorded in
    the record's metadata, which the zone's `children()` reads."""

    kind = "Microsoft.Network/privateDnsZones/A"
    lro_write = lro_delete = False  # record sets are written synchronously

    def __init__(self, config: Deployment, cluster: Cluster) -> None:
        self.config, self.cluster = config, cluster
        self.rg, self.zone, self.name = (
            names.network_rg(config),
            config.network.private_dns_zone,
            mesh.record_name(cluster),
        )
        super().__init__(
            ids.mesh_dns_record(cluster.name),
            phase=PHASE,
            title=f"DNS record {self.name}.{self.zone}",
            resource_id=f"{self.zone}/A/{self.name}",
            depends_on=(ids.DNS_ZONE,),
        )

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.privatedns().record_sets

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.zone, "A", self.name)

    def desired(self, ctx: StepContext) -> Document:
        return {
            "properties": {
                "ttl": RECORD_TTL_S,
                "aRecords": [{"ipv4Address": mesh.mesh_ip(self.config, self.cluster)}],
                "metadata": ownership_tags(ctx.deployment),
            }
        }

    def write(self, ctx: StepContext, body: dict[str, Any], continuation: str | None) -> Any:
        return self.operations(ctx).create_or_update(*self.key(), body)

    def remove(self, ctx: StepContext, continuation: str | None) -> Any:
        return self.operations(ctx).delete(*self.key())

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        return record_owned(observed, ctx.deployment)

    def outputs(self, observed: Document) -> Outputs:
        props = observed.get("properties") or {}
        return {"id": observed.get("id"), "name": f"{self.name}.{self.zone}", "fqdn": props.get("fqdn")}


def record_owned(record: Document, deployment: str) -> bool:
    props = record.get("properties") or {}
    metadata = props.get("metadata") or record.get("metadata") or {}
    return bool(metadata.get(OWNER_TAG) == deployment)
