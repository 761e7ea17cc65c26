"""Chart releases as steps: ONE step per (cluster, release) that manages every object the chart (or a
pinned release manifest) renders, on the same lifecycle as any other step (docs/adr/0009).

observe: the live objects carrying the release's inventory labels (one LIST per kind), and a GET of
each rendered object not among them. plan: one Change whose fields name the object; per object a
create, an update with its fields, or a prune. apply: server-side apply with the field manager
`orchestrate/<release>`: CRDs (waited for until Established), namespaces, pre hooks, the rest, prune,
readiness waits, post hooks. destroy: the release's labelled objects in reverse order, CRDs last.
"""

from __future__ import annotations

import contextlib
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from orchestrator.charts.hooks import BEFORE_CREATION, FAILED, SUCCEEDED
from orchestrator.charts.objects import CRD_KIND, ObjectRef, RenderedObject
from orchestrator.charts.order import Stages, delete_order, stages
from orchestrator.charts.readiness import Readiness
from orchestrator.charts.render import Render, Renderer
from orchestrator.engine.change import Action, Change, FieldChange
from orchestrator.engine.graph import OutputRef, StepId
from orchestrator.engine.step import Document, Outputs, Step
from orchestrator.errors import OrchestrateError
from steps.release_leftovers import Leftover, as_entries, delete_all, find_all
from steps.release_live import LiveRelease
from steps.release_plan import (
    ObjectAction,
    ReleasePlan,
    desired_body,
    observed_body,
    placeholders,
    plan_object,
)

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

__all__ = ["ChartRelease", "ManifestStep", "Readiness", "ReleaseStep"]
Values = Callable[["StepContext"], dict[str, Any]]


def renderer_of(ctx: StepContext) -> Renderer:
    charts = getattr(ctx.services, "charts", None)
    if charts is None:
        raise OrchestrateError("this run has no chart services (services.charts)")
    renderer: Renderer = charts.renderer()
    return renderer


class ChartRelease(Step):
    kind = "orchestrate/release"
    default_timeout_s: ClassVar[float] = 900.0
    provides: ClassVar[frozenset[str]] = frozenset(
        {"release", "cluster", "namespace", "chart", "version", "digest", "objects", "kinds"}
    )

    def __init__(
        self,
        step_id: StepId,
        *,
        phase: int,
        cluster: str,
        release: str,
        namespace: str,
        title: str,
        depends_on: tuple[StepId, ...],
        ready: Sequence[Readiness],
        reads: tuple[OutputRef[Any], ...],
    ) -> None:
        super().__init__(step_id, phase=phase, title=title, depends_on=depends_on)
        self.cluster, self.release, self.namespace = cluster, release, namespace
        self.ready, self._reads = tuple(ready), reads
        self.leftovers: tuple[Leftover, ...] = ()  # what the release's software makes (destroy removes)

    @abstractmethod
    def render(self, ctx: StepContext) -> Render:
        """The release's objects as the pinned chart (or manifest) renders them; no cluster call."""

    def reads(self) -> tuple[OutputRef[Any], ...]:
        return self._reads

    def observe(self, ctx: StepContext) -> Document | None:
        """What exists of the release (its outputs' shape), or None before its first object."""
        return self.plan(ctx)[1]

    def desired(self, ctx: StepContext) -> Document:
        render = self.render(ctx)
        return {o.ref.describe(): desired_body(o, ctx.deployment, self.release) for o in render.objects}

    # -- plan ------------------------------------------------------------------------------------
    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        render = self.render(ctx)
        st = stages(render.objects)
        live = LiveRelease(ctx, self.cluster, self.release)
        found = live.labelled(self._kinds(ctx, render))
        objects = {}
        for obj in st.kept:
            current = found[obj.ref] if obj.ref in found else live.get(obj.ref)
            want = desired_body(obj, ctx.deployment, self.release)
            objects[obj.ref] = plan_object(obj.ref, want, observed_body(obj.ref, current))
        rendered = {o.ref for o in render.objects}
        prunes = tuple(sorted(r for r in found if r not in rendered))
        plan = ReleasePlan(render, st, objects, prunes)
        exists = any(p.action is not ObjectAction.CREATE for p in objects.values()) or bool(prunes)
        observed = self._outputs(render, st) if exists else None
        if not plan.changed:
            return Change(Action.NOOP, reason=plan.summary(), desired=plan), observed
        action = Action.UPDATE if exists else Action.CREATE
        return Change(action, plan.fields(), reason=plan.summary(), desired=plan), observed

    def _kinds(self, ctx: StepContext, render: Render) -> set[str]:
        earlier = ctx.outputs_of(self.id).get("kinds") or []
        return {o.ref.type_key for o in render.objects} | {str(k) for k in earlier}

    def _outputs(self, render: Render, st: Stages) -> Outputs:
        return {
            "release": self.release,
            "cluster": self.cluster,
            "namespace": self.namespace,
            "chart": render.chart,
            "version": render.version,
            "digest": render.digest,
            "objects": len(st.kept),
            "kinds": sorted({o.ref.type_key for o in render.objects}),
        }

    def outputs(self, observed: Document) -> Outputs:
        return dict(observed)

    # -- apply -----------------------------------------------------------------------------------
    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        plan = change.desired
        assert isinstance(plan, ReleasePlan)
        unknown = placeholders(plan)
        if unknown:
            raise OrchestrateError(f"{self.title}: rendered with outputs not known yet: {', '.join(unknown)}")
        live = LiveRelease(ctx, self.cluster, self.release)
        st = plan.stages
        crds = self._apply_all(live, plan, st.crds)
        for ref in crds:
            ctx.wait_until(f"{ref.describe()} Established", lambda r=ref: _established(live.get(r)))  # type: ignore[misc]
        self._apply_all(live, plan, st.namespaces)
        for hook in st.pre_hooks:
            self._run_hook(ctx, live, hook, plan)
        self._apply_all(live, plan, st.main)
        for ref in delete_order(plan.prunes):
            live.delete(ref, "prune: no longer rendered")
        for wait in self.ready:
            ctx.wait_until(wait.describe(), lambda w=wait: w.check(live.get(_ref_of(w)))[0])  # type: ignore[misc]
        for hook in st.post_hooks:
            self._run_hook(ctx, live, hook, plan)
        return self._outputs(plan.render, st)

    def _apply_all(
        self, live: LiveRelease, plan: ReleasePlan, objects: Sequence[RenderedObject]
    ) -> list[ObjectRef]:
        applied = []
        for obj in objects:
            action = plan.action(obj.ref)
            if action in (ObjectAction.CREATE, ObjectAction.UPDATE):
                live.apply(obj.ref, plan.objects[obj.ref].body, action.value)
                applied.append(obj.ref)
        return applied

    def _run_hook(self, ctx: StepContext, live: LiveRelease, obj: RenderedObject, plan: ReleasePlan) -> None:
        assert obj.hook is not None
        policies, note = obj.hook.delete_policies, obj.hook.describe()
        if BEFORE_CREATION in policies and live.get(obj.ref) is not None:
            live.delete(obj.ref, f"{note}: before-hook-creation")
            ctx.wait_until(f"{obj.ref.describe()} deleted", lambda: live.get(obj.ref) is None, interval=0.5)
        live.apply(obj.ref, desired_body(obj, ctx.deployment, self.release), note)
        if obj.ref.kind == "Job":
            wait = Readiness.job_complete(obj.ref.namespace, obj.ref.name)
            try:
                ctx.wait_until(wait.describe(), lambda: wait.check(live.get(obj.ref))[0], interval=0.5)
            except OrchestrateError:
                if FAILED in policies:
                    live.delete(obj.ref, f"{note}: hook-failed")
                raise
        if SUCCEEDED in policies:
            live.delete(obj.ref, f"{note}: hook-succeeded")

    # -- destroy ---------------------------------------------------------------------------------
    def plan_destroy(self, ctx: StepContext) -> tuple[Change, Document | None]:
        kinds = {str(k) for k in ctx.outputs_of(self.id).get("kinds") or []}
        with contextlib.suppress(OrchestrateError):  # cannot render now: the recorded kinds suffice
            kinds |= {o.ref.type_key for o in self.render(ctx).objects}
        if not kinds:
            return Change.noop("nothing recorded for this release"), None
        live = LiveRelease(ctx, self.cluster, self.release)
        found = live.labelled(kinds)
        made = find_all(live, self.leftovers)
        if not found and not made:
            return Change.noop("already absent"), None
        order = delete_order(tuple(found))
        fields = tuple(FieldChange(r.describe(), "(exists)", None) for r in order) + tuple(
            FieldChange(r.describe(), f"(made by {why})", None) for r, why in made
        )
        observed = {
            "delete": [[r.api_version, r.kind, r.namespace, r.name] for r in order],
            "leftovers": as_entries(made),
        }
        return Change(Action.DELETE, fields, reason=f"{len(fields)} objects to delete"), observed

    def delete(self, ctx: StepContext, observed: Document) -> None:
        live = LiveRelease(ctx, self.cluster, self.release)
        refs = [ObjectRef(*entry) for entry in observed.get("delete") or []]
        for ref in refs:
            live.delete(ref, "destroy")
        kinds = {r.type_key for r in refs}
        ctx.wait_until(f"objects of release {self.release} deleted", lambda: not live.labelled(kinds))
        if self.leftovers:  # after the software that makes them is gone
            delete_all(ctx, live, self.leftovers)

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        return True  # only objects carrying this release's and deployment's labels are ever observed


class ReleaseStep(ChartRelease):
    def __init__(
        self,
        step_id: StepId,
        *,
        phase: int,
        cluster: str,
        release: str,
        chart: str,
        namespace: str,
        values: Values,
        depends_on: tuple[StepId, ...] = (),
        ready: Sequence[Readiness] = (),
        reads: tuple[OutputRef[Any], ...] = (),
        api_versions: tuple[str, ...] = (),
        leftovers: tuple[Leftover, ...] = (),
    ) -> None:
        super().__init__(
            step_id,
            phase=phase,
            cluster=cluster,
            release=release,
            namespace=namespace,
            title=f"release {release} (chart {chart}) on {cluster}",
            depends_on=depends_on,
            ready=ready,
            reads=reads,
        )
        self.chart, self.values, self.api_versions = chart, values, api_versions
        self.leftovers = leftovers

    def render(self, ctx: StepContext) -> Render:
        return renderer_of(ctx).chart(
            release=self.release,
            chart=self.chart,
            namespace=self.namespace,
            kube_version=_kube_version(ctx, self.cluster),
            values=self.values(ctx),
            api_versions=self.api_versions,
        )


class ManifestStep(ChartRelease):
    """A pinned release manifest (the Gateway API CRDs), keyed into the lock file's `manifests:`."""

    def __init__(
        self,
        step_id: StepId,
        *,
        phase: int,
        cluster: str,
        manifest: str,
        namespace: str = "default",
        release: str | None = None,
        depends_on: tuple[StepId, ...] = (),
        ready: Sequence[Readiness] = (),
    ) -> None:
        name = release or manifest
        super().__init__(
            step_id,
            phase=phase,
            cluster=cluster,
            release=name,
            namespace=namespace,
            title=f"manifest {manifest} on {cluster}",
            depends_on=depends_on,
            ready=ready,
            reads=(),
        )
        self.manifest = manifest

    def render(self, ctx: StepContext) -> Render:
        return renderer_of(ctx).manifest(release=self.release, name=self.manifest, namespace=self.namespace)


def _kube_version(ctx: StepContext, cluster: str) -> str:
    config = ctx.config
    for entry in getattr(config, "clusters", None) or ():
        if entry.name == cluster:
            return str(entry.kubernetes_version)
    raise OrchestrateError(f"cluster {cluster!r} is not in the configuration")


def _ref_of(wait: Readiness) -> ObjectRef:
    return ObjectRef(wait.api_version, wait.kind, wait.namespace, wait.name)


def _established(live: dict[str, Any] | None) -> bool:
    if live is None or live.get("kind") != CRD_KIND:
        return False
    conditions = (live.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)
