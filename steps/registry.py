"""The seven phases of the seed, in order. Phases whose steps are not built yet are registered by
name and marked unavailable, so `status` and `plan` show the whole road and `run` says plainly
what this version can do."""

from __future__ import annotations

from orchestrator.engine.phases import Phase, PhaseRegistry, no_steps

PHASE_NAMES = (
    "Network foundation",
    "AKS cluster provisioning",
    "CNI and multi-cluster networking",
    "Security architecture",
    "GitOps and observability",
    "Storage and backup",
    "Resilience and validation",
)


def default_registry() -> PhaseRegistry:
    return PhaseRegistry([Phase(n, name, no_steps, available=False) for n, name in enumerate(PHASE_NAMES, 1)])
