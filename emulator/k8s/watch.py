"""Watches: a long-lived response that streams ADDED / MODIFIED / DELETED events from the revision log.

Semantics follow kube-apiserver: ``resourceVersion`` absent or ``0`` first sends the current objects as
synthetic ADDED events; ``resourceVersion=N`` streams the changes after N, or one ERROR event (410,
reason Expired) when the log no longer reaches back to N. ``sendInitialEvents=true`` ends the initial
events with a BOOKMARK annotated ``k8s.io/initial-events-end``; ``allowWatchBookmarks=true`` adds a
BOOKMARK every minute and shortly before ``timeoutSeconds`` ends the stream. Label and field selectors
apply to both states of a change: an object that stops matching is DELETED for the watcher, one that
starts matching is ADDED. The stream yields ``b""`` between events so the HTTP server can end it on
shutdown; nothing holds a lock while the client reads.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from .errors import KubeError, bad_request
from .selectors import FieldRequirement, Requirement, fields_match, matches
from .store import ADDED, DELETED, MODIFIED, Change, Obj

DEFAULT_TIMEOUT_S = 1800.0
HEARTBEAT_S = 0.25
BOOKMARK_EVERY_S = 60.0
BOOKMARK_BEFORE_END_S = 2.0
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
CONTENT_TYPE = "application/json;stream=watch"


class WatchSource(Protocol):
    """The cluster side of a watch (implemented by ``backing.Backing``)."""

    @property
    def closed(self) -> bool: ...

    def changes_since(self, revision: int, wait: float) -> list[Change] | None:
        """Committed changes after ``revision`` (waiting up to ``wait`` s for one); None if expired."""
        ...


@dataclass(frozen=True)
class Selection:
    """Which objects a watch sees."""

    key: str
    namespace: str | None
    labels: list[Requirement] = field(default_factory=list)
    fields: list[FieldRequirement] = field(default_factory=list)

    def matches(self, obj: Obj | None) -> bool:
        if obj is None:
            return False
        meta = obj["metadata"]
        if self.namespace is not None and meta.get("namespace", "") != self.namespace:
            return False
        return matches(self.labels, meta.get("labels")) and fields_match(self.fields, obj)


@dataclass(frozen=True)
class WatchPlan:
    """Everything a watch needs, fixed while the request held the cluster lock."""

    selection: Selection
    start: int  # stream the changes after this revision
    initial: list[Obj]  # synthetic ADDED events first
    present: Callable[[Obj], Obj]  # stored object -> what the client asked for (version, Table)
    bookmark: Callable[[int], Obj]  # revision -> the BOOKMARK event's object
    timeout_s: float = DEFAULT_TIMEOUT_S
    bookmarks: bool = False
    initial_end: bool = False


def requested(arg: Callable[[str], str | None]) -> bool:
    return (arg("watch") or "").lower() in ("true", "1")


def timeout_of(arg: Callable[[str], str | None]) -> float:
    raw = arg("timeoutSeconds")
    if not raw:
        return DEFAULT_TIMEOUT_S
    if not raw.isdigit():
        raise bad_request(f"invalid timeoutSeconds {raw!r}")
    return float(raw)


def start_of(arg: Callable[[str], str | None], current: int) -> tuple[int, bool]:
    """(revision to stream after, whether to send the current state first)."""
    raw = arg("resourceVersion") or ""
    initial = (arg("sendInitialEvents") or "").lower() == "true"
    if raw in ("", "0") or initial:
        return current, True
    if not raw.isdigit():
        raise bad_request(f"invalid resourceVersion {raw!r}")
    return int(raw), False


def event_for(change: Change, selection: Selection) -> tuple[str, Obj] | None:
    """The event a watcher with ``selection`` sees for ``change`` (None: none)."""
    if change.key != selection.key:
        return None
    before = selection.matches(change.previous) if change.type != ADDED else False
    after = selection.matches(change.obj) if change.type != DELETED else False
    if change.type == DELETED:
        return (DELETED, change.obj) if before else None
    if after:
        return (MODIFIED if before else ADDED), change.obj
    if before:  # stopped matching: gone for this watcher, at the new revision
        return DELETED, change.obj
    return None


def _line(kind: str, obj: Obj) -> bytes:
    return (json.dumps({"type": kind, "object": obj}, separators=(",", ":")) + "\n").encode()


def expired(revision: int) -> bytes:
    status = KubeError(410, f"too old resource version: {revision}", "Expired").status()
    return _line("ERROR", status)


class _Bookmarks:
    """When to send BOOKMARKs: every minute, and once shortly before the watch times out."""

    def __init__(self, enabled: bool, deadline: float) -> None:
        self.enabled = enabled
        self.before_end = deadline - BOOKMARK_BEFORE_END_S
        self.due = min(time.monotonic() + BOOKMARK_EVERY_S, self.before_end)

    def take(self) -> bool:
        now = time.monotonic()
        if not self.enabled or now < self.due:
            return False
        following = now + BOOKMARK_EVERY_S
        self.due = self.before_end if now < self.before_end < following else following
        return True


def stream(plan: WatchPlan, source: WatchSource) -> Iterator[bytes]:
    deadline = time.monotonic() + plan.timeout_s
    chunk = b"".join(_line(ADDED, plan.present(o)) for o in plan.initial)
    if plan.initial_end:
        marker = plan.bookmark(plan.start)
        marker["metadata"]["annotations"] = {INITIAL_EVENTS_END: "true"}
        chunk += _line("BOOKMARK", marker)
    yield chunk
    cursor, bookmarks = plan.start, _Bookmarks(plan.bookmarks, deadline)
    while not source.closed:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        changes = source.changes_since(cursor, min(remaining, HEARTBEAT_S))
        if changes is None:
            yield expired(cursor)
            return
        out = []
        for change in changes:
            cursor = change.revision
            seen = event_for(change, plan.selection)
            if seen is not None:
                out.append(_line(seen[0], plan.present(seen[1])))
        if bookmarks.take():
            out.append(_line("BOOKMARK", plan.bookmark(cursor)))
        yield b"".join(out)
