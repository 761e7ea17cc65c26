"""Upgrade older state files in place, one version at a time (HTTPie's fixer-per-version idea).

`MIGRATIONS[n]` turns a version-n document (a plain dict) into version n+1. Version 0 is the
unversioned layout of pre-release builds (no `schema_version` key). A file from a newer version of
the tool is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from orchestrator.errors import StateError
from state.schema import SCHEMA_VERSION, StateDocument

Document = dict[str, Any]


def _v0_to_v1(doc: Document) -> Document:
    """Pre-release files kept step records under "progress" and had no phase records."""
    out = dict(doc)
    out["steps"] = out.pop("progress", out.get("steps", {}))
    out.setdefault("phases", {})
    out["schema_version"] = 1
    return out


def _v1_to_v2(doc: Document) -> Document:
    """Version 2 dropped `last_command`, which nothing read."""
    out = {k: v for k, v in doc.items() if k != "last_command"}
    out["schema_version"] = 2
    return out


MIGRATIONS: Mapping[int, Callable[[Document], Document]] = {0: _v0_to_v1, 1: _v1_to_v2}


def load_document(raw: Document, *, source: str) -> StateDocument:
    """Migrate and validate a raw state document; a file that still does not fit is a StateError."""
    try:
        return StateDocument.model_validate(migrate(raw, source=source))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StateError(f"{source} does not match the state schema ({where}: {first['msg']})") from None


def migrate(doc: Document, *, source: str) -> Document:
    version = int(doc.get("schema_version", 0))
    if version > SCHEMA_VERSION:
        raise StateError(
            f"{source} was written by a newer orchestrate (state schema {version}, this one reads up to"
            f" {SCHEMA_VERSION}); upgrade orchestrate"
        )
    while version < SCHEMA_VERSION:
        doc = MIGRATIONS[version](doc)
        version = int(doc["schema_version"])
    return doc
