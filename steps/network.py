"""Phase 1, network foundation: resource group, NSGs, VNet, subnets (with their NSG), private DNS zone
and its VNet link. Each class only says how to reach its resource and what it should look like."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchestrator.config.model import Deployment, Subnet
from orchestrator.engine.change import Change
from orchestrator.engine.step import Document, Outputs, ownership_tags
from orchestrator.errors import CloudError
from steps import names
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
    lro_write = False

    def __init__(self, config: Deployment, rg: str, phase: int, depends_on: tuple[str, ...] = ()) -> None:
        super().__init__(
            f"p{phase}/resource-group/{rg}",
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

    def delete(self, ctx: StepContext, observed: Document) -> None:
        foreign = self._foreign_resources(ctx)
        if foreign:
            raise CloudError(
                f"resource group {self.rg} was not deleted: it holds resources this deployment does not own:"
                f" {', '.join(foreign)}",
                code="ResourceGroupNotEmpty",
                fix="move or delete those resources, then run destroy again",
            )
        super().delete(ctx, observed)

    def _foreign_resources(self, ctx: StepContext) -> list[str]:
        resources = self._call(
            ctx, lambda: list(ctx.services.azure.resource().resources.list_by_resource_group(self.rg))
        )
        owner = ownership_tags(ctx.deployment)
        return sorted(
            f"{r.type}/{r.name}"
            for r in resources
            if any((r.tags or {}).get(k) != v for k, v in owner.items())
        )

    def outputs(self, observed: Document) -> Outputs:
        return {"id": observed.get("id"), "name": self.rg}


class NsgStep(ArmStep):
    kind = "Microsoft.Network/networkSecurityGroups"

    def __init__(self, config: Deployment, subnet: Subnet) -> None:
        self.config, self.subnet, self.rg = config, subnet, names.network_rg(config)
        self.name = names.nsg(config, subnet.name)
        super().__init__(
            f"p1/nsg/{subnet.name}",
            phase=PHASE,
            title=f"NSG {self.name}",
            resource_id=self.name,
            depends_on=(f"p1/resource-group/{self.rg}",),
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
            "p1/vnet",
            phase=PHASE,
            title=f"VNet {self.name}",
            resource_id=self.name,
            depends_on=(f"p1/resource-group/{self.rg}",),
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


class SubnetStep(ArmStep):
    kind = "Microsoft.Network/virtualNetworks/subnets"

    def __init__(self, config: Deployment, subnet: Subnet) -> None:
        self.config, self.subnet, self.rg = config, subnet, names.network_rg(config)
        self.vnet, self.name = names.vnet(config), names.subnet(subnet.name)
        super().__init__(
            f"p1/subnet/{subnet.name}",
            phase=PHASE,
            title=f"subnet {self.name}",
            resource_id=self.name,
            depends_on=("p1/vnet", f"p1/nsg/{subnet.name}"),
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
            "p1/private-dns-zone",
            phase=PHASE,
            title=f"private DNS zone {self.name}",
            resource_id=self.name,
            depends_on=(f"p1/resource-group/{self.rg}",),
        )

    def operations(self, ctx: StepContext) -> Any:
        return ctx.services.azure.privatedns().private_zones

    def key(self) -> tuple[str, ...]:
        return (self.rg, self.name)

    def desired(self, ctx: StepContext) -> Document:
        return {"location": "global", "tags": deployment_tags(self.config, ctx.deployment)}


class DnsLinkStep(ArmStep):
    kind = "Microsoft.Network/privateDnsZones/virtualNetworkLinks"

    def __init__(self, config: Deployment) -> None:
        self.config, self.rg = config, names.network_rg(config)
        self.zone, self.name = config.network.private_dns_zone, names.dns_link(config)
        super().__init__(
            "p1/private-dns-link",
            phase=PHASE,
            title=f"DNS zone link {self.name}",
            resource_id=self.name,
            depends_on=("p1/private-dns-zone", "p1/vnet"),
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


def phase1_steps(config: Deployment) -> list[ArmStep]:
    steps: list[ArmStep] = [ResourceGroupStep(config, names.network_rg(config), PHASE), VnetStep(config)]
    for subnet in config.network.subnets:
        steps += [NsgStep(config, subnet), SubnetStep(config, subnet)]
    return [*steps, DnsZoneStep(config), DnsLinkStep(config)]
