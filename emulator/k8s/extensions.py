"""Plug-in controllers: how the rest of the local cloud models operators the emulator does not know.

Example: a modelled External Secrets operator that copies a Key Vault secret of the ARM emulator into the
target Secret and sets ``ExternalSecret.status``. Plug-ins run inside the control loop after the
built-in stages, under the cluster lock; they are not persisted (register them again after
``KubeCluster.from_json``). They must only write when something changed, or the loop never settles.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .errors import KubeError
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

    def list(self, api_version: str, kind: str, namespace: str | None = None) -> list[Obj]:
        return [copy.deepcopy(o) for o in self._objects.list(self._type(api_version, kind), namespace)]

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
