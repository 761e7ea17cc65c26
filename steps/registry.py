"""The seven phases of the seed, in order. Phases whose steps are not built yet are registered by
name and marked unavailable, so `status` and `plan` show the whole road and `run` says plainly
what this version can do."""

from __future__ import annotations

from typing import Any

from orchestrator.config.checks import Problem
from orchestrator.engine.phases import Phase, PhaseRegistry, Preflight, StepBuilder, no_steps
from orchestrator.engine.step import Step

PHASE_NAMES = (
    "Network foundation",
    "AKS cluster provisioning",
    "CNI and multi-cluster networking",
    "Security architecture",
    "GitOps and observability",
    "Storage and backup",
    "Resilience and validation",
)


def _phase1(config: Any) -> list[Step]:
    from steps.network import phase1_steps

    return list(phase1_steps(config))


def _phase2(config: Any) -> list[Step]:
    from steps.clusters import phase2_steps

    return list(phase2_steps(config))


def _phase3(config: Any) -> list[Step]:
    from steps.phase3 import phase3_steps

    return list(phase3_steps(config))


def _preflight1(config: Any, services: Any) -> list[Problem]:
    from steps.preflight import phase1_preflight

    return phase1_preflight(config, services)


def _preflight2(config: Any, services: Any) -> list[Problem]:
    from steps.preflight import phase2_preflight

    return phase2_preflight(config, services)


def _preflight3(config: Any, services: Any) -> list[Problem]:
    from steps.phase3.preflight import phase3_preflight

    return phase3_preflight(config, services)


def _verify3(config: Any) -> list[Step]:
    from steps.phase3 import phase3_verification

    return phase3_verification(config)


VERIFICATIONS: dict[int, StepBuilder] = {3: _verify3}

BUILDERS: dict[int, tuple[StepBuilder, Preflight]] = {
    1: (_phase1, _preflight1),
    2: (_phase2, _preflight2),
    3: (_phase3, _preflight3),
}


def default_registry() -> PhaseRegistry:
    phases = []
    for number, name in enumerate(PHASE_NAMES, 1):
        build, preflight = BUILDERS.get(number, (no_steps, None))
        phases.append(
            Phase(
                number,
                name,
                build,
                available=number in BUILDERS,
                preflight=preflight,
                verification=VERIFICATIONS.get(number),
            )
        )
    return PhaseRegistry(phases)
