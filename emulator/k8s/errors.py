"""Kubernetes ``Status`` errors raised by the emulated API server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "Timeout",
}


class KubeError(Exception):
    """An API error; rendered as a ``v1.Status`` body with the same HTTP code."""

    def __init__(self, code: int, message: str, reason: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or _REASONS.get(code, "Unknown")
        self.details = details

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def not_found(resource: str, name: str, group: str = "") -> KubeError:
    qualified = f"{resource}.{group}" if group else resource
    return KubeError(
        404,
        f'{qualified} "{name}" not found',
        "NotFound",
        {"name": name, "group": group, "kind": resource},
    )


def already_exists(resource: str, name: str, group: str = "") -> KubeError:
    qualified = f"{resource}.{group}" if group else resource
    return KubeError(
        409,
        f'{qualified} "{name}" already exists',
        "AlreadyExists",
        {"name": name, "group": group, "kind": resource},
    )


@dataclass(frozen=True)
class Cause:
    """One entry of a 422's ``details.causes``: what is wrong with which field."""

    reason: str  # FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, ...
    message: str
    field: str

    def as_json(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message, "field": self.field}


_CAUSE_REASONS = (
    ("Required value", "FieldValueRequired"),
    ("Unsupported value", "FieldValueNotSupported"),
    ("Forbidden", "FieldValueForbidden"),
    ("Too long", "FieldValueTooLong"),
    ("Too many", "FieldValueTooMany"),
    ("Duplicate value", "FieldValueDuplicate"),
)


def _cause(text: str) -> Cause:
    """``"spec.x: Invalid value: ..."`` -> a cause naming ``spec.x``."""
    where, sep, rest = text.partition(": ")
    if not sep or " " in where:
        return Cause("FieldValueInvalid", text, "")
    reason = next((r for prefix, r in _CAUSE_REASONS if rest.startswith(prefix)), "FieldValueInvalid")
    return Cause(reason, rest, where)


def invalid_causes(qualified_kind: str, name: str, causes: list[Cause]) -> KubeError:
    """422 Invalid listing every problem (``[a, b]`` when there are several, as the apiserver does)."""
    texts = [f"{c.field}: {c.message}" if c.field else c.message for c in causes]
    listed = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    kind, _, group = qualified_kind.partition(".")
    details = {"name": name, "group": group, "kind": kind, "causes": [c.as_json() for c in causes]}
    return KubeError(422, f'{qualified_kind} "{name}" is invalid: {listed}', "Invalid", details)


def invalid(kind: str, name: str, message: str) -> KubeError:
    causes = [_cause(part).as_json() for part in message.split("; ")]
    details = {"name": name, "kind": kind, "causes": causes}
    return KubeError(422, f'{kind} "{name}" is invalid: {message}', "Invalid", details)


def bad_request(message: str) -> KubeError:
    return KubeError(400, message, "BadRequest")


def success_status(details: dict[str, Any] | None = None, code: int = 200) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body
