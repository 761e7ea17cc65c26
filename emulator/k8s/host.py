"""The emulated clusters of one local-cloud state directory, each in its own SQLite file.

A process opens a cluster once and keeps it in memory; the file keeps processes in step (see
``backing``). ``instance`` ids tell a cached cluster from a newer one saved under the same key (the
cluster was deleted and created again by another process).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .cluster import KubeCluster

DIRECTORY = "k8s"


class ClusterHost:
    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / DIRECTORY
        self._open: dict[str, KubeCluster] = {}
        self._lock = threading.Lock()

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.sqlite"

    def create(self, key: str, build: Callable[[], KubeCluster]) -> KubeCluster:
        """Save a new cluster under ``key`` (replacing any file there); returns it, open."""
        cluster = build()
        with self._lock:
            self._forget(key)
            self._remove_files(key)
            cluster.save_to(self.path(key))
            self._open[key] = cluster
        return cluster

    def migrate(self, key: str, data: Mapping[str, Any]) -> KubeCluster:
        """A cluster kept the old way (JSON in the ARM state), saved to its own file."""
        return self.create(key, lambda: KubeCluster.from_json(data))

    def get(self, key: str, instance: str) -> KubeCluster | None:
        """The open cluster saved as ``instance`` under ``key``, opening its file when needed."""
        with self._lock:
            cached = self._open.get(key)
            if cached is not None and cached.instance == instance:
                return cached
            self._forget(key)
            if not self.path(key).exists():
                return None
            cluster = KubeCluster.open(self.path(key))
            if cluster.instance != instance:
                cluster.close()
                return None
            self._open[key] = cluster
            return cluster

    def drop(self, key: str) -> None:
        with self._lock:
            self._forget(key)
            self._remove_files(key)

    def close(self) -> None:
        """End every watch and close every file (the local cloud is stopping)."""
        with self._lock:
            for key in list(self._open):
                self._forget(key)

    def _forget(self, key: str) -> None:
        cluster = self._open.pop(key, None)
        if cluster is not None:
            cluster.close()

    def _remove_files(self, key: str) -> None:
        base = self.path(key)
        for suffix in ("", "-wal", "-shm"):
            base.with_name(base.name + suffix).unlink(missing_ok=True)
