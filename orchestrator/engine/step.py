"""The Step: one resource (or wait, or action) with an observe -> diff -> apply -> verify lifecycle.

A step never knows about the CLI. `plan` and `run` call the same `plan()` (observe + diff); `run`
then hands the resulting Change to `apply`, which performs only that Change. `destroy` observes,
checks ownership, and deletes. Subclasses implement the four hooks marked abstract; the base class
turns them into a Change so that every step diffs the same way (`orchestrator.engine.diff`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from orchestrator.engine.change import Action, Change
from orchestrator.engine.diff import diff
from orchestrator.engine.graph import OutputRef, StepId

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

Document = Mapping[str, Any]
Outputs = dict[str, Any]

OWNER_TAG = "orchestrate-deployment"
MANAGED_BY_TAG = "managed-by"


class Ownership(StrEnum):
    OURS = "ours"  # made by this deployment; its own step deletes it first
    SYSTEM = "system"  # made by Azure with the parent (a zone's SOA record): goes with the parent
    FOREIGN = "foreign"  # someone else's: the parent must not be deleted


@dataclass(frozen=True)
class Child:
    """A resource inside a container (a subnet of a VNet, a pool of a cluster, a record of a zone)."""

    kind: str
    name: str
    ownership: Ownership

    def describe(self) -> str:
        """`subnet snet-x`, or an ARM type and name as in a resource ID: `Microsoft.Network/…/nsg-x`."""
        return f"{self.kind}/{self.name}" if "/" in self.kind else f"{self.kind} {self.name}"


def foreign_children(children: Sequence[Child]) -> tuple[str, ...]:
    return tuple(sorted(c.describe() for c in children if c.ownership is Ownership.FOREIGN))


class Step(ABC):
    """Subclasses set `id`, `phase`, `title`, and usually `depends_on` in `__init__`."""

    kind: str = "*"  # resource kind, selects the server-owned fields left out of diffs
    default_timeout_s: ClassVar[float] = 1800.0
    # Replacing or deleting this resource destroys what runs on it (an AKS cluster, a node pool):
    # `--yes` alone never approves that; `run` stops first unless the user approves it.
    replace_needs_approval: ClassVar[bool] = False

    # The output keys later steps may read (`OutputRef`); the graph check refuses a reference to any other.
    provides: ClassVar[frozenset[str]] = frozenset({"id", "name"})

    def __init__(
        self, step_id: StepId, *, phase: int, title: str, depends_on: tuple[StepId, ...] = ()
    ) -> None:
        self.id = step_id
        self.phase = phase
        self.title = title
        self.depends_on = depends_on
        self.timeout_s = self.default_timeout_s

    # -- hooks ---------------------------------------------------------------------------------
    @abstractmethod
    def observe(self, ctx: StepContext) -> Document | None:
        """Read the live resource; None when it does not exist. Reads only."""

    @abstractmethod
    def desired(self, ctx: StepContext) -> Document:
        """The fields this product sets, in the service's own shape."""

    @abstractmethod
    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        """Perform exactly `change` (create or update) and return the outputs to record."""

    @abstractmethod
    def delete(self, ctx: StepContext, observed: Document) -> None:
        """Delete the resource; called only when `owned(observed)` holds."""

    def outputs(self, observed: Document) -> Outputs:
        """What later steps need from an existing resource (IDs, FQDNs); never a credential."""
        return {}

    def verify(self, ctx: StepContext, outputs: Outputs) -> None:  # noqa: B027 (optional hook)
        """Check the result after apply (e.g. nodes Ready); raise to fail the step."""

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        tags = observed.get("tags") or {}
        return bool(tags.get(OWNER_TAG) == ctx.deployment)

    def reads(self) -> tuple[OutputRef[Any], ...]:
        """The outputs of other steps this step uses (each must be a dependency); see `ctx.output`."""
        return ()

    def children(self, ctx: StepContext, observed: Document) -> list[Child]:
        """The resources inside this one that Azure deletes with it. Containers override this, so
        destroy never takes a child this deployment does not own (see `plan_destroy`)."""
        return []

    def exclusive_keys(self) -> tuple[str, ...]:
        """What Azure changes one operation at a time and this step writes (an AKS cluster, the
        federated credentials of one identity): while this step applies or destroys, no other step
        holding one of these keys runs (`orchestrator.engine.scheduler.KeyLocks`)."""
        return ()

    def reattach(self, ctx: StepContext, operation: str, continuation: str) -> None:  # noqa: B027
        """Re-attach to a long-running operation a previous process started (see `ctx.lro`).

        Steps without long-running operations keep this default: the step is simply observed again."""

    def ignored_fields(self, ctx: StepContext) -> tuple[str, ...]:
        """Step-specific server-owned paths, in addition to those declared for `kind`."""
        return ()

    # -- lifecycle, shared by plan, run and destroy ---------------------------------------------
    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        observed = self.observe(ctx)
        desired = self.desired(ctx)
        if observed is None:
            fields = diff(desired, None, kind=self.kind, extra_ignored=self.ignored_fields(ctx))
            return Change(Action.CREATE, tuple(fields), desired=desired), None
        changes = diff(desired, observed, kind=self.kind, extra_ignored=self.ignored_fields(ctx))
        if not changes:
            return Change(Action.NOOP, reason="up to date", desired=desired), observed
        return Change(Action.UPDATE, tuple(changes), desired=desired), observed

    def plan_destroy(self, ctx: StepContext) -> tuple[Change, Document | None]:
        observed = self.observe(ctx)
        if observed is None:
            return Change.noop("already absent"), None
        if not self.owned(ctx, observed):
            return Change.noop(f"not owned by deployment {ctx.deployment!r}: left in place"), observed
        foreign = foreign_children(self.children(ctx, observed))
        if foreign:
            reason = f"kept: it holds what deployment {ctx.deployment!r} does not own: {', '.join(foreign)}"
            return Change(Action.NOOP, reason=reason, blockers=foreign), observed
        return Change(Action.DELETE), observed


def ownership_tags(deployment: str) -> dict[str, str]:
    return {OWNER_TAG: deployment, MANAGED_BY_TAG: "orchestrate"}
