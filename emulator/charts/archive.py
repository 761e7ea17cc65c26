"""Deterministic chart archives: the same source files give the same bytes on every build.

Entries are sorted, carry a fixed mtime, owner and mode, and the gzip header has mtime 0 and no file
name, so a chart's sha256 depends on its sources only (what the product's lock file pins).
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

FIXED_MTIME = 1_700_000_000  # 2023-11-14T22:13:20Z; any constant will do
COMPRESS_LEVEL = 9


def chart_files(source: Path) -> list[Path]:
    """Every file of a chart source directory, sorted (hidden files and caches left out)."""
    return sorted(
        p
        for p in source.rglob("*")
        if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in p.parts)
    )


def _entry(name: str, data: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = FIXED_MTIME
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def package(source: Path, top: str) -> bytes:
    """The .tgz of ``source`` with every file under ``top/`` (as ``helm package`` lays it out)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in chart_files(source):
            data = path.read_bytes()
            tar.addfile(_entry(f"{top}/{path.relative_to(source).as_posix()}", data), io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=COMPRESS_LEVEL) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()
