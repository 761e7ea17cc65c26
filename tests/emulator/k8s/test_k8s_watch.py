"""Real watches: streamed events from the revision log, resourceVersion, timeouts, bookmarks, 410 Gone."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from http_kit import TABLE, watch_lines
from kube_testkit import TOKEN, Kube
from kubernetes import client, watch

from emulator.k8s import KubeCluster

Event = dict[str, Any]


def _config_map(name: str, **labels: str) -> client.V1ConfigMap:
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels or None))


class Collector:
    """Reads a watch in a thread; ``take(n)`` waits for the next n events."""

    def __init__(self, events: Iterator[Event]) -> None:
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, args=(events,), daemon=True)
        self._thread.start()

    def _run(self, events: Iterator[Event]) -> None:
        try:
            for event in events:
                self._queue.put(event)
        finally:
            self._queue.put(None)

    def take(self, count: int, timeout: float = 10) -> list[Event]:
        out = []
        for _ in range(count):
            event = self._queue.get(timeout=timeout)
            assert event is not None, f"the watch ended after {out}"
            out.append(event)
        return out

    def ended(self, timeout: float = 10) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()


def _typed_watch(kube: Kube, **kwargs: Any) -> Iterator[Event]:
    stream: Callable[..., Iterator[Event]] = watch.Watch().stream
    return stream(kube.core.list_namespaced_config_map, "default", **kwargs)


def _names(events: list[Event]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"].metadata.name) for e in events]


def test_a_watch_stays_open_and_streams_later_changes(kube: Kube) -> None:
    kube.core.create_namespaced_config_map("default", _config_map("before"))
    seen = Collector(_typed_watch(kube, field_selector="metadata.name!=kube-root-ca.crt", timeout_seconds=20))
    assert _names(seen.take(1)) == [("ADDED", "before")]  # no resourceVersion: the current state first
    kube.core.create_namespaced_config_map("default", _config_map("after"))
    kube.core.patch_namespaced_config_map("after", "default", {"data": {"k": "v"}})
    kube.core.delete_namespaced_config_map("before", "default")
    events = seen.take(3)
    assert _names(events) == [("ADDED", "after"), ("MODIFIED", "after"), ("DELETED", "before")]
    assert events[1]["object"].data == {"k": "v"}
    versions = [int(e["object"].metadata.resource_version) for e in events]
    assert versions == sorted(versions)


def test_resource_version_resumes_after_it_and_too_old_is_gone() -> None:
    cluster = KubeCluster("c", TOKEN, watch_log=5)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def create(name: str) -> str:
        body = f'{{"metadata": {{"name": "{name}"}}}}'.encode()
        reply = cluster.handle("POST", "/api/v1/namespaces/default/configmaps", {}, headers, body)
        return str(json.loads(reply.body)["metadata"]["resourceVersion"])

    first = create("one")
    create("two")

    def events_after(version: str) -> list[bytes]:
        query = {"watch": ["true"], "resourceVersion": [version], "timeoutSeconds": ["1"]}
        reply = cluster.handle("GET", "/api/v1/namespaces/default/configmaps", query, headers, b"")
        assert reply.stream is not None
        return [line for chunk in reply.stream for line in chunk.splitlines() if line]

    resumed = events_after(first)
    assert len(resumed) == 1 and b'"name":"two"' in resumed[0] and b'"ADDED"' in resumed[0]
    for index in range(6):
        create(f"more-{index}")
    (gone,) = events_after(first)
    assert b'"type":"ERROR"' in gone and b'"code":410' in gone and b'"reason":"Expired"' in gone


def test_selectors_turn_changes_into_added_and_deleted(kube: Kube) -> None:
    kube.core.create_namespaced_config_map("default", _config_map("x", team="a"))
    seen = Collector(_typed_watch(kube, label_selector="team=a", timeout_seconds=20))
    assert _names(seen.take(1)) == [("ADDED", "x")]
    kube.core.patch_namespaced_config_map("x", "default", {"metadata": {"labels": {"team": "b"}}})
    kube.core.create_namespaced_config_map("default", _config_map("y", team="b"))
    kube.core.patch_namespaced_config_map("x", "default", {"metadata": {"labels": {"team": "a"}}})
    assert _names(seen.take(2)) == [("DELETED", "x"), ("ADDED", "x")]  # y never matched


def test_timeout_ends_the_stream_and_bookmarks_carry_the_revision(kube: Kube) -> None:
    events = list(
        watch_lines(
            kube.url,
            "/api/v1/namespaces/default/configmaps",
            timeoutSeconds="3",
            allowWatchBookmarks="true",
            sendInitialEvents="true",
            resourceVersionMatch="NotOlderThan",
        )
    )
    kinds = [e["type"] for e in events]
    assert kinds[0] == "ADDED" and kinds.count("BOOKMARK") == 2  # end of initial events, then before the end
    initial_end = events[kinds.index("BOOKMARK")]["object"]["metadata"]
    assert initial_end["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(initial_end["resourceVersion"]) > 0
    assert events[-1]["object"]["kind"] == "ConfigMap"


def test_watch_events_are_tables_when_asked(kube: Kube) -> None:
    stream = watch_lines(kube.url, "/api/v1/namespaces/default/configmaps", accept=TABLE, timeoutSeconds="5")
    first = next(stream)
    assert first["type"] == "ADDED" and first["object"]["kind"] == "Table"
    assert [c["name"] for c in first["object"]["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert first["object"]["rows"][0]["cells"][:2] == ["kube-root-ca.crt", 1]


def test_closing_the_cluster_ends_its_watches(kube: Kube) -> None:
    seen = Collector(_typed_watch(kube, timeout_seconds=60))
    seen.take(1)  # kube-root-ca.crt
    kube.cluster.close()
    assert seen.ended(timeout=5)


def test_watches_across_threads_see_every_write(kube: Kube) -> None:
    seen = Collector(_typed_watch(kube, field_selector="metadata.name!=kube-root-ca.crt", timeout_seconds=30))
    apis = [client.CoreV1Api(kube.client_with_token(TOKEN)) for _ in range(4)]
    writers = [
        threading.Thread(
            target=lambda i=i: apis[i].create_namespaced_config_map("default", _config_map(f"t{i}"))
        )
        for i in range(4)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert sorted(_names(seen.take(4))) == [("ADDED", f"t{i}") for i in range(4)]
