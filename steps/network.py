"""Phase 1, network foundation: resource group, NSGs, VNet, subnets (with their NSG), private DNS zone
and its VNet link. Each class only says how to reach its resource and what it should look like."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.config.model import Deployment, Subnet
from orchestrator.engine.change import Change
from orchestrator.engine.graph import StepId
from orchestrator.engine.step import Child, Document, Outputs, Ownership, ownership_tags
from steps import ids, names
from steps.arm import ArmStep
from steps.nsg_rules import rules_for

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

PHASE = 1


def deployment_tags(config: Deployment, deployment: str) -> dict[str, str]:
    """The config's tags plus the ownership tags destroy relies on."""
    return {**config.tags, **ownership_tags(deployment)}


def sub_of(ctx: StepContext) -> str:
    return str(ctx.services.azure.subscription_id)


class ResourceGroupStep(ArmStep):
    kind = "Microsoft.Resources/resourceGroups"
    lro_write = False

    def __init__(self, config: Deployment, rg: str, phase: int, depends_on: tuple[StepId, ...] = ()) -> None:
        super().__init__(
            ids.resource_group(phase, rg),
            phase=phase,
            title=f"resource group {rg}",
            resource_id=f"/resourceGroups/{rg}",
            depends_on=depends_on,
        )
        self.config, self.rg = config, rg

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.resource().resource_groups

    def key(self) -> tuple[str, ...]:
        return (self.rg,)

    def desired(self, ctx: StepContext) -> Document:
        return {
            "location": self.config.region,
            "tags": deployment_tags(self.config, ctx.deployment),
        }

    def write(self, ctx: StepContext, body: dict[str, Any], continuation: str | None) -> Any:
        return self.operations(ctx).create_or_update(self.rg, body)  # synchronous for resource groups

    def children(self, ctx: StepContext, observed: Document) -> list[Child]:
        """Every top-level resource in the group: ours when it carries this deployment's ownership tags.
        Child resources (subnets, node pools, record sets) are checked by their own container."""
        resources = ctx.services.azure.resource().resources
        listed = self._list(ctx, lambda: resources.list_by_resource_group(self.rg))
        return [
            Child(str(r.get("type")), str(r.get("name")), _tag_ownership(r, ctx.deployment))
            for r in listed
            if _contained(str(r.get("type") or ""))
        ]

    def outputs(self, observed: Document) -> Outputs:
        return {"id": observed.get("id"), "name": self.rg}


class NsgStep(ArmStep):
    kind = "Microsoft.Network/networkSecurityGroups"

    def __init__(self, config: Deployment, subnet: Subnet) -> None:
        self.config, self.subnet, self.rg = config, subnet, names.network_rg(config)
        self.name = names.nsg(config, subnet.name)
        super().__init__(
            ids.nsg(subnet.name),
            phase=PHASE,
            title=f"NSG {self.name}",
            resource_id=self.name,
            depends_on=(ids.resource_group(PHASE, self.rg),),
        )

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.network().network_security_groups

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.name)

    def desired(self, ctx: StepContext) -> Document:
        return {
            "location": self.config.region,
            "tags": deployment_tags(self.config, ctx.deployment),
            "properties": {"securityRules": rules_for(self.config, self.subnet)},
        }

    def body(self, ctx: StepContext, change: Change, observed: Document | None) -> dict[str, Any]:
        body = super().body(ctx, change, observed)
        body["properties"]["securityRules"] = change.desired["properties"][
            "securityRules"
        ]  # we own every rule
        return body


class VnetStep(ArmStep):
    kind = "Microsoft.Network/virtualNetworks"

    def __init__(self, config: Deployment) -> None:
        self.config, self.rg, self.name = config, names.network_rg(config), names.vnet(config)
        super().__init__(
            ids.VNET,
            phase=PHASE,
            title=f"VNet {self.name}",
            resource_id=self.name,
            depends_on=(ids.resource_group(PHASE, self.rg),),
        )

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.network().virtual_networks

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.name)

    def desired(self, ctx: StepContext) -> Document:
        return {
            "location": self.config.region,
            "tags": deployment_tags(self.config, ctx.deployment),
            "properties": {"addressSpace": {"addressPrefixes": [self.config.network.vnet_cidr]}},
        }

    def ignored_fields(self, ctx: StepContext) -> tuple[str, ...]:
        return ("properties.subnets",)  # each subnet is its own step

    def children(self, ctx: StepContext, observed: Document) -> list[Child]:
        """Subnets go with the VNet: ours are the ones the config declares (their steps delete them)."""
        ours = {names.subnet(s.name).lower() for s in self.config.network.subnets}
        subnets = ctx.services.azure.network().subnets
        return [
            Child("subnet", name, Ownership.OURS if name.lower() in ours else Ownership.FOREIGN)
            for name in (
                str(s.get("name")) for s in self._list(ctx, lambda: subnets.list(self.rg, self.name))
            )
        ]


class SubnetStep(ArmStep):
    kind = "Microsoft.Network/virtualNetworks/subnets"

    def __init__(self, config: Deployment, subnet: Subnet) -> None:
        self.config, self.subnet, self.rg = config, subnet, names.network_rg(config)
        self.vnet, self.name = names.vnet(config), names.subnet(subnet.name)
        super().__init__(
            ids.subnet(subnet.name),
            phase=PHASE,
            title=f"subnet {self.name}",
            resource_id=self.name,
            depends_on=(ids.VNET, ids.nsg(subnet.name)),
        )

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.network().subnets

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.vnet, self.name)

    def desired(self, ctx: StepContext) -> Document:
        nsg_id = names.res_id(
            sub_of(ctx),
            self.rg,
            "Microsoft.Network/networkSecurityGroups",
            names.nsg(self.config, self.subnet.name),
        )
        return {"properties": {"addressPrefix": self.subnet.cidr, "networkSecurityGroup": {"id": nsg_id}}}

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        vnet = VnetStep(self.config)._get(ctx)
        return vnet is not None and super().owned(ctx, vnet)

    def outputs(self, observed: Document) -> Outputs:
        return {"id": observed.get("id"), "name": self.name, "cidr": self.subnet.cidr}


class DnsZoneStep(ArmStep):
    kind = "Microsoft.Network/privateDnsZones"

    def __init__(self, config: Deployment) -> None:
        self.config, self.rg, self.name = config, names.network_rg(config), config.network.private_dns_zone
        super().__init__(
            ids.DNS_ZONE,
            phase=PHASE,
            title=f"private DNS zone {self.name}",
            resource_id=self.name,
            depends_on=(ids.resource_group(PHASE, self.rg),),
        )

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.privatedns().private_zones

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.name)

    def desired(self, ctx: StepContext) -> Document:
        return {"location": "global", "tags": deployment_tags(self.config, ctx.deployment)}

    def children(self, ctx: StepContext, observed: Document) -> list[Child]:
        """Record sets and VNet links go with the zone. The SOA record and records Azure registers for
        VMs are the zone's own; our one link is deleted by its step; anything else is someone else's."""
        dns = ctx.services.azure.privatedns()
        records = self._list(ctx, lambda: dns.record_sets.list(self.rg, self.name))
        links = self._list(ctx, lambda: dns.virtual_network_links.list(self.rg, self.name))
        ours = names.dns_link(self.config).lower()
        return [
            *(Child("record set", _record_name(r), _record_ownership(r, ctx.deployment)) for r in records),
            *(
                Child("virtual network link", str(link.get("name")), _link_ownership(link, ours))
                for link in links
            ),
        ]


class DnsLinkStep(ArmStep):
    kind = "Microsoft.Network/privateDnsZones/virtualNetworkLinks"

    def __init__(self, config: Deployment) -> None:
        self.config, self.rg = config, names.network_rg(config)
        self.zone, self.name = config.network.private_dns_zone, names.dns_link(config)
        super().__init__(
            ids.DNS_LINK,
            phase=PHASE,
            title=f"DNS zone link {self.name}",
            resource_id=self.name,
            depends_on=(ids.DNS_ZONE, ids.VNET),
        )

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.privatedns().virtual_network_links

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.zone, self.name)

    def desired(self, ctx: StepContext) -> Document:
        vnet_id = names.res_id(
            sub_of(ctx), self.rg, "Microsoft.Network/virtualNetworks", names.vnet(self.config)
        )
        return {
            "location": "global",
            "tags": deployment_tags(self.config, ctx.deployment),
            "properties": {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": False},
        }


def _contained(resource_type: str) -> bool:
    """A top-level resource the group holds. Child types (`.../subnets`) belong to their container;
    role assignments are extension resources, not contained (ARM's list does not return them)."""
    return resource_type.count("/") == 1 and not resource_type.lower().startswith("microsoft.authorization/")


def _tag_ownership(resource: Document, deployment: str) -> Ownership:
    tags = resource.get("tags") or {}
    ours = all(tags.get(k) == v for k, v in ownership_tags(deployment).items())
    return Ownership.OURS if ours else Ownership.FOREIGN


def _record_name(record: Document) -> str:
    kind = str(record.get("type") or "").rsplit("/", 1)[-1]
    return f"{kind} {record.get('name')}"


def _record_ownership(record: Document, deployment: str) -> Ownership:
    """SOA and auto-registered VM records are the zone's own; a record whose metadata carries this
    deployment's ownership tags (record sets have no tags) is ours: its step (phase 3's clustermesh
    A records) deletes it first; anything else is someone else's."""
    kind = str(record.get("type") or "").rsplit("/", 1)[-1].upper()
    props = record.get("properties") or {}
    auto = bool(props.get("isAutoRegistered") or record.get("isAutoRegistered"))
    if kind == "SOA" or auto:
        return Ownership.SYSTEM
    metadata = props.get("metadata") or record.get("metadata") or {}
    ours = all(metadata.get(k) == v for k, v in ownership_tags(deployment).items())
    return Ownership.OURS if ours else Ownership.FOREIGN


def _link_ownership(link: Document, ours: str) -> Ownership:
    return Ownership.OURS if str(link.get("name")).lower() == ours else Ownership.FOREIGN


def phase1_steps(config: Deployment) -> list[ArmStep]:
    steps: list[ArmStep] = [ResourceGroupStep(config, names.network_rg(config), PHASE), VnetStep(config)]
    for subnet in config.network.subnets:
        steps += [NsgStep(config, subnet), SubnetStep(config, subnet)]
    return [*steps, DnsZoneStep(config), DnsLinkStep(config)]
