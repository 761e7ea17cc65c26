"""Networking: the Standard load balancer AKS creates per cluster, public IPs, the private DNS zone.
All of these stay (and bill) while a cluster is stopped (Azure/AKS#3749)."""

from __future__ import annotations

from decimal import Decimal

from orchestrator.config.model import Cluster
from orchestrator.cost.lines import PHASE_CLUSTERS, PHASE_CNI, PHASE_NETWORK, Ctx, line
from orchestrator.cost.model import Band, Item

LB_FREE_RULES = 5
OUTBOUND_RULES = 1


def has_ingress(ctx: Ctx, cluster: Cluster) -> bool:
    return cluster.subnet in ctx.ingress_subnets


def load_balancer(ctx: Ctx, cluster: Cluster) -> list[Item]:
    rules = OUTBOUND_RULES + (int(ctx.prices.number("ingress_lb_rules")) if has_ingress(ctx, cluster) else 0)
    items = [
        line(
            ctx,
            "lb/standard",
            Band.fixed(ctx.cluster_lifetime),
            resource="Standard load balancer",
            cluster=cluster.name,
            phase=PHASE_CLUSTERS,
            sku=f"Standard, {rules} rules (5 included)",
            while_stopped=True,
            note="kept while the cluster is stopped (Azure/AKS#3749)",
        )
    ]
    overage = rules - LB_FREE_RULES
    if overage > 0:
        items.append(
            line(
                ctx,
                "lb/rule_overage",
                Band.fixed(ctx.cluster_lifetime * overage),
                resource="load balancer rules beyond 5",
                cluster=cluster.name,
                phase=PHASE_CLUSTERS,
                sku=f"{overage} extra rules",
                while_stopped=True,
            )
        )
    return items


def mesh_load_balancer(ctx: Ctx, cluster: Cluster) -> list[Item]:
    """Phase 3 puts each clustermesh-apiserver behind an internal LoadBalancer Service. AKS serves
    internal Services from a second Standard load balancer (`kubernetes-internal`) in the node resource
    group, billed like any Standard LB: the hourly fee covers its first 5 rules (here 1, TCP 2379)."""
    if not ctx.config.cilium.cluster_mesh or len(ctx.config.clusters) < 2:
        return []
    return [
        line(
            ctx,
            "lb/standard",
            Band.fixed(ctx.cluster_lifetime),
            resource="internal load balancer (Cluster Mesh)",
            cluster=cluster.name,
            phase=PHASE_CNI,
            sku="Standard internal, 1 rule (TCP 2379)",
            while_stopped=True,
            note="AKS's kubernetes-internal LB for the clustermesh-apiserver; kept while stopped",
        )
    ]


def public_ips(ctx: Ctx, cluster: Cluster) -> list[Item]:
    def ip(resource: str, phase: int) -> Item:
        return line(
            ctx,
            "ip/standard_static",
            Band.fixed(ctx.cluster_lifetime),
            resource=resource,
            cluster=cluster.name,
            phase=phase,
            sku="Standard IPv4 static",
            while_stopped=True,
            note="stays allocated while stopped",
        )

    items = [ip("outbound public IP", PHASE_CLUSTERS)]
    if has_ingress(ctx, cluster):
        items.append(ip("ingress public IP (Gateway)", PHASE_CNI))
    return items


def private_dns(ctx: Ctx) -> Item:
    return line(
        ctx,
        "dns/private_zone",
        Band.fixed(Decimal(1)),
        resource="private DNS zone",
        cluster=None,
        phase=PHASE_NETWORK,
        sku=ctx.config.network.private_dns_zone,
        while_stopped=True,
        note="queries not priced ($0.40 per million)",
    )
