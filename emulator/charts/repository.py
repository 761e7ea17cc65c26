"""The local cloud's chart repository: model charts and release manifests built from emulator/charts/.

Layout served under ``<base>`` (``LocalCloud.chart_repository``):

- ``<base>/charts/index.yaml``: a Helm repository index (apiVersion v1) with each archive's sha256;
- ``<base>/charts/<name>-<version>.tgz``: the model chart, built by ``archive.package``;
- ``<base>/manifests/<name>-<version>.yaml``: a release manifest (e.g. the Gateway API CRDs).

A chart source is a directory holding ``Chart.yaml``; a manifest source one holding ``release.yaml``
(name, version) and ``manifest.yaml``. Everything is built once, in memory, from the sources.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from .archive import package

SOURCES = Path(__file__).resolve().parent
FIXED_CREATED = "2026-07-29T00:00:00Z"  # index timestamps are constant, so the index is stable too


@dataclass(frozen=True)
class Artifact:
    kind: str  # "chart" | "manifest"
    name: str
    version: str
    path: str  # relative to the repository base
    data: bytes
    meta: dict[str, object]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _chart(source: Path) -> Artifact:
    meta = yaml.safe_load((source / "Chart.yaml").read_text(encoding="utf-8"))
    name, version = str(meta["name"]), str(meta["version"])
    data = package(source, name)
    return Artifact("chart", name, version, f"charts/{name}-{version}.tgz", data, meta)


def _manifest(source: Path) -> Artifact:
    meta = yaml.safe_load((source / "release.yaml").read_text(encoding="utf-8"))
    name, version = str(meta["name"]), str(meta["version"])
    data = (source / "manifest.yaml").read_bytes()
    return Artifact("manifest", name, version, f"manifests/{name}-{version}.yaml", data, meta)


def build(sources: Path = SOURCES) -> list[Artifact]:
    """Every artifact of the repository, sorted by kind, name and version."""
    found: list[Artifact] = []
    for directory in sorted(p for p in sources.iterdir() if p.is_dir()):
        if (directory / "Chart.yaml").is_file():
            found.append(_chart(directory))
        elif (directory / "release.yaml").is_file():
            found.append(_manifest(directory))
    return sorted(found, key=lambda a: (a.kind, a.name, a.version))


def index(artifacts: list[Artifact]) -> bytes:
    """The Helm repository index of the charts (relative URLs, resolved by helm against the repo URL)."""
    entries: dict[str, list[dict[str, object]]] = {}
    for a in artifacts:
        if a.kind != "chart":
            continue
        keys = ("apiVersion", "appVersion", "description", "home", "icon", "keywords", "kubeVersion")
        entry = {k: a.meta[k] for k in keys if k in a.meta}
        entry.update(
            name=a.name,
            version=a.version,
            annotations=a.meta.get("annotations") or {},
            created=FIXED_CREATED,
            digest=a.sha256,
            urls=[a.path.removeprefix("charts/")],
        )
        entries.setdefault(a.name, []).append(entry)
    doc = {"apiVersion": "v1", "entries": entries, "generated": FIXED_CREATED}
    return yaml.safe_dump(doc, sort_keys=True).encode()


class ChartRepository:
    """Answers GET/HEAD for paths under the repository prefix; built once from the sources."""

    PREFIX = "/repository"

    def __init__(self, sources: Path = SOURCES) -> None:
        self.artifacts = build(sources)
        self._files: dict[str, tuple[bytes, str]] = {
            f"{self.PREFIX}/{a.path}": (a.data, _content_type(a)) for a in self.artifacts
        }
        self._files[f"{self.PREFIX}/charts/index.yaml"] = (index(self.artifacts), "application/x-yaml")

    def handles(self, path: str) -> bool:
        return path == self.PREFIX or path.startswith(self.PREFIX + "/")

    def lookup(self, path: str) -> tuple[bytes, str] | None:
        """(body, content type) of a served file, or None (404)."""
        return self._files.get(path.rstrip("/"))

    def digests(self) -> list[tuple[str, str, str, str]]:
        """(kind, name, version, sha256) of every artifact."""
        return [(a.kind, a.name, a.version, a.sha256) for a in self.artifacts]


def _content_type(artifact: Artifact) -> str:
    return "application/gzip" if artifact.kind == "chart" else "application/x-yaml"
