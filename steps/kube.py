"""Step kinds for what later phases put into the clusters, on the same lifecycle as Azure resources.

- `KubeObjectStep`: one Kubernetes object, applied with server-side apply (field manager
  `orchestrate`), diffed on the fields we set, owned through its labels. A Helm chart is a list of
  these: the product renders charts to manifests and applies them, so plan shows every object.
  A Secret's data (and any path declared `sensitive`) is compared on a content hash and shown as
  `(sensitive)` (`steps.kube_sensitive`); its values may be `SecretKey`s that the run's broker
  resolves at apply time (`steps.secret_values`), and the plaintext exists only in the request body.
- `WaitStep`: a condition the cluster must reach (nodes Ready, a rollout complete), as a step with its
  own timeout, so the wait is planned, shown and resumable like any change.
- `ActionStep`: something that is done rather than kept (a drill that evicts a Spot node and measures
  recovery); it runs once, records its result in the state, and is a no-op afterwards unless forced.
"""

from __future__ import annotations

import contextlib
import dataclasses
from abc import abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from orchestrator.engine.change import Action, Change, FieldChange
from orchestrator.engine.graph import StepId
from orchestrator.engine.step import Document, Outputs, Step
from orchestrator.errors import NotFound
from orchestrator.kube.errors import call_kube
from orchestrator.secret import reveal_all
from steps import kube_sensitive as sensitive
from steps.secret_values import resolve

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

FIELD_MANAGER = "orchestrate"
OWNER_LABEL = "orchestrate.io/deployment"


@runtime_checkable
class AppliesObjects(Protocol):
    """A step that is not itself a Kubernetes object but applies some (the mesh probe's Job):
    `orchestrate render` writes them too."""

    def kube_objects(self) -> list[KubeObjectStep]: ...


class KubeObjectStep(Step):
    def __init__(
        self,
        step_id: StepId,
        *,
        phase: int,
        cluster: str,
        manifest: dict[str, Any],
        depends_on: tuple[StepId, ...] = (),
        sensitive_fields: tuple[str, ...] = (),
        propagation: str | None = None,
    ) -> None:
        """`propagation`: the delete's propagationPolicy (None: the API's default for the kind)."""
        meta = manifest["metadata"]
        where = f"{meta['namespace']}/" if meta.get("namespace") else ""
        super().__init__(
            step_id,
            phase=phase,
            title=f"{manifest['kind']} {where}{meta['name']} on {cluster}",
            depends_on=depends_on,
        )
        self.cluster, self.manifest = cluster, manifest
        self.kind = f"{manifest['apiVersion']}/{manifest['kind']}"
        self.sensitive = sensitive.sensitive_paths(self.kind, sensitive_fields)
        self.propagation = propagation

    def _resource(self, ctx: StepContext) -> Any:
        dyn = ctx.kube().dynamic(self.cluster)
        api_version, kind = self.manifest["apiVersion"], self.manifest["kind"]
        return call_kube(lambda: dyn.resources.get(api_version=api_version, kind=kind))

    def _name_ns(self) -> tuple[str, str | None]:
        meta = self.manifest["metadata"]
        return meta["name"], meta.get("namespace")

    def observe(self, ctx: StepContext) -> Document | None:
        resource, (name, namespace) = self._resource(ctx), self._name_ns()
        try:
            found = call_kube(lambda: resource.get(name=name, namespace=namespace))
        except NotFound:
            return None
        result: Document = sensitive.wrap(found.to_dict(), self.sensitive)  # live values, as Secrets
        return result

    def desired(self, ctx: StepContext) -> Document:
        manifest = resolve(self.manifest, ctx)
        meta = dict(manifest["metadata"])
        meta["labels"] = {
            **meta.get("labels", {}),
            OWNER_LABEL: ctx.deployment,
            "app.kubernetes.io/managed-by": "orchestrate",
        }
        doc = {**manifest, "metadata": meta}
        if self.kind == "v1/Secret":
            doc = sensitive.fold_string_data(doc)  # the API server stores stringData as data
        return sensitive.wrap(doc, self.sensitive)

    def ignored_fields(self, ctx: StepContext) -> tuple[str, ...]:
        """Sensitive paths are compared on their content hash by `plan`, not by the field diff."""
        return tuple(p.path for p in self.sensitive)

    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        change, observed = super().plan(ctx)
        if not self.sensitive or change.desired is None:
            return change, observed
        return _with(change, sensitive.sensitive_changes(change.desired, observed, self.sensitive)), observed

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        dyn, resource, (name, namespace) = (
            ctx.kube().dynamic(self.cluster),
            self._resource(ctx),
            self._name_ns(),
        )
        desired, masked = change.desired, sensitive.plaintexts(change.desired)
        ctx.mutate(
            f"server-side apply {self.title} ({change.action})",
            lambda: sensitive.without_plaintext(
                lambda: call_kube(
                    lambda: dyn.server_side_apply(
                        resource,
                        body=reveal_all(desired),  # the only place the plaintext exists
                        name=name,
                        namespace=namespace,
                        field_manager=FIELD_MANAGER,
                        force_conflicts=True,
                    )
                ),
                masked,
            ),
        )
        return {"name": name, "namespace": namespace, "cluster": self.cluster}

    def outputs(self, observed: Document) -> Outputs:
        name, namespace = self._name_ns()
        return {"name": name, "namespace": namespace, "cluster": self.cluster}

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        labels = (observed.get("metadata") or {}).get("labels") or {}
        return bool(labels.get(OWNER_LABEL) == ctx.deployment)

    def delete(self, ctx: StepContext, observed: Document) -> None:
        resource, (name, namespace) = self._resource(ctx), self._name_ns()
        body = {"propagationPolicy": self.propagation} if self.propagation else None

        def call() -> None:
            with contextlib.suppress(NotFound):  # already gone (a retried DELETE): the intent is met
                call_kube(lambda: resource.delete(name=name, namespace=namespace, body=body))

        ctx.mutate(f"delete {self.title}", call)


def _with(change: Change, extra: list[FieldChange]) -> Change:
    """`change` with the sensitive fields that differ added; an up-to-date object becomes an update."""
    if not extra:
        return change
    if change.action is Action.NOOP:
        return Change(Action.UPDATE, tuple(extra), desired=change.desired)
    return dataclasses.replace(change, fields=(*change.fields, *extra))


class WaitStep(Step):
    """Wait until `check` says the condition holds; `check` returns (holds, what it saw)."""

    def __init__(
        self,
        step_id: StepId,
        *,
        phase: int,
        title: str,
        check: Callable[[StepContext], tuple[bool, str]],
        depends_on: tuple[StepId, ...] = (),
        timeout_s: float = 600.0,
    ) -> None:
        super().__init__(step_id, phase=phase, title=title, depends_on=depends_on)
        self.check = check
        self.timeout_s = timeout_s

    def observe(self, ctx: StepContext) -> Document | None:
        holds, seen = self.check(ctx)
        return {"ready": holds, "seen": seen}

    def desired(self, ctx: StepContext) -> Document:
        return {"ready": True}

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        ctx.wait_until(self.title, lambda: self.check(ctx)[0], interval=1.0)
        return {"ready": True, "seen": self.check(ctx)[1]}

    def outputs(self, observed: Document) -> Outputs:
        return {"ready": observed.get("ready"), "seen": observed.get("seen")}

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        return False  # nothing to delete

    def delete(self, ctx: StepContext, observed: Document) -> None:
        """A wait leaves nothing behind."""


class ActionStep(Step):
    """Run `act` once and keep its result (e.g. a drill's measured recovery time) in the state."""

    def __init__(
        self,
        step_id: StepId,
        *,
        phase: int,
        title: str,
        depends_on: tuple[StepId, ...] = (),
        always: bool = False,
    ) -> None:
        super().__init__(step_id, phase=phase, title=title, depends_on=depends_on)
        self.always = always

    @abstractmethod
    def act(self, ctx: StepContext) -> Outputs:
        """Do the thing; return what was measured."""

    def observe(self, ctx: StepContext) -> Document | None:
        last = ctx.outputs_of(self.id)
        return None if self.always or not last.get("completed") else {"completed": True, **last}

    def desired(self, ctx: StepContext) -> Document:
        return {"completed": True}

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        return {"completed": True, **self.act(ctx)}

    def outputs(self, observed: Document) -> Outputs:
        return dict(observed)

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        return False

    def delete(self, ctx: StepContext, observed: Document) -> None:
        """An action leaves nothing to delete."""
