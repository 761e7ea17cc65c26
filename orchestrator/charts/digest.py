"""sha256 digests of chart archives and manifests, and the cache keyed by them."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from orchestrator.errors import OrchestrateError


class ChartError(OrchestrateError):
    """A chart or manifest cannot be used: not found, wrong digest, does not render (exit 1)."""


class DigestMismatch(ChartError):
    def __init__(self, what: str, expected: str, actual: str, where: str) -> None:
        super().__init__(
            f"{what}: digest mismatch: the lock file pins {expected} but {where} has {actual};"
            " nothing was used. If the new archive is the one you want, update the lock file;"
            " if the cached copy is damaged, delete it and run again"
        )
        self.expected, self.actual = expected, actual


def sha256_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def verify(what: str, data: bytes, expected: str, where: str) -> None:
    actual = sha256_of(data)
    if actual != expected:
        raise DigestMismatch(what, expected, actual, where)


class DigestCache:
    """`<root>/<hex digest>/<file name>`: a file is stored only after its digest was verified."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str, filename: str) -> Path:
        return self.root / digest.removeprefix("sha256:") / filename

    def get(self, what: str, digest: str, filename: str) -> Path | None:
        path = self.path(digest, filename)
        if not path.is_file():
            return None
        verify(what, path.read_bytes(), digest, f"the cached copy {path}")
        return path

    def put(self, digest: str, filename: str, data: bytes) -> Path:
        path = self.path(digest, filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
        return path
