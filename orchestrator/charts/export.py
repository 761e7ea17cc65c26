"""Writing rendered objects for review (`orchestrate render`): one folder per cluster and release,
one plain YAML file per object, numbered in apply order. Secret values are never written."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from orchestrator.charts.objects import ObjectRef

MASKED = ""  # what a Secret's value becomes on disk (valid base64 of nothing)
_PLAIN = (str, int, float, bool)


def masked(body: Any, *, secret_kind: bool = False, key: str = "") -> Any:
    """`body` with every value that is not plain data (a Secret, a secret reference) replaced, and a
    Kubernetes Secret's `data`/`stringData` values blanked."""
    if isinstance(body, Mapping):
        blank = secret_kind and key in ("data", "stringData")
        return {str(k): MASKED if blank else masked(v, secret_kind=secret_kind and not key, key=str(k))
                for k, v in body.items()}  # fmt: skip
    if isinstance(body, list | tuple):
        return [masked(v, secret_kind=False) for v in body]
    return body if body is None or isinstance(body, _PLAIN) else MASKED


def file_name(index: int, ref: ObjectRef) -> str:
    parts = [f"{index:03d}", ref.kind.lower(), *([ref.namespace] if ref.namespace else []), ref.name]
    return "-".join(parts).replace(":", "_") + ".yaml"


def write_release(
    directory: Path, cluster: str, release: str, objects: Sequence[tuple[ObjectRef, Mapping[str, Any]]]
) -> list[Path]:
    """Replace `directory/cluster/release/` with one file per object; the paths written."""
    folder = directory / cluster / release
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = []
    for index, (ref, body) in enumerate(objects, 1):
        path = folder / file_name(index, ref)
        clean = masked(body, secret_kind=ref.kind == "Secret")
        path.write_text(yaml.safe_dump(clean, sort_keys=True, default_flow_style=False), encoding="utf-8")
        written.append(path)
    return written
