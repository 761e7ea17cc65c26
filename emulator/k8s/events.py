"""core/v1 Events recorded by the modelled components (on state transitions only, deduplicated)."""

from __future__ import annotations

import copy
import hashlib

from .store import Obj, Store

MAX_EVENTS = 500


def record(
    store: Store, involved: Obj, reason: str, message: str, *, component: str, warning: bool = False
) -> None:
    meta = involved["metadata"]
    ns = meta.get("namespace") or "default"
    digest = hashlib.sha1(f"{meta.get('uid')}/{reason}/{message}".encode()).hexdigest()[:16]
    name = f"{meta['name']}.{digest}"
    now = store.now()
    existing = store.get("events", ns, name)
    if existing is not None:
        updated = copy.deepcopy(existing)
        updated["count"] = int(existing.get("count", 1)) + 1
        updated["lastTimestamp"] = now
        store.update("events", updated)
        return
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": {
            "apiVersion": involved.get("apiVersion"),
            "kind": involved.get("kind"),
            "name": meta["name"],
            "namespace": meta.get("namespace"),
            "uid": meta.get("uid"),
            "resourceVersion": meta.get("resourceVersion"),
        },
        "reason": reason,
        "message": message,
        "type": "Warning" if warning else "Normal",
        "count": 1,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "source": {"component": component},
        "reportingComponent": component,
        "reportingInstance": "",
    }
    store.insert("events", event)
    _trim(store)


def _trim(store: Store) -> None:
    events = [e for _, e in store.all_items() if e.get("kind") == "Event"]
    if len(events) <= MAX_EVENTS:
        return
    events.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
    for event in events[: len(events) - MAX_EVENTS]:
        store.remove("events", event["metadata"]["namespace"], event["metadata"]["name"])
