"""The registry of named controller kinds: in-cluster software the emulator models.

A cluster's persisted settings list the kinds enabled on it (with a small JSON config each), so a
controller enabled once keeps reconciling in every later process that loads the cluster: under
``--cloud local``, ``python -m emulator serve`` and in tests alike. A kind is a factory
``build(config) -> controller``; the controller is a ``PluginController`` (``extensions``) run in the
control loop after every write. Controllers keep no state of their own: everything they need is in the
cluster's objects or their config, so re-creating them on load changes nothing.

Add a kind by adding it to ``_kinds()`` below, one module per kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .azurelb import AzureLoadBalancerModel
from .certgen import CertgenModel
from .cilium import CiliumAgentModel, CiliumOperatorModel
from .extensions import PluginController
from .gateway import CiliumGatewayModel
from .probe import MeshProbeModel

Config = dict[str, Any]
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ControllerKind:
    name: str
    models: str  # what it stands in for, one line (listed in docs/LOCAL-CLOUD.md)
    build: Callable[[Config], PluginController]
    default: bool = False  # enabled on every new cluster (and on clusters saved before kinds existed)


def _kinds() -> tuple[ControllerKind, ...]:
    return (
        ControllerKind(
            "cilium-operator",
            "Cilium's operator: registers the cilium.io CRDs once a cilium-operator pod is Ready",
            CiliumOperatorModel,
            default=True,
        ),
        ControllerKind(
            "cilium-agent",
            "Cilium's agent: CrashLoopBackOff with the reason while cilium-config cannot work on AKS BYO CNI",
            CiliumAgentModel,
        ),
        ControllerKind(
            "cilium-gateway",
            "Cilium's Gateway API controller: Gateway Programmed with an address, HTTPRoute status",
            CiliumGatewayModel,
        ),
        ControllerKind(
            "cilium-certgen",
            "Cilium's certgen Job: reuses or creates cilium-ca, issues the clustermesh-apiserver certificates",
            CertgenModel,
        ),
        # aks_kube enables these five on every AKS cluster; the last two read the ARM state and the other clusters (config: stateDir, clusterId; aks_kube)
        ControllerKind(
            "azure-cloud-provider",
            "AKS cloud provider: internal load balancers in the subnet a Service names, or pending with why",
            AzureLoadBalancerModel,
        ),
        ControllerKind(
            "mesh-probe",
            "Cluster Mesh dataplane: a probe Job's call to a global Service succeeds only over a working mesh",
            MeshProbeModel,
        ),
    )


KINDS: Mapping[str, ControllerKind] = MappingProxyType({kind.name: kind for kind in _kinds()})


def defaults(kinds: Mapping[str, ControllerKind]) -> dict[str, Config]:
    return {name: {} for name, kind in kinds.items() if kind.default}


class ControllerSet:
    """The controller kinds enabled on one cluster, and their running instances."""

    def __init__(self, kinds: Mapping[str, ControllerKind]) -> None:
        self.kinds = kinds
        self._enabled: dict[str, Config] = {}
        self._running: dict[str, PluginController] = {}

    def enable(self, name: str, config: Config | None = None) -> None:
        if name not in self.kinds:
            known = ", ".join(sorted(self.kinds)) or "none"
            raise ValueError(f"unknown controller kind {name!r} (known: {known})")
        wanted = dict(config or {})
        if self._enabled.get(name) != wanted or name not in self._running:
            self._enabled[name] = wanted
            self._running[name] = self.kinds[name].build(wanted)

    def disable(self, name: str) -> None:
        self._enabled.pop(name, None)
        self._running.pop(name, None)

    def enabled(self) -> dict[str, Config]:
        return {name: dict(config) for name, config in self._enabled.items()}

    def replace(self, enabled: Mapping[str, Config]) -> None:
        """Match ``enabled`` (as persisted); kinds this build does not know are skipped."""
        for name in list(self._enabled):
            if name not in enabled:
                self.disable(name)
        for name, config in enabled.items():
            if name in self.kinds:
                self.enable(name, config)
            else:
                _log.warning("controller kind %r is not known to this emulator; not running it", name)

    def running(self) -> list[PluginController]:
        return list(self._running.values())

    def export(self) -> list[dict[str, Any]]:
        return [{"kind": name, "config": config} for name, config in sorted(self._enabled.items())]


def parse(entries: Any, kinds: Mapping[str, ControllerKind]) -> dict[str, Config]:
    """Persisted ``[{"kind", "config"}]`` -> kind -> config (defaults when the list is missing)."""
    if not isinstance(entries, list):
        return defaults(kinds)
    return {
        str(e["kind"]): dict(e.get("config") or {}) for e in entries if isinstance(e, dict) and e.get("kind")
    }
