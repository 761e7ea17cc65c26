"""The lock file `manifests/charts.lock.yaml`: every chart and release manifest the product installs,
pinned by version and by the sha256 digest of the archive (upstream, and the local cloud's model)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from orchestrator.errors import UsageError

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFESTS_DIR = REPO_ROOT / "manifests"
DEFAULT_LOCK = MANIFESTS_DIR / "charts.lock.yaml"

Digest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


class LockError(UsageError):
    """The lock file is missing, unreadable or invalid, or names no such chart (exit 2)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChartPin(_Strict):
    repository: Annotated[str, Field(pattern=r"^https://\S+$")]
    chart: Annotated[str, Field(pattern=_NAME)]
    version: Annotated[str, Field(pattern=r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
    digest: Digest | None = Field(None, description="sha256 of the upstream archive; None: not established")
    local_digest: Digest | None = Field(None, description="sha256 of the local cloud's model chart")

    @property
    def archive(self) -> str:
        return f"{self.chart}-{self.version}.tgz"


class ManifestPin(_Strict):
    url: Annotated[str, Field(pattern=r"^https://\S+$")]
    version: Annotated[str, Field(pattern=r"^v?\d+\.\d+\.\d+$")]
    digest: Digest | None = None
    local_digest: Digest | None = None


class ChartsLock(_Strict):
    charts: dict[str, ChartPin] = Field(default_factory=dict)
    manifests: dict[str, ManifestPin] = Field(default_factory=dict)

    def chart(self, name: str) -> ChartPin:
        if name not in self.charts:
            raise LockError(f"chart {name!r} is not pinned in the lock file (known: {sorted(self.charts)})")
        return self.charts[name]

    def manifest(self, name: str) -> ManifestPin:
        if name not in self.manifests:
            known = sorted(self.manifests)
            raise LockError(f"manifest {name!r} is not pinned in the lock file (known: {known})")
        return self.manifests[name]


def parse_lock(text: str, *, source: str) -> ChartsLock:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LockError(f"{source}: not valid YAML: {_first_line(str(exc))}") from None
    if not isinstance(raw, dict):
        raise LockError(f"{source}: expected a mapping with `charts:` and `manifests:`")
    try:
        return ChartsLock.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{source}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise LockError("\n".join(lines)) from None


def load_lock(path: Path = DEFAULT_LOCK) -> ChartsLock:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(f"cannot read the chart lock file {path}: {exc}") from None
    return parse_lock(text, source=str(path))


def _first_line(text: str) -> str:
    return re.split(r"\n", text, maxsplit=1)[0]
