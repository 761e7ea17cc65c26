"""Raw HTTP against an emulated cluster, for what the typed client hides: Accept headers (Tables),
query parameters such as fieldValidation, Warning headers, watch streams line by line.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kube_testkit import TOKEN

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


def _url(base: str, path: str, query: dict[str, str]) -> str:
    return base + path + ("?" + urllib.parse.urlencode(query) if query else "")


def call(
    base: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    accept: str = "application/json",
    content_type: str = "application/json",
    token: str = TOKEN,
    raw: bytes | None = None,
    **query: str,
) -> Reply:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(_url(base, path, query), data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", accept)
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return Reply(response.status, dict(response.headers.items()), json.loads(text) if text else None)
    except urllib.error.HTTPError as err:
        text = err.read()
        return Reply(err.code, dict(err.headers.items()), json.loads(text) if text else None)


def table(base: str, path: str, **query: str) -> dict[str, Any]:
    reply = call(base, "GET", path, accept=TABLE, **query)
    assert reply.status == 200, reply.body
    assert reply.body["kind"] == "Table", reply.body
    return dict(reply.body)


def columns(tbl: dict[str, Any], wide: bool = False) -> list[str]:
    return [c["name"] for c in tbl["columnDefinitions"] if wide or c["priority"] == 0]


def rows(tbl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """First cell (the name) -> {column name: cell}, all columns."""
    names = [c["name"] for c in tbl["columnDefinitions"]]
    return {str(r["cells"][0]): dict(zip(names, r["cells"], strict=True)) for r in tbl["rows"]}


def watch_lines(
    base: str, path: str, *, accept: str = "application/json", **query: str
) -> Iterator[dict[str, Any]]:
    """The events of a watch, as they arrive (the caller stops reading when it has seen enough)."""
    request = urllib.request.Request(_url(base, path, {"watch": "true", **query}))
    request.add_header("Authorization", f"Bearer {TOKEN}")
    request.add_header("Accept", accept)
    with urllib.request.urlopen(request, timeout=30) as response:
        for line in response:
            if line.strip():
                yield json.loads(line)
