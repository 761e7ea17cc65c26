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

from orchestrator.azure.retry import OperationFailed, backoff_delay, call_azure, call_lro, retry_transient
from orchestrator.engine.change import Action, Change, FieldChange
from orchestrator.engine.diff import matches
from orchestrator.engine.graph import StepId
from orchestrator.engine.semantics import PLURAL_FORMS, is_resource_id
from orchestrator.engine.step import Document, Outputs, Step
from orchestrator.errors import CloudError, NotFound
from state.schema import StepStatus

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
    """`overlay` on top of `base`: dicts merge, named lists merge by name, other values replace.

    One thing is never spelt twice in the result: a key that is a resource ID (the keys of
    `identity.userAssignedIdentities`) matches the same ID in any case and keeps the overlay's spelling,
    and a singular field the overlay sets drops the plural form ARM answered (`addressPrefixes`)."""
    out = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        live_key = _same_key(out, key)
        old = out.pop(live_key) if live_key != key else out.get(key)
        out[key] = _merged(old, value)
        plural = PLURAL_FORMS.get(key)
        if plural and plural not in overlay:
            out.pop(plural, None)
    return out


def _merged(old: Any, value: Any) -> Any:
    if isinstance(value, Mapping) and isinstance(old, Mapping):
        return merge(old, value)
    if isinstance(old, list) and _named_list(value) and _named_list(old):
        by_name = {str(i["name"]).lower(): i for i in old}
        return [merge(by_name.get(str(i["name"]).lower(), {}), i) for i in value]
    return copy.deepcopy(value)


def _same_key(out: Mapping[str, Any], key: str) -> str:
    """The key of `out` that names what `key` names: `key` itself, or the same resource ID in another case."""
    if key in out or not is_resource_id(str(key)):
        return key
    return next((k for k in out if str(k).lower() == str(key).lower()), key)


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
        self,
        step_id: StepId,
        *,
        phase: int,
        title: str,
        resource_id: str,
        depends_on: tuple[StepId, ...] = (),
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

    def _list(self, ctx: StepContext, pager: Callable[[], Any]) -> list[dict[str, Any]]:
        """Every item of an SDK pager, in the REST shape (for `children`)."""
        return [to_rest(item) for item in self._call(ctx, lambda: list(pager()))]

    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        change, observed = super().plan(ctx)
        if observed is None:
            return change, None
        frozen = tuple(f.path for f in change.fields if matches(f.path, self.immutable))
        if frozen:
            guarded = self.replace_needs_approval and not self._never_built(ctx, observed)
            return Change.replacement(change.fields, frozen, change.desired, needs_approval=guarded), observed
        if change.is_noop and provisioning_state(observed).lower() == "failed":
            field = FieldChange("properties.provisioningState", "Failed", "Succeeded")
            return Change(
                Action.UPDATE, (field,), "the last operation failed; applying again", change.desired
            ), observed
        return change, observed

    def _never_built(self, ctx: StepContext, observed: Document) -> bool:
        """A resource whose create failed and that this deployment never saw succeed (a Spot pool that
        got no capacity): replacing it destroys nothing that ran, so it needs no approval."""
        failed = provisioning_state(observed).lower() == "failed"
        return failed and ctx.store.step(self.id).status != StepStatus.DONE and not ctx.outputs_of(self.id)

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        """Apply `change`; retry, bounded, what Azure says will pass (propagation, a failed operation
        with a transient code), observing the resource again first so nothing is created twice."""
        attempts: dict[str, int] = {}
        while True:
            try:
                return self._apply_once(ctx, change, observed)
            except CloudError as exc:
                delay = self._retry_delay(ctx, exc, attempts)
                if delay is None:
                    raise
            ctx.pause(delay)
            observed = self._get(ctx)

    def _retry_delay(self, ctx: StepContext, exc: CloudError, attempts: dict[str, int]) -> float | None:
        settings = ctx.services.azure.target.retry
        if exc.code in self.propagation_codes:
            kind, limit, delay = (
                "propagation",
                settings.propagation_attempts,
                float(settings.propagation_delay_s),
            )
        elif isinstance(exc, OperationFailed):
            kind, limit = "failed operation", settings.our_attempts
            delay = backoff_delay(settings, attempts.get(kind, 0) + 1)
        else:
            return None
        attempts[kind] = attempts.get(kind, 0) + 1
        if attempts[kind] >= limit:
            return None
        ctx.progress(
            f"{self.title}: {exc.code} ({kind}); observing and applying again, attempt {attempts[kind]}"
        )
        return delay

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
        call_lro(lambda: self._poller.wait(timeout))  # re-raises the failure of a finished operation

    def result(self, timeout: float | None = None) -> Any:
        return call_lro(lambda: self._poller.result(timeout))
