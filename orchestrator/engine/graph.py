"""The step graph: typed step IDs, typed references to other steps' outputs, and the checks that
every registered phase's steps form one sound graph (unique IDs, every dependency and every output
reference resolves, no cycle). A violation is a bug in the product, found when the graph is built,
never halfway through a run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, NewType, TypeVar

from orchestrator.errors import OrchestrateError

if TYPE_CHECKING:
    from orchestrator.engine.step import Step

StepId = NewType("StepId", str)
T = TypeVar("T")

_PART = re.compile(r"^[^/\s]+$")


class GraphError(OrchestrateError):
    """The product's own steps do not form a valid graph: an internal error, reported as such."""


def step_id(phase: int | str, kind: str, *names: str) -> StepId:
    """`p2/cluster/aks-app1`: the one way a step ID is made, from typed parts.

    `phase` is a phase number, or a word for steps outside the phases (`power`)."""
    prefix = f"p{phase}" if isinstance(phase, int) else phase
    for part in (prefix, kind, *names):
        if not _PART.match(part):
            raise GraphError(f"step ID part {part!r} must be non-empty, with no '/' or spaces")
    return StepId("/".join((prefix, kind, *names)))


class KnownAfterApply:
    """The value of an output whose producer has not run yet: what `plan` shows in its place."""

    text = "(known after apply)"

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


KNOWN_AFTER_APPLY = KnownAfterApply()


@dataclass(frozen=True)
class OutputRef(Generic[T]):
    """A typed reference to one output of another step, e.g. an identity's `principalId`."""

    step: StepId
    key: str
    type: type[T]

    def describe(self) -> str:
        return f"{self.step}.{self.key}"

    def convert(self, value: object) -> T:
        if not isinstance(value, self.type):
            raise GraphError(f"output {self.describe()} is {type(value).__name__}, not {self.type.__name__}")
        return value


def validate_graph(steps: Sequence[Step]) -> dict[StepId, Step]:
    """Check the whole graph; return the steps by ID. Raises GraphError naming every problem."""
    by_id: dict[StepId, Step] = {}
    problems: list[str] = []
    for step in steps:
        if step.id in by_id:
            problems.append(f"duplicate step ID {step.id!r}")
        by_id[step.id] = step
    plain: dict[str, Step] = {str(k): v for k, v in by_id.items()}
    for step in steps:
        problems += [f"{step.id} depends on unknown step {d!r}" for d in step.depends_on if d not in by_id]
        problems += _reference_problems(step, plain)
    if not problems:
        problems += _cycles({s.id: set(s.depends_on) for s in steps})
    if problems:
        raise GraphError("invalid step graph (a bug in orchestrate): " + "; ".join(problems))
    return by_id


def _reference_problems(step: Step, by_id: Mapping[str, Step]) -> list[str]:
    problems = []
    for ref in step.reads():
        producer = by_id.get(ref.step)
        if producer is None:
            problems.append(f"{step.id} reads {ref.describe()} of an unknown step")
        elif ref.key not in producer.provides:
            problems.append(f"{step.id} reads {ref.describe()}, which {producer.id} does not provide")
        elif ref.step not in ancestors(step.id, by_id):
            problems.append(f"{step.id} reads {ref.describe()} but does not depend on {ref.step}")
    return problems


def ancestors(step_id: str, by_id: Mapping[str, Step]) -> set[str]:
    """Every step `step_id` depends on, directly or not (in a destroy: what it keeps if it is kept)."""
    seen: set[str] = set()
    todo: list[str] = list(by_id[step_id].depends_on) if step_id in by_id else []
    while todo:
        current = todo.pop()
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        todo.extend(by_id[current].depends_on)
    return seen


def _cycles(waits_on: Mapping[StepId, Iterable[StepId]]) -> list[str]:
    remaining = {k: set(v) & set(waits_on) for k, v in waits_on.items()}
    while remaining:
        free = [k for k, v in remaining.items() if not v]
        if not free:
            return [f"steps depend on each other in a cycle: {sorted(remaining)}"]
        for k in free:
            del remaining[k]
        for v in remaining.values():
            v.difference_update(free)
    return []
