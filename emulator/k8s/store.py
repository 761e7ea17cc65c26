"""In-memory object store: one dict per resource type, a cluster-wide resourceVersion counter.

Every change (ADDED, MODIFIED, DELETED) takes the next revision and is journalled as a ``Change``. The
owner of the store (``KubeCluster``) commits the journal after each request: the changes then go to the
revision log that watches read (``changelog``) and, for a persistent cluster, to its SQLite file
(``sqlstore``). ``mark``/``rollback`` undo uncommitted changes (``dryRun=All``). The owner index lets
garbage collection find dependents without scanning the whole store.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace or "", name)
ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"


def rfc3339(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _spec_part(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _without_managed_fields(obj: Obj) -> Obj:
    meta = {k: v for k, v in obj["metadata"].items() if k != "managedFields"}
    return {**obj, "metadata": meta}


def ident_of(obj: Obj) -> Key:
    meta = obj["metadata"]
    return (meta.get("namespace", ""), meta["name"])


@dataclass(frozen=True)
class Change:
    """One committed (or journalled) change. ``obj`` is the new state; for DELETED the last one."""

    revision: int
    type: str
    key: str
    obj: Obj
    previous: Obj | None = None


@dataclass(frozen=True)
class Mark:
    journal: int
    revision: int
    sequence: int


class Store:
    """Holds every object; stamps uid/resourceVersion/generation/creationTimestamp on write."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.revision = 0
        self.sequence = 0
        self.objects: dict[str, dict[Key, Obj]] = {}
        self.signing_key = secrets.token_hex(32)  # signs ServiceAccount tokens
        self._journal: list[Change] = []
        self._bucket_versions: dict[str, int] = {}
        self._owners: dict[str, set[tuple[str, Key]]] = {}

    def now(self) -> str:
        return rfc3339(self.clock())

    def next_suffix(self) -> str:
        """A short deterministic suffix for generated names (pods of controllers)."""
        self.sequence += 1
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        n, out = self.sequence * 7919 + 104729, ""
        for _ in range(5):
            n, r = divmod(n, len(alphabet))
            out += alphabet[r]
        return out

    # -- reads ----------------------------------------------------------------------------------
    def get(self, key: str, ns: str, name: str) -> Obj | None:
        return self.objects.get(key, {}).get((ns, name))

    def items(self, key: str, ns: str | None = None) -> list[Obj]:
        bucket = self.objects.get(key, {})
        found = [o for (n, _), o in bucket.items() if ns is None or n == ns]
        return sorted(found, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

    def all_items(self) -> Iterator[tuple[str, Obj]]:
        for key, bucket in list(self.objects.items()):
            for obj in list(bucket.values()):
                yield key, obj

    def dependents(self, uid: str) -> list[tuple[str, Obj]]:
        """(storage key, object) of every object with an ownerReference to ``uid``."""
        found = []
        for key, ident in sorted(self._owners.get(uid, ())):
            obj = self.get(key, *ident)
            if obj is not None:
                found.append((key, obj))
        return found

    def bucket_version(self, key: str) -> int:
        """A counter that moves whenever the objects under ``key`` change (or a change is undone)."""
        return self._bucket_versions.get(key, 0)

    # -- writes ---------------------------------------------------------------------------------
    def _bump(self) -> str:
        self.revision += 1
        return str(self.revision)

    def _put(self, key: str, obj: Obj, previous: Obj | None) -> None:
        ident = ident_of(obj)
        if previous is not None:
            self._index_owners(key, ident, previous, add=False)
        self.objects.setdefault(key, {})[ident] = obj
        self._index_owners(key, ident, obj, add=True)
        self._bucket_versions[key] = self.bucket_version(key) + 1

    def _drop(self, key: str, ident: Key) -> Obj | None:
        removed = self.objects.get(key, {}).pop(ident, None)
        if removed is not None:
            self._index_owners(key, ident, removed, add=False)
            self._bucket_versions[key] = self.bucket_version(key) + 1
        return removed

    def _index_owners(self, key: str, ident: Key, obj: Obj, *, add: bool) -> None:
        for ref in obj["metadata"].get("ownerReferences") or []:
            uid = ref.get("uid") if isinstance(ref, dict) else None
            if not uid:
                continue
            if add:
                self._owners.setdefault(uid, set()).add((key, ident))
            else:
                self._owners.get(uid, set()).discard((key, ident))

    def insert(self, key: str, obj: Obj) -> Obj:
        """Store a new object (caller checked absence); returns the stored copy."""
        meta = obj.setdefault("metadata", {})
        meta["uid"] = str(uuid.uuid4())
        meta["resourceVersion"] = self._bump()
        meta["creationTimestamp"] = self.now()
        meta["generation"] = 1
        stored = copy.deepcopy(obj)
        self._put(key, stored, None)
        self._journal.append(Change(self.revision, ADDED, key, stored))
        return stored

    def update(self, key: str, obj: Obj) -> Obj:
        """Replace an existing object; bumps generation when anything outside metadata/status changed.

        A write that changes nothing, or nothing but ``managedFields``, stores nothing and keeps the
        resourceVersion (so ``kubectl diff`` and no-op applies see no change).
        """
        meta = obj["metadata"]
        ident = (meta.get("namespace", ""), meta["name"])
        old = self.objects[key][ident]
        old_meta = old["metadata"]
        for fixed in ("uid", "creationTimestamp"):
            meta[fixed] = old_meta[fixed]
        generation = old_meta.get("generation", 1)
        if _spec_part(old) != _spec_part(obj):
            generation += 1
        meta["generation"] = generation
        meta["resourceVersion"] = old_meta["resourceVersion"]
        if _without_managed_fields(obj) == _without_managed_fields(old):
            return old
        meta["resourceVersion"] = self._bump()
        stored = copy.deepcopy(obj)
        self._put(key, stored, old)
        self._journal.append(Change(self.revision, MODIFIED, key, stored, old))
        return stored

    def remove(self, key: str, ns: str, name: str) -> Obj | None:
        removed = self._drop(key, (ns, name))
        if removed is not None:
            gone = {**removed, "metadata": {**removed["metadata"], "resourceVersion": self._bump()}}
            self._journal.append(Change(self.revision, DELETED, key, gone, removed))
        return removed

    def drop_bucket(self, key: str) -> None:
        """Remove every object of one type (its CRD was deleted)."""
        for obj in self.items(key):
            meta = obj["metadata"]
            self.remove(key, meta.get("namespace", ""), meta["name"])

    # -- journal --------------------------------------------------------------------------------
    def mark(self) -> Mark:
        return Mark(len(self._journal), self.revision, self.sequence)

    def rollback(self, mark: Mark) -> None:
        """Undo every change journalled since ``mark`` (nothing after it was committed)."""
        for change in reversed(self._journal[mark.journal :]):
            ident = ident_of(change.obj)
            if change.type == ADDED:
                self._drop(change.key, ident)
            elif change.previous is not None:
                self._drop(change.key, ident)
                self._put(change.key, change.previous, None)
        del self._journal[mark.journal :]
        self.revision, self.sequence = mark.revision, mark.sequence

    def take_journal(self) -> list[Change]:
        """The changes since the last call (to commit them), oldest first."""
        taken, self._journal = self._journal, []
        return taken

    def apply_remote(self, revision: int, kind: str, key: str, obj: Obj) -> Change:
        """Replay a change another process committed; returns it with the local previous state."""
        ident = ident_of(obj)
        previous = self.get(key, *ident)
        if kind == DELETED:
            self._drop(key, ident)
        else:
            self._put(key, obj, previous)
        self.revision = max(self.revision, revision)
        return Change(revision, kind, key, obj, previous)

    def load(self, entries: Iterable[tuple[str, Obj]], revision: int, sequence: int) -> None:
        """Replace the whole content (a full reload); the journal is discarded."""
        self.objects, self._owners, self._journal = {}, {}, []
        for key, obj in entries:
            self._put(key, obj, None)
        self.revision, self.sequence = revision, sequence

    # -- snapshots ------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "sequence": self.sequence,
            "signingKey": self.signing_key,
            "objects": {key: list(bucket.values()) for key, bucket in self.objects.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], clock: Callable[[], float]) -> Store:
        store = cls(clock)
        store.signing_key = str(data.get("signingKey") or store.signing_key)
        entries = [(key, obj) for key, objs in (data.get("objects") or {}).items() for obj in objs]
        store.load(entries, int(data.get("revision", 0)), int(data.get("sequence", 0)))
        return store
