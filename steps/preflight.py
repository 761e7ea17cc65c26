"""Live preflight for phases 1 and 2: what the subscription must allow before anything is created.

Each check reads (never writes) and returns Problems that name the setting in deployment.yaml and the
fix. Quota is counted only for clusters that do not exist yet (existing ones are already in the
subscription's usage). Reference: aks-network-cilium.md sections 0, 1, 8, 9.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from orchestrator.azure.retry import call_azure
from orchestrator.config.checks import Problem
from orchestrator.config.model import Deployment
from orchestrator.errors import NotFound
from steps import names
from steps.arm import to_rest

NETWORK_PROVIDERS = ("Microsoft.Network",)
CLUSTER_PROVIDERS = (
    "Microsoft.ContainerService",
    "Microsoft.ManagedIdentity",
    "Microsoft.Authorization",
    "Microsoft.Compute",
)


@dataclass(frozen=True)
class Sku:
    name: str
    family: str
    vcpus: int
    restricted: bool
    spot_capable: bool


def phase1_preflight(config: Deployment, services: Any) -> list[Problem]:
    return list(_providers(services, NETWORK_PROVIDERS))


def phase2_preflight(config: Deployment, services: Any) -> list[Problem]:
    skus = _skus(services, config.region)
    problems = [*_providers(services, CLUSTER_PROVIDERS), *_sizes(config, skus), *_versions(config, services)]
    if not problems:
        problems += _quota(config, services, skus)
    return [*problems, *_role_assignment_right(config, services)]


ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write"


def _allowed(action: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)


def _role_assignment_right(config: Deployment, services: Any) -> Iterator[Problem]:
    """Phase 2 gives each control-plane identity a role on its subnet: the caller must be allowed to.
    Checked on phase 1's resource group, where the subnets live; before it exists there is nothing
    to ask, and `run` checks again right before phase 2."""
    rg = names.network_rg(config)
    try:
        found = call_azure(
            lambda: list(services.azure.authorization().permissions.list_for_resource_group(rg))
        )
    except NotFound:
        return
    actions = [a for p in found for a in (p.actions or [])]
    denied = [a for p in found for a in (p.not_actions or [])]
    if not _allowed(ROLE_ASSIGNMENT_WRITE, actions) or _allowed(ROLE_ASSIGNMENT_WRITE, denied):
        yield Problem(
            "subscription: role assignments",
            f"the signed-in identity may not create role assignments on {rg} ({ROLE_ASSIGNMENT_WRITE});"
            " it needs Owner, or User Access Administrator together with Contributor",
        )


def _providers(services: Any, namespaces: tuple[str, ...]) -> Iterator[Problem]:
    providers = services.azure.resource().providers
    for ns in namespaces:
        provider = call_azure(lambda: providers.get(ns))  # noqa: B023 (called at once)
        if (provider.registration_state or "").lower() != "registered":
            yield Problem(
                f"subscription: {ns}",
                f"resource provider is {provider.registration_state or 'not registered'};"
                f" run `az provider register --namespace {ns}` and wait for Registered",
            )


def _skus(services: Any, region: str) -> dict[str, Sku]:
    out = {}
    for sku in call_azure(
        lambda: list(services.azure.compute().resource_skus.list(filter=f"location eq '{region}'"))
    ):
        if sku.resource_type != "virtualMachines":
            continue
        caps = {c.name: c.value for c in (sku.capabilities or [])}
        restricted = any(r.type == "Location" for r in (sku.restrictions or []))
        out[sku.name.lower()] = Sku(
            sku.name,
            sku.family or "",
            int(caps.get("vCPUs", "0")),
            restricted,
            caps.get("LowPriorityCapable", "False") == "True",
        )
    return out


def _sizes(config: Deployment, skus: dict[str, Sku]) -> Iterator[Problem]:
    for i, cluster in enumerate(config.clusters):
        for key, pool in (("system_pool", cluster.system_pool), ("spot_pool", cluster.spot_pool)):
            path = f"clusters[{i}].{key}.vm_size"
            sku = skus.get(pool.vm_size.lower())
            if sku is None or sku.restricted:
                offered = sorted(s.name for s in skus.values() if not s.restricted and s.vcpus >= 2)[:6]
                yield Problem(
                    path,
                    f"{pool.vm_size} is not available to this subscription in {config.region};"
                    f" available sizes include {', '.join(offered)}",
                )
            elif key == "spot_pool" and not sku.spot_capable:
                yield Problem(path, f"{pool.vm_size} cannot run as Spot; choose a Spot-capable size")
            elif key == "system_pool" and sku.vcpus < 2:
                yield Problem(path, f"{pool.vm_size} has {sku.vcpus} vCPU; AKS system pools need at least 2")


def _versions(config: Deployment, services: Any) -> Iterator[Problem]:
    result = call_azure(
        lambda: services.azure.containerservice().managed_clusters.list_kubernetes_versions(config.region)
    )
    offered: set[str] = set()
    for entry in to_rest(result).get("values") or []:
        offered.add(str(entry.get("version")))
        offered.update(str(p) for p in (entry.get("patchVersions") or {}))
    for i, cluster in enumerate(config.clusters):
        if cluster.kubernetes_version not in offered:
            minors = sorted({v for v in offered if v.count(".") == 1})
            yield Problem(
                f"clusters[{i}].kubernetes_version",
                f"{cluster.kubernetes_version} is not offered in"
                f" {config.region}; offered: {', '.join(minors)}",
            )


def _cluster_exists(config: Deployment, services: Any, name: str) -> bool:
    try:
        call_azure(
            lambda: services.azure.containerservice().managed_clusters.get(names.clusters_rg(config), name)
        )
    except NotFound:
        return False
    return True


def _quota(config: Deployment, services: Any, skus: dict[str, Sku]) -> Iterator[Problem]:
    needed: dict[str, int] = {}
    for cluster in config.clusters:
        if _cluster_exists(config, services, cluster.name):
            continue
        system, spot = skus[cluster.system_pool.vm_size.lower()], skus[cluster.spot_pool.vm_size.lower()]
        regular = system.vcpus * cluster.system_pool.count
        needed[system.family] = needed.get(system.family, 0) + regular
        needed["cores"] = needed.get("cores", 0) + regular
        needed["lowPriorityCores"] = needed.get("lowPriorityCores", 0) + spot.vcpus * cluster.spot_pool.count
    usage = {
        u.name.value: u for u in call_azure(lambda: list(services.azure.compute().usage.list(config.region)))
    }
    for quota, amount in sorted(needed.items()):
        entry = usage.get(quota)
        if entry is None or amount == 0:
            continue
        free = int(entry.limit) - int(entry.current_value)
        if amount > free:
            kind = "Spot (lowPriorityCores)" if quota == "lowPriorityCores" else quota
            yield Problem(
                f"quota: {quota}",
                f"the clusters need {amount} {kind} vCPUs in {config.region};"
                f" {free} of {entry.limit} are free. Request at least {int(entry.current_value) + amount}"
                " (Portal: Quotas > Compute), or lower the node counts in clusters[*]",
            )


def chart_release_preflight(config: Deployment, services: Any) -> list[Problem]:
    """Phases 3-7 render charts with the `helm` CLI: it must be there, 3.14 or newer (exit 2 if not).
    Wire it as (or into) the phase's `Phase.preflight` in steps/registry.py."""
    from orchestrator.preflight import helm_problem

    problem = helm_problem()
    return [] if problem is None else [Problem("tools: helm", problem)]
