"""The order a release's objects are applied in (and deleted in, reversed).

CRDs first (then waited for until Established), namespaces next, pre hooks, the rest by kind in
Helm's install order (unknown kinds, i.e. custom resources, last), then post hooks. Destroy deletes
in the reverse order with CRDs last, so custom resources go before their definitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator.charts.hooks import Stage
from orchestrator.charts.objects import CRD_KIND, ObjectRef, RenderedObject

INSTALL_ORDER = (
    "PriorityClass", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget",
    "ServiceAccount", "Secret", "ConfigMap", "StorageClass", "PersistentVolume",
    "PersistentVolumeClaim", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service",
    "DaemonSet", "Pod", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job",
    "CronJob", "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)  # fmt: skip
_RANK = {kind: i for i, kind in enumerate(INSTALL_ORDER)}


@dataclass(frozen=True)
class Stages:
    crds: tuple[RenderedObject, ...]
    namespaces: tuple[RenderedObject, ...]
    pre_hooks: tuple[RenderedObject, ...]
    main: tuple[RenderedObject, ...]
    post_hooks: tuple[RenderedObject, ...]
    skipped: tuple[RenderedObject, ...]  # test, delete and rollback hooks: never applied

    @property
    def kept(self) -> tuple[RenderedObject, ...]:
        """The objects compared for drift and kept in place: everything but hooks."""
        return (*self.crds, *self.namespaces, *self.main)

    @property
    def hooks(self) -> tuple[RenderedObject, ...]:
        return (*self.pre_hooks, *self.post_hooks)

    def delete_order(self) -> tuple[RenderedObject, ...]:
        return (*reversed(self.post_hooks), *reversed(self.main), *reversed(self.pre_hooks),
                *reversed(self.namespaces), *reversed(self.crds))  # fmt: skip


def _kind_key(obj: RenderedObject) -> tuple[int, str, str, str]:
    return (_RANK.get(obj.ref.kind, len(_RANK)), obj.ref.kind, obj.ref.namespace, obj.ref.name)


def _hook_key(obj: RenderedObject) -> tuple[int, int, str, str, str]:
    weight = obj.hook.weight if obj.hook is not None else 0
    return (weight, *_kind_key(obj))


def stages(objects: Sequence[RenderedObject]) -> Stages:
    plain = [o for o in objects if o.hook is None]
    hooks = [o for o in objects if o.hook is not None]

    def of_stage(stage: Stage) -> tuple[RenderedObject, ...]:
        return tuple(
            sorted((h for h in hooks if h.hook is not None and h.hook.stage is stage), key=_hook_key)
        )

    return Stages(
        crds=tuple(sorted((o for o in plain if o.ref.kind == CRD_KIND), key=_kind_key)),
        namespaces=tuple(sorted((o for o in plain if o.ref.kind == "Namespace"), key=_kind_key)),
        pre_hooks=of_stage(Stage.PRE),
        main=tuple(sorted((o for o in plain if o.ref.kind not in (CRD_KIND, "Namespace")), key=_kind_key)),
        post_hooks=of_stage(Stage.POST),
        skipped=of_stage(Stage.SKIP),
    )


def delete_order(refs: Sequence[ObjectRef]) -> tuple[ObjectRef, ...]:
    """The reverse of the install order by kind: custom resources first, namespaces, then CRDs last."""

    def key(ref: ObjectRef) -> tuple[int, int, str, str, str]:
        tier = 2 if ref.kind == CRD_KIND else 1 if ref.kind == "Namespace" else 0
        rank = _RANK.get(ref.kind, len(_RANK))
        return (tier, -rank, ref.kind, ref.namespace, ref.name)

    return tuple(sorted(refs, key=key))
