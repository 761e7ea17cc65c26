"""LocalCloud: the in-process handle on the emulator (server thread + backend)."""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import Any

from emulator.arm import admin
from emulator.arm.backend import Backend
from emulator.arm.engine import Engine
from emulator.arm.providers import build_registry
from emulator.charts import ChartRepository
from emulator.server import HttpsServer
from emulator.settings import Settings
from emulator.tls import TOKEN_FILE, ensure_tls, ensure_token

ENDPOINT_FILE = "endpoint.json"


class LocalCloud:
    def __init__(self, state_dir: Path, settings: Settings, port: int = 0) -> None:
        self.state_dir = state_dir
        tls = ensure_tls(state_dir)
        self.ca_path: Path = tls.ca_path
        self.token: str = ensure_token(state_dir)
        self.token_path: Path = state_dir / TOKEN_FILE
        self.backend = Backend(state_dir, settings, build_registry(), self.token)
        endpoint = state_dir / ENDPOINT_FILE
        previous = json.loads(endpoint.read_text(encoding="utf-8")).get("port", 0) if endpoint.exists() else 0
        self.repository = ChartRepository()
        self._server = HttpsServer(
            Engine(self.backend), tls, port, preferred_port=int(previous), repository=self.repository
        )
        self.arm_url: str = self._server.url
        # charts at <chart_repository>/charts/, release manifests at <chart_repository>/manifests/
        self.chart_repository: str = f"{self.arm_url}{ChartRepository.PREFIX}"
        self.port: int = self._server.port
        info = {
            "arm_url": self.arm_url,
            "port": self.port,
            "ca_path": str(self.ca_path),
            "chart_repository": self.chart_repository,
            "token_path": str(self.token_path),
        }
        endpoint.write_text(json.dumps(info, indent=2), encoding="utf-8")

    @classmethod
    def start(cls, state_dir: Path, settings: Settings | None = None, port: int = 0) -> LocalCloud:
        """Start serving. `settings` wins over <state_dir>/settings.json, which wins over defaults."""
        state_dir = Path(state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        chosen = settings or Settings.load(state_dir) or Settings()
        cloud = cls(state_dir, chosen, port)
        cloud._server.start()
        return cloud

    def stop(self) -> None:
        self._server.stop()
        self.backend.close()  # ends Kubernetes watches, closes the clusters' files

    def __enter__(self) -> LocalCloud:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- runtime control and introspection ------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.backend.settings

    def set_settings(self, settings: Settings) -> None:
        self.backend.configure(settings)

    def request_counts(self) -> list[dict[str, Any]]:
        return self.backend.counter.snapshot()

    def request_total(self, method: str | None = None, resource_type: str | None = None) -> int:
        return self.backend.counter.total(method, resource_type)

    def reset_counters(self) -> None:
        self.backend.counter.reset()

    def resources(self, type_name: str | None = None, under: str | None = None) -> list[dict[str, Any]]:
        """The inventory: every resource (children too), optionally of one type and/or under one ID."""
        with self.backend.store.transaction():
            return admin.list_resources(self.backend, type_name, under)
