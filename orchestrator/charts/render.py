"""Rendering a pinned chart (or reading a pinned manifest) into objects, twice, to prove the render
is deterministic: an object whose content differs between two renders (a template calling `genCA`,
`randAlphaNum`, `now`...) is an error naming that object, because it would drift on every run."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from orchestrator.charts.digest import ChartError, sha256_of
from orchestrator.charts.helm import TemplateRequest
from orchestrator.charts.lock import ChartsLock
from orchestrator.charts.objects import RenderedObject, parse_render
from orchestrator.charts.source import ChartSource


class Template(Protocol):
    def template(self, request: TemplateRequest) -> str: ...


@dataclass(frozen=True)
class Render:
    release: str
    chart: str
    version: str
    digest: str  # the archive's (or manifest's) digest, as verified
    objects: tuple[RenderedObject, ...]


def check_deterministic(first: Sequence[RenderedObject], second: Sequence[RenderedObject], what: str) -> None:
    a = {o.ref: _canonical(o.body) for o in first}
    b = {o.ref: _canonical(o.body) for o in second}
    differing = sorted(r.describe() for r in a.keys() | b.keys() if a.get(r) != b.get(r))
    if differing:
        raise ChartError(
            f"{what} does not render deterministically: {', '.join(differing)} differ between two renders"
            " with the same inputs (a template generating certificates, passwords or timestamps:"
            " genCA, genSelfSignedCert, randAlphaNum, now...). Choose the chart's option that takes"
            " them from an existing Secret, cert-manager or a cronJob instead"
        )


def _canonical(body: Mapping[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, default=str)


class Renderer:
    def __init__(self, lock: ChartsLock, source: ChartSource, helm: Callable[[], Template]) -> None:
        self.lock, self.source, self._helm = lock, source, helm

    def chart(
        self,
        *,
        release: str,
        chart: str,
        namespace: str,
        kube_version: str,
        values: Mapping[str, Any],
        api_versions: Sequence[str] = (),
    ) -> Render:
        pin = self.lock.chart(chart)
        archive = self.source.chart(pin)
        request = TemplateRequest(release, archive, namespace, kube_version, values, api_versions)
        helm = self._helm()
        origin = f"release {release} (chart {pin.chart} {pin.version})"
        renders = [parse_render(helm.template(request), namespace=namespace, origin=origin) for _ in range(2)]
        check_deterministic(renders[0], renders[1], origin)
        return Render(release, pin.chart, pin.version, _digest_of(archive), tuple(renders[0]))

    def manifest(self, *, release: str, name: str, namespace: str) -> Render:
        pin = self.lock.manifest(name)
        path = self.source.manifest(name, pin)
        text = path.read_text(encoding="utf-8")
        objects = parse_render(text, namespace=namespace, origin=f"manifest {name} {pin.version}")
        return Render(release, name, pin.version, _digest_of(path), tuple(objects))


def _digest_of(path: Path) -> str:
    return sha256_of(path.read_bytes())
