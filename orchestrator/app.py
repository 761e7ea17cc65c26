"""Assemble one command's world: config, locked state, cloud, clients, runner and session.

`App` is a context manager so the state lock and the local cloud are always released, even on
Ctrl-C. The CLI builds one per command; tests and other front ends can build their own with another
phase registry or services factory (nothing here is global).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from orchestrator.config.model import Deployment
from orchestrator.engine.phases import PhaseRegistry
from orchestrator.engine.runner import Reporter, Runner
from orchestrator.engine.session import Session
from orchestrator.paths import default_state_path
from orchestrator.telemetry import RequestCounts
from state.local import LocalBackend
from state.store import StateStore

log = logging.getLogger("orchestrate")

ServicesFactory = Callable[["App"], Any]


@dataclass(frozen=True)
class AppOptions:
    config_path: Path
    state_path: Path | None
    cloud: str
    max_workers: int = 4


class App:
    def __init__(
        self,
        options: AppOptions,
        config: Deployment,
        registry: PhaseRegistry,
        services_factory: ServicesFactory,
        reporter: Reporter,
        command: str,
    ) -> None:
        self.options = options
        self.config = config
        self.registry = registry
        self.command = command
        self.counts = RequestCounts()
        self.state_path = options.state_path or default_state_path(config.name)
        self.backend = LocalBackend(self.state_path)
        self._services_factory = services_factory
        self._reporter = reporter
        self.started = time.monotonic()
        self.services: Any = None
        self.store: StateStore | None = None
        self.session: Session | None = None

    def __enter__(self) -> App:
        self.backend.acquire(self.command)
        try:
            self.store = StateStore(self.backend, self.config.name, cloud=self.options.cloud)
            self.services = self._services_factory(self)
            runner = Runner(
                store=self.store,
                deployment=self.config.name,
                config=self.config,
                services=self.services,
                reporter=self._reporter,
                max_workers=self.options.max_workers,
                log=log.debug,
            )
            self.session = Session(self.registry, runner, self.store, self.config)
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()

    def _close(self) -> None:
        close = getattr(self.services, "close", None)
        try:
            if close is not None:
                close()
        finally:
            self.backend.release()

    def elapsed(self) -> float:
        return time.monotonic() - self.started
