"""In-memory object store: one dict per resource type, a cluster-wide resourceVersion counter."""

from __future__ import annotations

import copy
import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Iterator
from typing import Any

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace or "", name)


def rfc3339(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _spec_part(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


class Store:
    """Holds every object; stamps uid/resourceVersion/generation/creationTimestamp on write."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.revision = 0
        self.sequence = 0
        self.objects: dict[str, dict[Key, Obj]] = {}
        self.signing_key = secrets.token_hex(32)  # signs ServiceAccount tokens

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

    def _bump(self) -> str:
        self.revision += 1
        return str(self.revision)

    def get(self, key: str, ns: str, name: str) -> Obj | None:
        return self.objects.get(key, {}).get((ns, name))

    def items(self, key: str, ns: str | None = None) -> list[Obj]:
        bucket = self.objects.get(key, {})
        found = [o for (n, _), o in bucket.items() if ns is None or n == ns]
        return sorted(found, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

    def all_items(self) -> Iterator[tuple[str, Obj]]:
        for key, bucket in self.objects.items():
            for obj in list(bucket.values()):
                yield key, obj

    def insert(self, key: str, obj: Obj) -> Obj:
        """Store a new object (caller checked absence); returns the stored copy."""
        meta = obj.setdefault("metadata", {})
        meta["uid"] = str(uuid.uuid4())
        meta["resourceVersion"] = self._bump()
        meta["creationTimestamp"] = self.now()
        meta["generation"] = 1
        stored = copy.deepcopy(obj)
        self.objects.setdefault(key, {})[(meta.get("namespace", ""), meta["name"])] = stored
        return stored

    def update(self, key: str, obj: Obj) -> Obj:
        """Replace an existing object; bumps generation when anything outside metadata/status changed."""
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
        if copy.deepcopy(obj) == old:
            return old
        meta["resourceVersion"] = self._bump()
        stored = copy.deepcopy(obj)
        self.objects[key][ident] = stored
        return stored

    def remove(self, key: str, ns: str, name: str) -> Obj | None:
        removed = self.objects.get(key, {}).pop((ns, name), None)
        if removed is not None:
            self._bump()
        return removed

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
        store.revision = int(data.get("revision", 0))
        store.sequence = int(data.get("sequence", 0))
        store.signing_key = str(data.get("signingKey") or store.signing_key)
        for key, objs in (data.get("objects") or {}).items():
            bucket = store.objects.setdefault(key, {})
            for obj in objs:
                meta = obj["metadata"]
                bucket[(meta.get("namespace", ""), meta["name"])] = obj
        return store
