"""Request-body validation with the kubernetes client's own (pydantic v2) models.

Unknown fields are tolerated (the real apiserver drops them unless strict field validation is asked
for); wrong types and missing required fields are 422 Invalid (required ``status`` fields are server-filled).
"""

from __future__ import annotations

from typing import Any

import pydantic
from kubernetes.client import models

from .errors import invalid

_SPECIAL = {"Event": "CoreV1Event", "Endpoints": "V1Endpoints"}


def _model(kind: str) -> type[pydantic.BaseModel] | None:
    name = _SPECIAL.get(kind, f"V1{kind}")
    try:
        found = getattr(models, name)
    except AttributeError:
        return None
    return found if isinstance(found, type) and issubclass(found, pydantic.BaseModel) else None


def model_for(kind: str) -> type[pydantic.BaseModel] | None:
    """The client's model class of a built-in kind (None for kinds it has none for)."""
    return _model(kind)


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _tolerated(kind: str, loc: tuple[int | str, ...]) -> bool:
    """Unknown fields anywhere, and status fields the server fills in itself."""
    return kind == "extra_forbidden" or (kind == "missing" and loc[:1] == ("status",))


def validate(obj: dict[str, Any], builtin: bool) -> None:
    """Raise 422 when a built-in kind's body does not fit the client's model."""
    if not isinstance(obj.get("metadata"), dict):
        raise invalid(str(obj.get("kind", "object")), "", "metadata: must be an object")
    model = _model(str(obj.get("kind"))) if builtin else None
    if model is None:
        return
    try:
        model.model_validate(obj)
    except pydantic.ValidationError as exc:
        problems = [e for e in exc.errors() if not _tolerated(e["type"], e["loc"])]
        if problems:
            detail = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in problems[:5])
            raise invalid(str(obj["kind"]), str(obj["metadata"].get("name", "")), detail) from None
