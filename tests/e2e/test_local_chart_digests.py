"""The lock file's `local_digest` of every chart and manifest matches what the local cloud serves,
fetched the product's way (its chart repository over HTTPS with its CA, verified, cached). When the
local cloud's model changes, this fails naming both digests: paste the served one into the lock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import LocalCloud
from orchestrator.charts.lock import DEFAULT_LOCK, load_lock
from orchestrator.charts.services import ChartServices
from orchestrator.clouds import local_target
from orchestrator.services import chart_services

LOCK = load_lock(DEFAULT_LOCK)


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChartServices]:
    root = tmp_path_factory.mktemp("local")
    cloud = LocalCloud.start(root / "local-cloud")
    try:
        services = chart_services(local_target(cloud), root / "aks-demo.json")
        assert services is not None, "the local cloud serves no chart repository"
        yield services
    finally:
        cloud.stop()


@pytest.mark.parametrize("name", sorted(LOCK.charts))
def test_each_pinned_chart_is_served_by_the_local_cloud_with_its_local_digest(
    charts: ChartServices, name: str
) -> None:
    path: Path = charts.source.chart(LOCK.chart(name))
    assert path.name == LOCK.chart(name).archive and path.parent.parent.name == "charts"


@pytest.mark.parametrize("name", sorted(LOCK.manifests))
def test_each_pinned_manifest_is_served_by_the_local_cloud_with_its_local_digest(
    charts: ChartServices, name: str
) -> None:
    path: Path = charts.source.manifest(name, LOCK.manifest(name))
    assert path.read_bytes()
