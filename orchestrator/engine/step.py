"""The Step: one resource (or wait, or action) with an observe -> diff -> apply -> verify lifecycle.

A step never knows about the CLI. `plan` and `run` call the same `plan()` (observe + diff); `run`
then hands the resulting Change to `apply`, which performs only that Change. `destroy` observes,
checks ownership, and deletes. Subclasses implement the four hooks marked abstract; the base class
turns them into a Change so that every step diffs the same way (`orchestrator.engine.diff`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from orchestrator.engine.change import Action, Change
from orchestrator.engine.diff import diff

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

Document = Mapping[str, Any]
Outputs = dict[str, Any]

OWNER_TAG = "orchestrate-deployment"
MANAGED_BY_TAG = "managed-by"


class Step(ABC):
    """Subclasses set `id`, `phase`, `title`, and usually `depends_on` in `__init__`."""

    kind: str = "*"  # resource kind, selects the server-owned fields left out of diffs
    default_timeout_s: ClassVar[float] = 1800.0

    def __init__(self, step_id: str, *, phase: int, title: str, depends_on: tuple[str, ...] = ()):
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
        return Change(Action.DELETE), observed


def ownership_tags(deployment: str) -> dict[str, str]:
    return {OWNER_TAG: deployment, MANAGED_BY_TAG: "orchestrate"}
