"""Typical real durations (seconds) of ARM operations, scaled by Settings.time_scale.

Figures are rounded observations from Azure in 2024-2025 (Korea Central); they drive realistic
`--time-scale 1` runs and the docs table in docs/LOCAL-CLOUD.md.
"""

from __future__ import annotations

DURATIONS: dict[str, float] = {
    "Microsoft.Resources/resourceGroups:delete": 30.0,
    "Microsoft.Network/virtualNetworks": 5.0,
    "Microsoft.Network/virtualNetworks:delete": 10.0,
    "Microsoft.Network/virtualNetworks/subnets": 3.0,
    "Microsoft.Network/networkSecurityGroups": 3.0,
    "Microsoft.Network/networkSecurityGroups/securityRules": 2.0,
    "Microsoft.Network/privateDnsZones": 30.0,
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks": 30.0,
    "Microsoft.KeyVault/vaults": 20.0,
    "Microsoft.KeyVault/vaults:purge": 30.0,
    "Microsoft.Storage/storageAccounts": 20.0,
    "Microsoft.OperationalInsights/workspaces": 30.0,
    "Microsoft.OperationalInsights/workspaces:delete": 10.0,
    "Microsoft.ContainerService/managedClusters": 360.0,
    "Microsoft.ContainerService/managedClusters:delete": 300.0,
    "Microsoft.ContainerService/managedClusters/agentPools": 180.0,
    "Microsoft.ContainerService/managedClusters/agentPools:delete": 120.0,
}


def duration(key: str) -> float:
    return DURATIONS.get(key, 0.0)
