"""Transport-neutral request and response objects used between the server and the ARM engine."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from emulator.arm import errors as e


@dataclass
class Request:
    method: str
    path: str  # URL-decoded path, no query
    query: dict[str, str]  # keys as sent (case kept)
    headers: dict[str, str]  # keys lower-cased
    body: bytes
    base_url: str  # https://127.0.0.1:PORT

    def query_ci(self, key: str) -> str | None:
        for k, v in self.query.items():
            if k.lower() == key.lower():
                return v
        return None

    @property
    def api_version(self) -> str:
        return self.query_ci("api-version") or ""


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # close the connection without answering (fault injection)
    delay_s: float = 0.0  # server-side processing time, spent outside the state lock

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        return json.dumps(self.body).encode()


def read_json(request: Request) -> dict[str, Any]:
    """The request body as a JSON object ({} when empty); 400 InvalidRequestContent otherwise."""
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except ValueError as exc:
        raise e.bad_request("InvalidRequestContent", e.MSG_INVALID_JSON.format(detail=exc)) from exc
    if not isinstance(body, dict):
        raise e.bad_request("InvalidRequestContent", e.MSG_INVALID_JSON.format(detail="not an object"))
    return body
