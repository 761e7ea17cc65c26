"""Fixtures: one plain-HTTP server for the session, a fresh KubeCluster and real clients per test."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from kube_testkit import TOKEN, Handler, Kube, kubeconfig, next_key
from kubernetes import config

from emulator.k8s import KubeCluster


@pytest.fixture(scope="session")
def k8s_server() -> Iterator[tuple[str, dict[str, KubeCluster]]]:
    clusters: dict[str, KubeCluster] = {}
    handler = type("BoundHandler", (Handler,), {"clusters": clusters})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", clusters
    server.shutdown()
    server.server_close()


@pytest.fixture
def kube(k8s_server: tuple[str, dict[str, KubeCluster]], tmp_path: Path) -> Iterator[Kube]:
    base, clusters = k8s_server
    key = next_key()
    cluster = KubeCluster(key, TOKEN, clock=lambda: 1_790_000_000.0)
    clusters[key] = cluster
    url = f"{base}/k8s/{key}"
    api = config.new_client_from_config_dict(kubeconfig(url, TOKEN))
    yield Kube(cluster, url, api, tmp_path)
    api.close()
    clusters.pop(key, None)


@pytest.fixture(autouse=True)
def _no_emulator_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A failing control-loop stage or a loop that never settles is a bug even if the test passes."""
    caplog.set_level(logging.WARNING, logger="emulator.k8s")
    yield
    records = caplog.get_records("setup") + caplog.get_records("call")
    problems = [r.getMessage() for r in records if r.name.startswith("emulator.k8s")]
    assert not problems, problems
