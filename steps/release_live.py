"""A release's objects on the cluster, through the kubernetes dynamic client: read one, list those
carrying the release's inventory labels, server-side apply with the release's field manager, delete.
Every write goes through `ctx.mutate` (journalled before it is sent)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.charts.objects import ObjectRef
from orchestrator.errors import NotFound
from orchestrator.kube.errors import call_kube
from orchestrator.secret import reveal_all
from steps import kube_sensitive as sensitive
from steps.kube import OWNER_LABEL

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

RELEASE_LABEL = "orchestrate.io/release"


def split_type(type_key: str) -> tuple[str, str]:
    """`apps/v1/Deployment` -> (`apps/v1`, `Deployment`)."""
    api_version, _, kind = type_key.rpartition("/")
    return api_version, kind


class LiveRelease:
    def __init__(self, ctx: StepContext, cluster: str, release: str) -> None:
        self.ctx, self.cluster, self.release = ctx, cluster, release
        self.selector = f"{RELEASE_LABEL}={release},{OWNER_LABEL}={ctx.deployment}"
        self.field_manager = f"orchestrate/{release}"

    def _dyn(self) -> Any:
        return self.ctx.kube().dynamic(self.cluster)

    def resource(self, api_version: str, kind: str) -> Any | None:
        """The API resource of a kind, or None when the cluster does not serve it (a CRD not there yet)."""
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        dyn = self._dyn()
        try:
            return call_kube(lambda: dyn.resources.get(api_version=api_version, kind=kind))
        except ResourceNotFoundError:
            return None

    def get(self, ref: ObjectRef) -> dict[str, Any] | None:
        resource = self.resource(ref.api_version, ref.kind)
        if resource is None:
            return None
        namespace = ref.namespace if resource.namespaced else None
        try:
            found = call_kube(lambda: resource.get(name=ref.name, namespace=namespace))
        except NotFound:
            return None
        body: dict[str, Any] = found.to_dict()
        return body

    def labelled(self, type_keys: Iterable[str]) -> dict[ObjectRef, dict[str, Any]]:
        """Every live object of these kinds that carries this release's inventory labels."""
        found: dict[ObjectRef, dict[str, Any]] = {}
        for type_key in sorted(set(type_keys)):
            found.update(self.selected(*split_type(type_key), self.selector))
        return found

    def selected(
        self, api_version: str, kind: str, selector: str, namespace: str | None = None
    ) -> dict[ObjectRef, dict[str, Any]]:
        """Every live object of one kind that `selector` matches (in `namespace`, or everywhere)."""
        resource = self.resource(api_version, kind)
        if resource is None:
            return {}
        scope = namespace if resource.namespaced else None
        try:
            listed = call_kube(lambda: resource.get(label_selector=selector, namespace=scope))
        except NotFound:  # the kind went away with its CRD (discovery had not caught up)
            return {}
        found: dict[ObjectRef, dict[str, Any]] = {}
        for item in listed.to_dict().get("items") or []:
            meta = item.get("metadata") or {}
            ref = ObjectRef(api_version, kind, str(meta.get("namespace") or ""), str(meta["name"]))
            found[ref] = {"apiVersion": api_version, "kind": kind, **item}
        return found

    def apply(self, ref: ObjectRef, body: Mapping[str, Any], note: str) -> None:
        resource = self.resource(ref.api_version, ref.kind)
        if resource is None:
            from orchestrator.charts.digest import ChartError

            raise ChartError(
                f"{ref.describe()}: the cluster does not serve {ref.type_key} (is its CRD installed?)"
            )
        namespace = ref.namespace if resource.namespaced else None
        masked = sensitive.plaintexts(body)
        self.ctx.mutate(
            f"server-side apply {ref.describe()} on {self.cluster} ({note}, release {self.release})",
            lambda: sensitive.without_plaintext(
                lambda: call_kube(
                    lambda: self._dyn().server_side_apply(
                        resource,
                        body=reveal_all(body),  # the only place a Secret's plaintext exists
                        name=ref.name,
                        namespace=namespace,
                        field_manager=self.field_manager,
                        force_conflicts=True,
                    )
                ),
                masked,
            ),
        )

    def delete(self, ref: ObjectRef, note: str) -> None:
        resource = self.resource(ref.api_version, ref.kind)
        if resource is None:
            return
        namespace = ref.namespace if resource.namespaced else None

        def call() -> None:
            with contextlib.suppress(NotFound):  # already gone: the intent is met
                call_kube(
                    lambda: resource.delete(
                        name=ref.name, namespace=namespace, body={"propagationPolicy": "Background"}
                    )
                )

        self.ctx.mutate(f"delete {ref.describe()} on {self.cluster} ({note}, release {self.release})", call)
