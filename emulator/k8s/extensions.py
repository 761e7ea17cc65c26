"""Plug-in controllers: how the rest of the local cloud models operators the emulator does not know.

Example: a modelled External Secrets operator that copies a Key Vault secret of the ARM emulator into the
target Secret and sets ``ExternalSecret.status``. Plug-ins run inside the control loop after the
built-in stages, under the cluster lock. Added with ``add_controller`` they are not persisted (register
them again after a reload); a registered controller kind (``controllerkinds``, ``enable_controller``)
is. They must only write when something changed, or the loop never settles.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from .errors import KubeError
from .events import record
from .objects import Objects
from .resources import ResourceType

Obj = dict[str, Any]


class ControllerContext:
    """The operations a plug-in controller gets: read objects, create/delete them, write their status."""

    def __init__(self, objects: Objects) -> None:
        self._objects = objects

    def _type(self, api_version: str, kind: str) -> ResourceType:
        group, _, version = api_version.rpartition("/")
        for rt in self._objects.registry().in_group_version(group, version):
            if rt.kind == kind:
                return rt
        raise KubeError(404, f"no resource type {kind} in {api_version}", "NotFound")

    def now(self) -> str:
        return self._objects.store.now()

    @property
    def pod_cidr(self) -> str:
        """The pod CIDR AKS was given for this cluster (``networkProfile.podCidr``)."""
        return self._objects.network.pod_cidr

    def record(self, obj: Obj, reason: str, message: str, *, component: str, warning: bool = False) -> None:
        """Record an Event about ``obj`` once (a second call with the same reason and message does nothing,
        so a controller that runs after every write still lets the loop settle)."""
        meta = obj["metadata"]
        for event in self._objects.store.items("events", meta.get("namespace") or "default"):
            involved = event.get("involvedObject") or {}
            same = (involved.get("uid"), event.get("reason"), event.get("message")) == (
                meta.get("uid"),
                reason,
                message,
            )
            if same:
                return
        record(self._objects.store, obj, reason, message, component=component, warning=warning)

    def list(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> list[Obj]:
        """Copies of the objects (of one namespace; with all of ``labels``)."""
        wanted = dict(labels or {})
        return [
            copy.deepcopy(o)
            for o in self._objects.list(self._type(api_version, kind), namespace)
            if wanted.items() <= (o["metadata"].get("labels") or {}).items()
        ]

    def get(self, api_version: str, kind: str, namespace: str, name: str) -> Obj | None:
        found = self._objects.find(self._type(api_version, kind), namespace, name)
        return copy.deepcopy(found) if found is not None else None

    def create(self, obj: Obj) -> Obj:
        rt = self._type(obj["apiVersion"], obj["kind"])
        return copy.deepcopy(self._objects.create(rt, obj["metadata"].get("namespace", ""), obj, None))

    def replace(self, obj: Obj) -> Obj:
        """Write a changed object back (no resourceVersion precondition)."""
        rt = self._type(obj["apiVersion"], obj["kind"])
        fresh = copy.deepcopy(obj)
        fresh["metadata"].pop("resourceVersion", None)
        return copy.deepcopy(self._objects.update(rt, fresh, None))

    def set_status(self, obj: Obj, status: Obj) -> None:
        """Set ``status`` unless it is already equal (keeps the loop settling)."""
        key = self._type(obj["apiVersion"], obj["kind"]).storage_key
        meta = obj["metadata"]
        current = self._objects.store.get(key, meta.get("namespace", ""), meta["name"])
        if current is not None and current.get("status") != status:
            updated = copy.deepcopy(current)
            updated["status"] = copy.deepcopy(status)
            self._objects.store.update(key, updated)

    def delete(self, api_version: str, kind: str, namespace: str, name: str) -> None:
        rt = self._type(api_version, kind)
        if self._objects.find(rt, namespace, name) is not None:
            self._objects.delete(rt, namespace, name)


PluginController = Callable[[ControllerContext], None]
