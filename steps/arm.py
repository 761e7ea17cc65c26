"""ArmStep: one Azure Resource Manager resource, observed and written through an SDK operations group.

Subclasses say how to read, write and delete their resource (`read`, `write`, `remove`) and what they
want (`desired`, in the REST shape ARM returns). This base class does the rest the same way for every
resource: waits out an operation already in flight before diffing, re-applies a resource whose last
operation failed, replaces a resource when an immutable field changes, journals every write and keeps
the continuation token of long-running operations so `resume` re-attaches to them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from orchestrator.azure.retry import call_azure, retry_transient
from orchestrator.engine.change import Action, Change, FieldChange
from orchestrator.engine.diff import matches
from orchestrator.engine.step import Document, Outputs, Step
from orchestrator.errors import CloudError, NotFound

if TYPE_CHECKING:
    from orchestrator.engine.context import Poller, StepContext

TERMINAL_STATES = frozenset({"succeeded", "failed", "canceled"})
READ_ONLY_TOP = ("id", "name", "type", "etag", "systemData")


def begin(start: Callable[..., Any], *args: Any, token: str | None) -> Any:
    """Call an SDK `begin_*` afresh, or re-attach to its operation from a continuation token."""
    return start(*args, continuation_token=token) if token else start(*args)


def to_rest(model: Any) -> dict[str, Any]:
    """An SDK model as the JSON ARM returns (TypeSpec models and msrest models differ here)."""
    if model is None:
        return {}
    if isinstance(model, Mapping) and not hasattr(model, "as_dict"):
        return dict(model)
    if hasattr(model, "_attribute_map"):  # msrest (msi, authorization)
        return dict(model.serialize(keep_readonly=True))
    return dict(model.as_dict())


def merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """`overlay` on top of `base`: dicts merge, named lists merge by name, other values replace."""
    out = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        old = out.get(key)
        if isinstance(value, Mapping) and isinstance(old, Mapping):
            out[key] = merge(old, value)
        elif isinstance(old, list) and _named_list(value) and _named_list(old):
            by_name = {str(i["name"]).lower(): i for i in old}
            out[key] = [merge(by_name.get(str(i["name"]).lower(), {}), i) for i in value]
        else:
            out[key] = copy.deepcopy(value)
    return out


def _named_list(value: Any) -> bool:
    return (
        isinstance(value, list) and bool(value) and all(isinstance(i, Mapping) and "name" in i for i in value)
    )


def provisioning_state(observed: Mapping[str, Any] | None) -> str:
    props = (observed or {}).get("properties") or {}
    return str(props.get("provisioningState") or "Succeeded")


class ArmStep(Step):
    lro_write: ClassVar[bool] = True
    lro_delete: ClassVar[bool] = True
    immutable: ClassVar[tuple[str, ...]] = ()  # path globs that cannot change in place
    # Error codes that mean "what this depends on was created moments ago and has not propagated yet"
    # (Entra ID replication, RBAC): the write is tried again for a bounded time, never forever.
    propagation_codes: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self, step_id: str, *, phase: int, title: str, resource_id: str, depends_on: tuple[str, ...] = ()
    ) -> None:
        super().__init__(step_id, phase=phase, title=title, depends_on=depends_on)
        self.resource_id = resource_id

    # -- what subclasses provide -----------------------------------------------------------------
    def operations(self, ctx: StepContext) -> Any:
        """The SDK operations group of this resource (e.g. `network().virtual_networks`)."""
        raise NotImplementedError

    def key(self) -> tuple[str, ...]:
        """The path arguments of the SDK calls, e.g. (resource group, VNet, subnet)."""
        return ()

    def read(self, ctx: StepContext) -> Any:
        return self.operations(ctx).get(*self.key())

    def write(self, ctx: StepContext, body: dict[str, Any], continuation: str | None) -> Any:
        """Start the create/update; return a poller when `lro_write`, else the result."""
        return begin(self.operations(ctx).begin_create_or_update, *self.key(), body, token=continuation)

    def remove(self, ctx: StepContext, continuation: str | None) -> Any:
        return begin(self.operations(ctx).begin_delete, *self.key(), token=continuation)

    def body(self, ctx: StepContext, change: Change, observed: Document | None) -> dict[str, Any]:
        """The request body: what we want, on top of what is there (PUT replaces the whole resource)."""
        desired = dict(change.desired)
        if observed is None or change.replace:
            return desired
        live = {k: v for k, v in observed.items() if k not in READ_ONLY_TOP}
        return merge(live, desired)

    # -- lifecycle -------------------------------------------------------------------------------
    def observe(self, ctx: StepContext) -> Document | None:
        observed = self._get(ctx)
        while observed is not None and provisioning_state(observed).lower() not in TERMINAL_STATES:
            state = provisioning_state(observed)
            ctx.check()
            ctx.progress(f"{self.title} is {state} (an operation is in flight); waiting for it")
            ctx.wait_until(f"{self.title} {state}", lambda: self._settled(ctx), interval=1.0)
            observed = self._get(ctx)
        return observed

    def _settled(self, ctx: StepContext) -> bool:
        current = self._get(ctx)
        return current is None or provisioning_state(current).lower() in TERMINAL_STATES

    def _get(self, ctx: StepContext) -> dict[str, Any] | None:
        try:
            return to_rest(self._call(ctx, lambda: self.read(ctx)))
        except NotFound:
            return None

    def _call(self, ctx: StepContext, fn: Callable[[], Any], *, idempotent: bool = True) -> Any:
        return retry_transient(lambda: call_azure(fn, idempotent=idempotent), ctx.services.azure.target.retry)

    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        change, observed = super().plan(ctx)
        if observed is None:
            return change, None
        frozen = [f for f in change.fields if matches(f.path, self.immutable)]
        if frozen:
            reason = f"replace: {', '.join(f.path for f in frozen)} cannot change in place"
            return Change(Action.UPDATE, change.fields, reason, change.desired, replace=True), observed
        if change.is_noop and provisioning_state(observed).lower() == "failed":
            field = FieldChange("properties.provisioningState", "Failed", "Succeeded")
            return Change(
                Action.UPDATE, (field,), "the last operation failed; applying again", change.desired
            ), observed
        return change, observed

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        settings = ctx.services.azure.target.retry
        for attempt in range(1, settings.propagation_attempts + 1):
            try:
                return self._apply_once(ctx, change, observed)
            except CloudError as exc:
                if exc.code not in self.propagation_codes or attempt == settings.propagation_attempts:
                    raise
                ctx.progress(f"{self.title}: {exc.code}, waiting for Azure to propagate (attempt {attempt})")
                ctx.pause(settings.propagation_delay_s)
                observed = self._get(ctx)
        raise AssertionError("unreachable")

    def _apply_once(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        if change.replace and observed is not None:
            self.delete(ctx, observed)
            observed = None
        body = self.body(ctx, change, observed)
        verb = "create" if observed is None else "update"
        result = self._write(ctx, f"{verb} {self.resource_id}", body)
        return self.outputs(to_rest(result) or (self._get(ctx) or {}))

    def _write(self, ctx: StepContext, operation: str, body: dict[str, Any]) -> Any:
        if not self.lro_write:
            return ctx.mutate(operation, lambda: self._call(ctx, lambda: self.write(ctx, body, None)))
        return ctx.lro(
            operation, lambda token: self._wrapped_poller(ctx, lambda: self.write(ctx, body, token))
        )

    def delete(self, ctx: StepContext, observed: Document) -> None:
        operation = f"delete {self.resource_id}"
        if not self.lro_delete:
            ctx.mutate(operation, lambda: self._call(ctx, lambda: self.remove(ctx, None)))
            return
        ctx.lro(operation, lambda token: self._wrapped_poller(ctx, lambda: self.remove(ctx, token)))

    def _wrapped_poller(self, ctx: StepContext, start: Callable[[], Poller[Any]]) -> Poller[Any]:
        return MappedPoller(self._call(ctx, start))

    def reattach(self, ctx: StepContext, operation: str, continuation: str) -> None:
        """Finish the operation a previous process started, from its continuation token."""
        if operation.startswith("delete "):
            ctx.lro(operation, lambda token: self._wrapped_poller(ctx, lambda: self.remove(ctx, token)))
        else:
            ctx.lro(operation, lambda token: self._wrapped_poller(ctx, lambda: self.write(ctx, {}, token)))

    def outputs(self, observed: Document) -> Outputs:
        return {"id": observed.get("id", self.resource_id), "name": self.resource_id}


class MappedPoller:
    """An SDK poller whose `result()` maps SDK errors like every other call (every LRO goes through it)."""

    def __init__(self, poller: Any) -> None:
        self._poller = poller

    def continuation_token(self) -> str:
        return str(self._poller.continuation_token())

    def done(self) -> bool:
        return bool(self._poller.done())

    def wait(self, timeout: float | None = None) -> None:
        self._poller.wait(timeout)

    def result(self, timeout: float | None = None) -> Any:
        return call_azure(lambda: self._poller.result(timeout))
