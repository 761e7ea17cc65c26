"""Microsoft.Compute read-only catalogues: regional vCPU usages (quota) and resource SKUs.

Helpers for the AKS provider: `SKUS`, `sku_vcpus`, `sku_family`, `sku_restricted`; quota accounting
itself is `Backend.consume_cores` / `release_cores`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response
from emulator.arm.quota import LOW_PRIORITY, TOTAL
from emulator.arm.registry import Registry
from emulator.arm.views import page

_SUB = r"/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.Compute"


@dataclass(frozen=True)
class Sku:
    name: str
    family: str  # quota family as usages report it
    vcpus: int
    memory_gb: float
    cached_disk_bytes: int
    ephemeral_os_disk: bool


SKUS: dict[str, Sku] = {
    s.name.lower(): s
    for s in (
        Sku("Standard_D2s_v3", "standardDSv3Family", 2, 8, 53687091200, True),
        Sku("Standard_D4s_v3", "standardDSv3Family", 4, 16, 107374182400, True),
        Sku("Standard_D8s_v3", "standardDSv3Family", 8, 32, 214748364800, True),
        Sku("Standard_D2as_v5", "standardDASv5Family", 2, 8, 0, False),
        Sku("Standard_D4as_v5", "standardDASv5Family", 4, 16, 0, False),
        Sku("Standard_D2s_v5", "standardDSv5Family", 2, 8, 0, False),
        Sku("Standard_D4s_v5", "standardDSv5Family", 4, 16, 0, False),
        Sku("Standard_B2s", "standardBSFamily", 2, 4, 0, False),
        Sku("Standard_B2ms", "standardBSFamily", 2, 8, 0, False),
    )
}
_USAGE_NAMES = {
    TOTAL: "Total Regional vCPUs",
    LOW_PRIORITY: "Total Regional Low-priority vCPUs",
    "standardDSv3Family": "Standard DSv3 Family vCPUs",
    "standardDASv5Family": "Standard DASv5 Family vCPUs",
    "standardDSv5Family": "Standard DSv5 Family vCPUs",
    "standardBSFamily": "Standard BS Family vCPUs",
    "virtualMachines": "Virtual Machines",
    "virtualMachineScaleSets": "Virtual Machine Scale Sets",
}


def sku_vcpus(name: str) -> int:
    sku = SKUS.get(name.lower())
    return sku.vcpus if sku else 2


def sku_family(name: str) -> str:
    sku = SKUS.get(name.lower())
    return sku.family if sku else "standardDSv3Family"


def sku_restricted(backend: Backend, name: str, location: str | None = None) -> bool:
    """True if the SKU is unknown or restricted in the location by Settings.sku_restrictions."""
    where = (location or backend.settings.location).lower()
    if name.lower() not in SKUS:
        return True
    restricted = {k.lower(): [loc.lower() for loc in v] for k, v in backend.settings.sku_restrictions.items()}
    return where in restricted.get(name.lower(), [])


def _usages(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    quota = backend.quota
    items = [
        {
            "unit": "Count",
            "currentValue": quota.usage.get(name, 0),
            "limit": limit,
            "name": {"value": name, "localizedValue": _USAGE_NAMES.get(name, name)},
        }
        for name, limit in sorted(quota.limits.items())
    ]
    return Response(200, page(backend, request, items))


def _sku_body(backend: Backend, sku: Sku) -> dict[str, Any]:
    location = backend.settings.location
    restrictions = []
    if sku_restricted(backend, sku.name):
        restrictions.append(
            {
                "type": "Location",
                "values": [location],
                "restrictionInfo": {"locations": [location]},
                "reasonCode": "NotAvailableForSubscription",
            }
        )
    capabilities = {
        "vCPUs": str(sku.vcpus),
        "MemoryGB": f"{sku.memory_gb:g}",
        "CachedDiskBytes": str(sku.cached_disk_bytes),
        "EphemeralOSDiskSupported": str(sku.ephemeral_os_disk),
        "PremiumIO": "True",
        "LowPriorityCapable": "True",
    }
    return {
        "resourceType": "virtualMachines",
        "name": sku.name,
        "tier": "Standard",
        "size": sku.name.split("_", 1)[1],
        "family": sku.family,
        "locations": [location],
        "locationInfo": [{"location": location, "zones": ["1", "2", "3"]}],
        "capabilities": [{"name": k, "value": v} for k, v in capabilities.items()],
        "restrictions": restrictions,
    }


def _skus(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    items = [_sku_body(backend, s) for s in SKUS.values()]
    return Response(200, page(backend, request, items))


def register(reg: Registry) -> None:
    reg.route("GET", _SUB + r"/locations/(?P<loc>[^/]+)/usages", _usages, "Microsoft.Compute/usages")
    reg.route("GET", _SUB + r"/skus", _skus, "Microsoft.Compute/skus")
