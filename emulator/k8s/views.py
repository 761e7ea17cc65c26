"""What a GET answers besides the plain object or list: Tables and metadata-only views, and watches.

The router calls these with the stored objects; they pick the rendering from the ``Accept`` header
(``tables.negotiate``) and build the watch plan (``watch.WatchPlan``) while the cluster lock is held.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from . import tables, watch
from .objects import Objects
from .printers import Printer
from .resources import CRD_KEY, ResourceType
from .selectors import parse_field_selector, parse_label_selector
from .store import Obj

Arg = Callable[[str], str | None]


def output(obj: Obj, rt: ResourceType, version: str) -> Obj:
    """The stored object as served at ``version`` (shallow: stored objects are never mutated)."""
    return {**obj, "apiVersion": rt.api_version(version), "kind": rt.kind}


def _printer(objects: Objects, rt: ResourceType, version: str) -> Printer:
    return tables.printer_for(rt, version, objects.store.get(CRD_KEY, "", rt.storage_key))


def rendered(
    objects: Objects, rt: ResourceType, version: str, arg: Arg, accept: str, items: Sequence[Obj], meta: Obj
) -> Obj | None:
    """A Table / PartialObjectMetadata(List) of ``items`` when the client asked for one, else None."""
    rendering = tables.negotiate(accept, arg("includeObject"))
    if rendering is None:
        return None
    return tables.render(rendering, _printer(objects, rt, version), items, meta, objects.store.clock())


def watch_plan(
    objects: Objects, rt: ResourceType, version: str, namespace: str | None, arg: Arg, accept: str
) -> watch.WatchPlan:
    store = objects.store
    start, initial = watch.start_of(arg, store.revision)
    selection = watch.Selection(
        rt.storage_key,
        namespace if rt.namespaced else None,
        parse_label_selector(arg("labelSelector")),
        parse_field_selector(arg("fieldSelector")),
    )
    current = [o for o in objects.list(rt, namespace) if selection.matches(o)] if initial else []
    rendering = tables.negotiate(accept, arg("includeObject"))
    printer = _printer(objects, rt, version)

    def present(obj: Obj) -> Obj:
        served = output(obj, rt, version)
        if rendering is None:
            return served
        meta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
        return tables.render(rendering, printer, [served], meta, store.clock())

    def bookmark(revision: int) -> Obj:
        return {
            "kind": rt.kind,
            "apiVersion": rt.api_version(version),
            "metadata": {"resourceVersion": str(revision)},
        }

    bookmarks = (arg("allowWatchBookmarks") or "").lower() == "true"
    return watch.WatchPlan(
        selection,
        start,
        current,
        present,
        bookmark,
        timeout_s=watch.timeout_of(arg),
        bookmarks=bookmarks,
        initial_end=bookmarks and (arg("sendInitialEvents") or "").lower() == "true",
    )
