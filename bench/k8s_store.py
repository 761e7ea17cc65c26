"""What one Kubernetes write costs as an emulated cluster grows (not a test).

Usage: .venv/bin/python bench/k8s_store.py [--writes 300] [--big-objects 5000] [--crd-mb 5]

Two clusters, each kept in its own SQLite file as the local cloud keeps them:
- small: a fresh cluster (its bootstrap objects) plus 90 ConfigMaps, about 0.1 MB;
- big: the same plus ``--big-objects`` ConfigMaps and ``--crd-mb`` MB of CustomResourceDefinitions.
For each it times, through ``KubeCluster.handle`` (routing, admission, the control loop and the commit
to the file; no HTTP): a write (PUT of one ConfigMap with a new value), a GET of one object and a LIST
of one namespace of 50 ConfigMaps, the two clusters taking turns so that both see the same machine
load, and prints p50/p95 in milliseconds with the big/small write ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.k8s import KubeCluster

TOKEN = "bench"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def _call(cluster: KubeCluster, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else b""
    reply = cluster.handle(method, path, {}, HEADERS, data)
    if reply.status >= 300:
        raise RuntimeError(f"{method} {path}: {reply.status} {reply.body[:200]!r}")
    return json.loads(reply.body)


def _crd(index: int, size: int) -> dict[str, Any]:
    """A CRD whose schema weighs about ``size`` bytes (many described properties, like real ones)."""
    text = "Describes one field of this resource in the words upstream CRDs use, at length. " * 3
    properties = {f"field{n}": {"type": "string", "description": text} for n in range(max(1, size // 260))}
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": properties}}}
    plural = f"things{index}"
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.bench.example.com"},
        "spec": {
            "group": "bench.example.com",
            "scope": "Namespaced",
            "names": {"kind": f"Thing{index}", "plural": plural},
            "versions": [
                {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}
            ],
        },
    }


def _config_map(name: str, namespace: str, value: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": {"v": value},
    }


def build(path: Path, objects: int, crd_mb: float) -> tuple[KubeCluster, float]:
    """A saved cluster with ``objects`` extra ConfigMaps and ``crd_mb`` MB of CRDs; returns its size in MB."""
    cluster = KubeCluster("bench", TOKEN)
    for ns in ("bench", "bulk"):
        _call(cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
    for index in range(50):
        _call(cluster, "POST", "/api/v1/namespaces/bench/configmaps", _config_map(f"cm{index}", "bench", "x"))
    filler = "y" * 900
    for index in range(objects):
        _call(
            cluster, "POST", "/api/v1/namespaces/bulk/configmaps", _config_map(f"bulk{index}", "bulk", filler)
        )
    crd_size = 85_000
    for index in range(int(crd_mb * 1_000_000 / crd_size)):
        _call(
            cluster, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", _crd(index, crd_size)
        )
    stored = cluster.to_json()["store"]["objects"]
    megabytes = len(json.dumps(stored)) / 1e6
    cluster.save_to(path)
    cluster.close()
    return KubeCluster.open(path), megabytes


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def _actions(cluster: KubeCluster) -> dict[str, Callable[[int], Any]]:
    path = "/api/v1/namespaces/bench/configmaps/cm0"
    return {
        "write": lambda i: _call(cluster, "PUT", path, _config_map("cm0", "bench", str(i))),
        "get": lambda i: _call(cluster, "GET", path),
        "list": lambda i: _call(cluster, "GET", "/api/v1/namespaces/bench/configmaps"),
    }


def measure(clusters: dict[str, KubeCluster], count: int) -> dict[str, dict[str, tuple[float, float]]]:
    """p50/p95 (ms) per cluster and operation; the clusters take turns, so both see the same load."""
    actions = {label: _actions(cluster) for label, cluster in clusters.items()}
    for label in clusters:
        for index in range(20):  # warm up: the first writes after opening a file touch cold pages
            actions[label]["write"](-index)
    samples: dict[str, dict[str, list[float]]] = {
        label: {op: [] for op in actions[label]} for label in clusters
    }
    for index in range(count):
        for label in clusters:
            for op, action in actions[label].items():
                started = time.perf_counter()
                action(index)
                samples[label][op].append((time.perf_counter() - started) * 1000)
    return {label: {op: _percentiles(v) for op, v in ops.items()} for label, ops in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--big-objects", type=int, default=5000)
    parser.add_argument("--crd-mb", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = {
            label: build(Path(tmp) / f"{label}.sqlite", objects, crd_mb)
            for label, objects, crd_mb in (("small", 40, 0.0), ("big", args.big_objects, args.crd_mb))
        }
        clusters = {label: cluster for label, (cluster, _) in built.items()}
        counts = {
            label: sum(len(v) for v in c.to_json()["store"]["objects"].values())
            for label, c in clusters.items()
        }
        figures = measure(clusters, args.writes)
        for cluster in clusters.values():
            cluster.close()
    print(
        f"{'cluster':8} {'objects':>8} {'MB':>6} {'write p50':>10} {'write p95':>10} {'get p50':>8} {'list p50':>9}"
    )
    for label, ops in figures.items():
        w, g, ls = ops["write"], ops["get"], ops["list"]
        size = built[label][1]
        print(
            f"{label:8} {counts[label]:>8} {size:>6.2f} {w[0]:>10.2f} {w[1]:>10.2f} {g[0]:>8.2f} {ls[0]:>9.2f}"
        )
    small, big = figures["small"]["write"], figures["big"]["write"]
    print(
        f"write ratio big/small: p50 {big[0] / small[0]:.2f}, p95 {big[1] / small[1]:.2f} (milliseconds per request)"
    )


if __name__ == "__main__":
    main()
