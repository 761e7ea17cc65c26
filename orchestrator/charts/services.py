"""What a release step needs to render: the lock file, a chart source and the helm CLI, as one
bundle on `ctx.services.charts`. The source is injected (upstream on Azure, the local cloud's
repository, or a test's own), so no product code special-cases tests."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from orchestrator.charts.digest import ChartError, DigestCache
from orchestrator.charts.fetch import url_fetcher
from orchestrator.charts.helm import HelmCli, find_helm, helm_problem
from orchestrator.charts.lock import DEFAULT_LOCK, ChartsLock, load_lock
from orchestrator.charts.render import Renderer, Template
from orchestrator.charts.source import ChartSource, Mirror, Upstream


class HelmMissing(ChartError):
    """helm is not installed or too old (preflight reports it with exit 2 before a phase runs)."""

    exit_code = 2


def _default_helm() -> Template:
    binary = find_helm()
    problem = helm_problem(binary)
    if problem is not None or binary is None:
        raise HelmMissing(problem or "helm is not installed")
    return HelmCli(binary)


class ChartServices:
    def __init__(
        self,
        source: ChartSource,
        *,
        lock: Callable[[], ChartsLock] = lambda: load_lock(DEFAULT_LOCK),
        helm: Callable[[], Template] = _default_helm,
    ) -> None:
        self.source, self._lock, self._helm = source, lock, helm

    @cached_property
    def lock(self) -> ChartsLock:
        return self._lock()

    @cached_property
    def helm(self) -> Template:
        return self._helm()

    def renderer(self) -> Renderer:
        return Renderer(self.lock, self.source, lambda: self.helm)


def cache_dir(state_path: Path) -> Path:
    """`.orchestrate/charts/`, next to the state file."""
    return state_path.parent / "charts"


def upstream_charts(state_path: Path) -> ChartServices:
    return ChartServices(ChartSource(Upstream(), url_fetcher(), DigestCache(cache_dir(state_path))))


def mirror_charts(base_url: str, ca_file: str | None, state_path: Path) -> ChartServices:
    source = ChartSource(Mirror(base_url), url_fetcher(ca_file=ca_file), DigestCache(cache_dir(state_path)))
    return ChartServices(source)
