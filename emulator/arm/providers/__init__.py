"""ARM providers: one module per namespace, each exposing `register(reg: Registry)`.

The provider interface (ResourceType registry, hooks, Backend helpers) is documented in
emulator/arm/README.md. Typical real durations of LROs (scaled by Settings.time_scale) are in
`emulator.arm.providers.durations.DURATIONS`.
"""

from __future__ import annotations

import importlib
import importlib.util

from emulator.arm import lro
from emulator.arm.registry import Registry

PROVIDER_MODULES = (
    "resources",
    "network",
    "privatedns",
    "msi",
    "authorization",
    "policy",
    "keyvault",
    "storage",
    "loganalytics",
    "monitor",
    "compute",
    "compute_vmss",  # written by the AKS helper; skipped while absent
    "containerservice",  # written by the AKS helper; skipped while absent
)


def build_registry() -> Registry:
    reg = Registry()
    lro.register_routes(reg)
    for name in PROVIDER_MODULES:
        qualified = f"{__name__}.{name}"
        if importlib.util.find_spec(qualified) is None:
            continue
        importlib.import_module(qualified).register(reg)
    return reg
