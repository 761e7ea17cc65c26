"""The per-instance backend: state, registry, settings, faults, quotas. Providers call into it."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from emulator.arm.counters import RequestCounter
from emulator.arm.errors import MSG_CANCELED, operation_error_message
from emulator.arm.faults import HITS_KEY, OPERATION_FAULTS, FaultEngine
from emulator.arm.quota import Quota
from emulator.arm.registry import Registry
from emulator.arm.store import Operation, Resource, State, Store
from emulator.k8s.faults import RuleFaults
from emulator.settings import SETTINGS_FILE, FaultKind, FaultRule, Settings

TENANT_ID = "72f988bf-0000-4000-8000-00000000cafe"


class Backend:
    def __init__(self, state_dir: Path, settings: Settings, registry: Registry, token: str) -> None:
        self.state_dir = state_dir
        self.settings = settings
        self.registry = registry
        self.token = token
        self.store = Store(state_dir)
        self._settings_stamp = _stamp(state_dir / SETTINGS_FILE)
        from_file = Settings.load(state_dir) == settings
        generation = _file_generation(self._settings_stamp) if from_file else uuid.uuid4().hex
        self.faults = FaultEngine(settings, generation)
        self.kube_faults = RuleFaults(settings.kube_faults, settings.seed)
        self.counter = RequestCounter()
        self.tenant_id = TENANT_ID
        self.runtime: dict[str, Any] = {}  # provider-owned live objects (open clusters), not persisted

    def close(self) -> None:
        """Close what providers keep open (each has a ``close()``); the state stays on disk."""
        for item in self.runtime.values():
            item.close()
        self.runtime.clear()

    # --- settings -----------------------------------------------------------------------------
    def configure(self, settings: Settings, generation: str | None = None) -> None:
        """New settings; fault hit counts start again unless `generation` names the same settings."""
        self.settings = settings
        self.faults.configure(settings, generation or uuid.uuid4().hex)
        self.kube_faults.configure(settings.kube_faults, settings.seed)

    def refresh_settings(self) -> None:
        """Apply <state_dir>/settings.json again if another process rewrote it since the last look."""
        path = self.state_dir / SETTINGS_FILE
        stamp = _stamp(path)
        if stamp == self._settings_stamp:
            return
        self._settings_stamp = stamp
        loaded = Settings.load(self.state_dir)
        if loaded is not None:
            self.configure(loaded, _file_generation(stamp))

    def pick_fault(
        self, kinds: frozenset[FaultKind], type_name: str, method: str, resource_id: str
    ) -> FaultRule | None:
        """The fault rule that fires for this request or operation (hit counts persist with the state;
        call inside a store transaction)."""
        rule = self.faults.pick(kinds, type_name, method, resource_id, self.extras(HITS_KEY))
        if rule is not None:
            self.touch()
        return rule

    @property
    def state(self) -> State:
        return self.store.state

    @property
    def quota(self) -> Quota:
        return Quota(self.state.extras, self.settings.quota_limits(), self.settings.location)

    def consume_cores(self, family: str, n: int) -> None:
        self.quota.consume_cores(family, n)
        self.store.mark_dirty()

    def release_cores(self, family: str, n: int) -> None:
        self.quota.release_cores(family, n)
        self.store.mark_dirty()

    def extras(self, key: str) -> dict[str, Any]:
        """A provider-owned JSON dict persisted with the state; call `touch()` after changing it."""
        section: dict[str, Any] = self.state.extras.setdefault(key, {})
        return section

    def touch(self) -> None:
        self.store.mark_dirty()

    # --- identifiers and time -------------------------------------------------------------------
    def guid(self, *parts: str) -> str:
        """Deterministic GUID from the seed and the given parts (stable across restarts)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join([str(self.settings.seed), *parts])))

    @staticmethod
    def new_etag() -> str:
        return f'W/"{uuid.uuid4()}"'

    @staticmethod
    def now() -> float:
        return time.time()

    def scaled(self, duration_s: float) -> float:
        return duration_s * self.settings.time_scale

    # --- resources ------------------------------------------------------------------------------
    def get(self, resource_id: str) -> Resource | None:
        return self.state.resources.get(resource_id.lower())

    def save(self, resource: Resource) -> None:
        self.state.resources[resource.id.lower()] = resource
        self.store.mark_dirty()

    def put_resource(
        self,
        resource_id: str,
        type_name: str,
        body: dict[str, Any],
        provisioning_state: str | None = "Succeeded",
    ) -> Resource:
        """Create or replace a resource directly (e.g. a node resource group and its VMSS), filling
        id/name/type and, unless None, properties.provisioningState."""
        full = {"id": resource_id, "name": resource_id.rsplit("/", 1)[-1], "type": type_name, **body}
        if provisioning_state is not None:
            full.setdefault("properties", {})["provisioningState"] = provisioning_state
        resource = Resource(resource_id, type_name, full)
        self.save(resource)
        return resource

    def remove(self, resource_id: str) -> list[Resource]:
        """Remove a resource and everything under it (children, extension resources)."""
        key = resource_id.lower()
        gone = [r for k, r in self.state.resources.items() if k == key or k.startswith(key + "/")]
        for r in gone:
            del self.state.resources[r.id.lower()]
        for r in gone:
            rtype = self.registry.get(r.type)
            if rtype is not None and rtype.on_removed is not None:
                rtype.on_removed(self, r)
        self.store.mark_dirty()
        return gone

    def children(self, parent_id: str, type_name: str) -> list[Resource]:
        prefix = parent_id.lower() + "/"
        depth = parent_id.count("/") + 2
        return sorted(
            (
                r
                for k, r in self.state.resources.items()
                if k.startswith(prefix) and r.type.lower() == type_name.lower() and r.id.count("/") == depth
            ),
            key=lambda r: r.id.lower(),
        )

    def referencing(self, resource_id: str, types: tuple[str, ...]) -> list[Resource]:
        """Resources of `types` whose body mentions this id (outside its own subtree): "in use" checks."""
        needle = resource_id.lower()
        wanted = {t.lower() for t in types}
        return [
            r
            for k, r in self.state.resources.items()
            if r.type.lower() in wanted
            and not (k == needle or k.startswith(needle + "/") or needle.startswith(k + "/"))
            and needle in json.dumps(r.body).lower()
        ]

    def of_type(self, type_name: str, under: str = "") -> list[Resource]:
        prefix = under.lower().rstrip("/") + "/" if under else ""
        return sorted(
            (
                r
                for k, r in self.state.resources.items()
                if r.type.lower() == type_name.lower() and k.startswith(prefix)
            ),
            key=lambda r: r.id.lower(),
        )

    # --- long-running operations ----------------------------------------------------------------
    def start_operation(self, resource_id: str, kind: str, duration_s: float, type_name: str) -> Operation:
        """Begin an LRO; duration is the typical real duration (scaled here). Applies operation faults."""
        op = Operation(
            id=str(uuid.uuid4()),
            resource_id=resource_id,
            kind=kind,
            started_at=self.now(),
            duration_s=self.scaled(duration_s),
            location=self.settings.location,
        )
        method = {"create": "PUT", "update": "PUT", "delete": "DELETE"}.get(kind, "POST")
        rule = self.pick_fault(OPERATION_FAULTS, type_name, method, resource_id)
        if rule is not None and rule.kind == FaultKind.SLOW:
            op.duration_s *= rule.multiplier
        elif rule is not None and rule.kind == FaultKind.LRO_FAILURE:
            code = rule.error_code or "InternalServerError"
            self.fail_operation(op, code, rule.message or operation_error_message(code))
        self.state.operations[op.id] = op
        self.store.mark_dirty()
        return op

    @staticmethod
    def fail_operation(op: Operation, code: str, message: str) -> None:
        """Make the operation end Failed with this ARM error code when it completes."""
        op.outcome = "Failed"
        op.error = {"code": code, "message": message}

    def cancel_operation(self, op: Operation) -> None:
        """End an in-progress operation as Canceled (its poller raises OperationFailed)."""
        op.status = "Canceled"
        op.ended_at = self.now()
        op.error = {"code": "OperationCanceled", "message": MSG_CANCELED}
        self.store.mark_dirty()

    def operation(self, op_id: str) -> Operation | None:
        return self.state.operations.get(op_id)


def _file_generation(stamp: tuple[int, int] | None) -> str:
    return f"file:{stamp}"


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)
