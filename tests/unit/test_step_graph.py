"""The typed step graph: IDs from typed parts, the whole graph checked when it is built, and typed
references to other steps' outputs that read as "known after apply" until the producer has run."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from orchestrator.config import parse_config
from orchestrator.config.template import render_default_config
from orchestrator.engine.change import Change
from orchestrator.engine.graph import (
    KNOWN_AFTER_APPLY,
    GraphError,
    OutputRef,
    StepId,
    step_id,
    validate_graph,
)
from orchestrator.engine.phases import Phase, PhaseRegistry
from orchestrator.engine.step import Document, Outputs, Step
from steps import ids
from steps.registry import default_registry


class Probe(Step):
    """A step that touches nothing: enough to build graphs with."""

    provides = frozenset({"id", "principalId"})

    def __init__(self, sid: str, deps: tuple[str, ...] = (), reads: tuple[OutputRef[Any], ...] = ()) -> None:
        super().__init__(StepId(sid), phase=1, title=sid, depends_on=tuple(StepId(d) for d in deps))
        self._reads = reads

    def reads(self) -> tuple[OutputRef[Any], ...]:
        return self._reads

    def observe(self, ctx: Any) -> Document | None:
        return None

    def desired(self, ctx: Any) -> Document:
        return {}

    def apply(self, ctx: Any, change: Change, observed: Document | None) -> Outputs:
        return {}

    def delete(self, ctx: Any, observed: Document) -> None:
        pass


def _config() -> Any:
    return parse_config(render_default_config())


def test_the_registered_phases_form_a_valid_graph_with_ids_from_one_place() -> None:
    graph = default_registry().graph(_config())
    assert ids.cluster("aks-app1") in graph and ids.pool("aks-app1", "spot") in graph
    assert graph[ids.subnet_role("aks-app1")].depends_on == (ids.identity("aks-app1"), ids.subnet("app1"))
    assert all(len(step.id.split("/")) >= 2 for step in graph.values())


def test_a_duplicate_step_id_fails_graph_construction() -> None:
    with pytest.raises(GraphError, match="duplicate step ID 'p1/a'"):
        validate_graph([Probe("p1/a"), Probe("p1/a")])


def test_an_unknown_dependency_fails_graph_construction() -> None:
    with pytest.raises(GraphError, match=r"p1/b depends on unknown step 'p1/typo'"):
        validate_graph([Probe("p1/a"), Probe("p1/b", deps=("p1/typo",))])


def test_a_cycle_fails_graph_construction() -> None:
    with pytest.raises(GraphError, match="cycle"):
        validate_graph([Probe("p1/a", deps=("p1/b",)), Probe("p1/b", deps=("p1/a",))])


def test_an_output_reference_must_name_a_dependency_and_a_provided_key() -> None:
    principal = OutputRef(StepId("p1/a"), "principalId", str)
    validate_graph([Probe("p1/a"), Probe("p1/b", deps=("p1/a",), reads=(principal,))])  # fine
    with pytest.raises(GraphError, match="does not depend on p1/a"):
        validate_graph([Probe("p1/a"), Probe("p1/b", reads=(principal,))])
    secret = OutputRef(StepId("p1/a"), "password", str)
    with pytest.raises(GraphError, match="which p1/a does not provide"):
        validate_graph([Probe("p1/a"), Probe("p1/b", deps=("p1/a",), reads=(secret,))])


def test_a_registry_whose_phase_adds_a_broken_step_is_refused_before_anything_runs() -> None:
    registry = PhaseRegistry([Phase(1, "one", lambda config: [Probe("p1/x", deps=("p1/missing",))])])
    with pytest.raises(GraphError, match="unknown step"):
        registry.graph(None)


def test_step_ids_are_built_from_plain_parts_only() -> None:
    assert step_id(2, "pool", "aks-app1", "spot") == "p2/pool/aks-app1/spot"
    assert step_id("power", "aks-app1") == "power/aks-app1"
    for bad in ("a/b", "", "two words"):
        with pytest.raises(GraphError):
            step_id(1, "subnet", bad)


class _Store:
    def __init__(self, outputs: dict[str, dict[str, Any]]) -> None:
        self._outputs = outputs

    def step(self, sid: str) -> Any:
        return type("Record", (), {"outputs": self._outputs.get(sid, {})})()


def test_an_output_is_known_after_apply_until_its_producer_has_run_and_is_typed_after() -> None:
    import threading

    from orchestrator.engine.context import StepContext

    ref = OutputRef(StepId("p2/identity/x"), "principalId", str)

    def ctx(outputs: dict[str, dict[str, Any]]) -> StepContext:
        return StepContext(
            step_id="p2/subnet-role/x",
            deployment="d",
            config=None,
            store=_Store(outputs),  # type: ignore[arg-type]
            services=None,
            cancel=threading.Event(),
            deadline=1e18,  # type: ignore[arg-type]
        )

    assert ctx({}).output(ref) is KNOWN_AFTER_APPLY and str(KNOWN_AFTER_APPLY) == "(known after apply)"
    assert ctx({"p2/identity/x": {"principalId": "abc"}}).output(ref) == "abc"
    with pytest.raises(GraphError, match="is int, not str"):
        ctx({"p2/identity/x": {"principalId": 7}}).output(ref)


def test_default_config_round_trips_for_these_tests() -> None:
    assert yaml.safe_load(render_default_config())["name"] == _config().name
