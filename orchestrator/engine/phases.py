"""The phase registry: seven ordered phases, each building its steps from the config.

The registry is an object passed to the engine (never a module-level singleton), so tests and other
front ends can run the engine over their own phases (kopf's injectable registry).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.engine.graph import StepId, validate_graph
from orchestrator.engine.step import Step

if TYPE_CHECKING:  # the config package loads pydantic models; `--help` must not pay for them
    from orchestrator.config.checks import Problem

StepBuilder = Callable[[Any], list[Step]]
Preflight = Callable[[Any, Any], "list[Problem]"]  # (config, services) -> problems; reads only


@dataclass(frozen=True)
class Phase:
    number: int
    name: str
    build: StepBuilder
    available: bool = True  # False: registered and named, but not implemented in this version
    preflight: Preflight | None = None
    verification: StepBuilder | None = None  # what `orchestrate verify` runs: checks only, no installs

    def steps(self, config: Any) -> list[Step]:
        steps = self.build(config)
        for step in steps:
            if step.phase != self.number:
                raise ValueError(
                    f"step {step.id} says phase {step.phase} but is built by phase {self.number}"
                )
        return steps

    def checks(self, config: Any) -> list[Step]:
        """The phase's verification steps, each standing alone (no dependencies)."""
        steps = self.verification(config) if self.verification is not None else []
        for step in steps:
            if step.phase != self.number or step.depends_on:
                raise ValueError(f"verification step {step.id} must be of phase {self.number}, on its own")
        return steps


class PhaseRegistry:
    def __init__(self, phases: Sequence[Phase]) -> None:
        numbers = [p.number for p in phases]
        if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
            raise ValueError("phases must be registered once each, in order")
        self._phases = {p.number: p for p in phases}

    def __iter__(self) -> Iterator[Phase]:
        return iter(self._phases.values())

    def get(self, number: int) -> Phase:
        return self._phases[number]

    def numbers(self) -> list[int]:
        return list(self._phases)

    def __contains__(self, number: object) -> bool:
        return number in self._phases

    def graph(self, config: Any) -> dict[StepId, Step]:
        """Every registered phase's steps as one graph, checked (unique IDs, dependencies and output
        references resolve, no cycle): a bug in a phase fails here, before any call is made."""
        return validate_graph([step for phase in self for step in phase.steps(config)])


def no_steps(config: Any) -> list[Step]:
    return []
