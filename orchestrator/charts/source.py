"""Where pinned charts and manifests come from, verified against the lock file and cached by digest.

Two layouts: `Upstream` (on Azure: the chart's own repository's `index.yaml`, then the archive; the
manifest's release URL; the lock's `digest`) and `Mirror` (the local cloud, or a test repository:
`<base>/charts/index.yaml`, `<base>/manifests/<name>-<version>.yaml`; the lock's `local_digest`).
A digest mismatch is an error naming both digests; nothing is re-downloaded silently.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from orchestrator.charts.digest import ChartError, DigestCache, verify
from orchestrator.charts.fetch import Fetcher
from orchestrator.charts.lock import ChartPin, ManifestPin


class Layout(Protocol):
    @property
    def name(self) -> str: ...

    def index_url(self, pin: ChartPin) -> str: ...
    def manifest_url(self, name: str, pin: ManifestPin) -> str: ...
    def chart_digest(self, pin: ChartPin) -> str | None: ...
    def manifest_digest(self, pin: ManifestPin) -> str | None: ...


@dataclass(frozen=True)
class Upstream:
    name: str = "upstream"

    def index_url(self, pin: ChartPin) -> str:
        return pin.repository.rstrip("/") + "/index.yaml"

    def manifest_url(self, name: str, pin: ManifestPin) -> str:
        return pin.url

    def chart_digest(self, pin: ChartPin) -> str | None:
        return pin.digest

    def manifest_digest(self, pin: ManifestPin) -> str | None:
        return pin.digest


@dataclass(frozen=True)
class Mirror:
    base: str  # https://127.0.0.1:port or file:///path: holds charts/ and manifests/
    name: str = "local"

    def index_url(self, pin: ChartPin) -> str:
        return self.base.rstrip("/") + "/charts/index.yaml"

    def manifest_url(self, name: str, pin: ManifestPin) -> str:
        return f"{self.base.rstrip('/')}/manifests/{name}-{pin.version}.yaml"

    def chart_digest(self, pin: ChartPin) -> str | None:
        return pin.local_digest

    def manifest_digest(self, pin: ManifestPin) -> str | None:
        return pin.local_digest


class ChartSource:
    def __init__(self, layout: Layout, fetch: Fetcher, cache: DigestCache) -> None:
        self.layout, self._fetch, self._cache = layout, fetch, cache

    def chart(self, pin: ChartPin) -> Path:
        """The verified archive of `pin`, from the cache or fetched (index.yaml, then the archive)."""
        what = f"chart {pin.chart} {pin.version}"
        digest = self._required(self.layout.chart_digest(pin), what)
        cached = self._cache.get(what, digest, pin.archive)
        if cached is not None:
            return cached
        url = self._archive_url(pin)
        data = self._fetch(url)
        verify(what, data, digest, url)
        return self._cache.put(digest, pin.archive, data)

    def manifest(self, name: str, pin: ManifestPin) -> Path:
        what = f"manifest {name} {pin.version}"
        digest = self._required(self.layout.manifest_digest(pin), what)
        filename = f"{name}-{pin.version}.yaml"
        cached = self._cache.get(what, digest, filename)
        if cached is not None:
            return cached
        url = self.layout.manifest_url(name, pin)
        data = self._fetch(url)
        verify(what, data, digest, url)
        return self._cache.put(digest, filename, data)

    def _required(self, digest: str | None, what: str) -> str:
        if digest is None:
            field = "digest" if self.layout.name == "upstream" else "local_digest"
            raise ChartError(
                f"{what}: the lock file has no `{field}` for the {self.layout.name} source;"
                " it is not used until its digest is pinned (manifests/charts.lock.yaml)"
            )
        return digest

    def _archive_url(self, pin: ChartPin) -> str:
        index_url = self.layout.index_url(pin)
        index = _parse_index(self._fetch(index_url), index_url)
        for entry in index.get("entries", {}).get(pin.chart) or []:
            if isinstance(entry, dict) and str(entry.get("version")) == pin.version:
                urls = entry.get("urls") or []
                if urls:
                    return urllib.parse.urljoin(index_url, str(urls[0]))
        raise ChartError(f"chart {pin.chart} {pin.version} is not in {index_url}")


def _parse_index(data: bytes, url: str) -> dict[str, Any]:
    try:
        index = yaml.safe_load(data)
    except yaml.YAMLError:
        index = None
    if not isinstance(index, dict):
        raise ChartError(f"{url} is not a chart repository index")
    return index
