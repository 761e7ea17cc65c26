"""A release's plan: the desired body of every rendered object (with the inventory labels), compared
with the live one on the fields the render sets, into one Change whose fields name the object
(`DaemonSet/kube-system/cilium: spec.template.spec...`), plus the objects to create and to prune."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orchestrator.charts.objects import ObjectRef, RenderedObject
from orchestrator.charts.order import Stages
from orchestrator.charts.render import Render
from orchestrator.engine.change import OBJECT_CREATED, OBJECT_PRUNED, FieldChange
from orchestrator.engine.diff import RENDERED_OBJECT, diff
from orchestrator.engine.graph import KnownAfterApply
from steps import kube_sensitive as sensitive
from steps.kube import OWNER_LABEL
from steps.release_live import RELEASE_LABEL

CREATE_MARK, PRUNE_MARK = OBJECT_CREATED, OBJECT_PRUNED


class ObjectAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    NOOP = "noop"
    PRUNE = "prune"


@dataclass(frozen=True)
class ObjectPlan:
    ref: ObjectRef
    action: ObjectAction
    body: dict[str, Any]  # the desired body (Secrets' values wrapped); empty for a prune
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ReleasePlan:
    render: Render
    stages: Stages
    objects: dict[ObjectRef, ObjectPlan] = field(default_factory=dict)
    prunes: tuple[ObjectRef, ...] = ()

    def action(self, ref: ObjectRef) -> ObjectAction:
        plan = self.objects.get(ref)
        return plan.action if plan is not None else ObjectAction.NOOP

    def fields(self) -> tuple[FieldChange, ...]:
        out: list[FieldChange] = []
        for obj in self.stages.kept:
            out += self.objects[obj.ref].fields
        out += [FieldChange(ref.describe(), "(exists)", PRUNE_MARK) for ref in self.prunes]
        return tuple(out)

    def summary(self) -> str:
        counts = {a: sum(1 for p in self.objects.values() if p.action is a) for a in ObjectAction}
        hooks = f", {len(self.stages.hooks)} hooks" if self.stages.hooks else ""
        return (
            f"{counts[ObjectAction.CREATE]} to create, {counts[ObjectAction.UPDATE]} to change,"
            f" {len(self.prunes)} to prune, {counts[ObjectAction.NOOP]} unchanged{hooks}"
            f" (chart {self.render.chart} {self.render.version})"
        )

    @property
    def changed(self) -> bool:
        return bool(self.prunes) or any(p.action is not ObjectAction.NOOP for p in self.objects.values())


def placeholders(plan: ReleasePlan) -> list[str]:
    """The objects still holding an output not known when they were rendered: never applied."""
    return sorted(r.describe() for r, p in plan.objects.items() if _holds(p.body, KnownAfterApply.text))


def _holds(value: Any, text: str) -> bool:
    if isinstance(value, str):
        return text in value
    if isinstance(value, Mapping):
        return any(_holds(v, text) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds(v, text) for v in value)
    return False


def desired_body(obj: RenderedObject, deployment: str, release: str) -> dict[str, Any]:
    body = dict(obj.body)
    meta = dict(body["metadata"])
    meta["labels"] = {
        **(meta.get("labels") or {}),
        OWNER_LABEL: deployment,
        RELEASE_LABEL: release,
        "app.kubernetes.io/managed-by": "orchestrate",
    }
    body["metadata"] = meta
    if obj.ref.type_key == "v1/Secret":
        body = sensitive.fold_string_data(body)
    return sensitive.wrap(body, _sensitive(obj.ref))


def observed_body(ref: ObjectRef, live: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if live is None else sensitive.wrap(live, _sensitive(ref))


def _sensitive(ref: ObjectRef) -> tuple[sensitive.SensitivePath, ...]:
    return sensitive.sensitive_paths(ref.type_key, ())


def plan_object(ref: ObjectRef, want: dict[str, Any], live: dict[str, Any] | None) -> ObjectPlan:
    if live is None:
        return ObjectPlan(ref, ObjectAction.CREATE, want, (FieldChange(ref.describe(), None, CREATE_MARK),))
    paths = _sensitive(ref)
    kind = f"{RENDERED_OBJECT}#{ref.type_key}"
    changes = [*diff(want, live, kind=kind, extra_ignored=[p.path for p in paths])]
    changes += sensitive.sensitive_changes(want, live, paths)
    prefixed = tuple(FieldChange(f"{ref.describe()}: {c.path}", c.before, c.after) for c in changes)
    return ObjectPlan(ref, ObjectAction.UPDATE if prefixed else ObjectAction.NOOP, want, prefixed)
