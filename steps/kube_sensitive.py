"""Sensitive fields of Kubernetes objects: compared on a content hash, shown as `(sensitive)`.

A Secret's `data` is always sensitive; a step may declare more paths (a token in a custom resource).
On both sides every value there is a `Secret`: the desired object's `stringData` is folded into
`data` as base64, the way the API server stores it (so a Secret written with `stringData` does not
drift on every run), and the live object's values are wrapped as soon as they are read. Each key is
compared by the SHA-256 of its content; a change is reported as a `FieldChange` whose before and after
are placeholders, never a value or its base64.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from orchestrator.engine.change import FieldChange
from orchestrator.secret import SENSITIVE, SENSITIVE_CHANGED, Secret, reveal_all

T = TypeVar("T")
Doc = Mapping[str, Any]


@dataclass(frozen=True)
class SensitivePath:
    path: str  # dotted, e.g. "data" or "spec.auth.token"
    base64: bool = False  # values are base64 of the content (a Secret's `data`)


def sensitive_paths(kind: str, declared: tuple[str, ...]) -> tuple[SensitivePath, ...]:
    own = (SensitivePath("data", base64=True),) if kind == "v1/Secret" else ()
    return (*own, *(SensitivePath(p) for p in declared if p not in ("data", "stringData") or not own))


def fold_string_data(manifest: Doc) -> dict[str, Any]:
    """A Secret manifest with `stringData` folded into `data` (base64) and every value a Secret."""
    data = {str(k): _as_secret(v) for k, v in (manifest.get("data") or {}).items()}
    data.update({str(k): _as_secret(v).base64() for k, v in (manifest.get("stringData") or {}).items()})
    out = {k: v for k, v in manifest.items() if k != "stringData"}
    if data:
        out["data"] = data
    return out


def wrap(doc: Doc, paths: tuple[SensitivePath, ...]) -> dict[str, Any]:
    """A copy of `doc` with the values under `paths` wrapped as Secrets."""
    if not paths:
        return dict(doc)
    out: dict[str, Any] = copy.deepcopy(dict(doc))
    for sensitive in paths:
        parent, leaf = _parent(out, sensitive.path)
        if parent is not None and leaf in parent:
            value = parent[leaf]
            parent[leaf] = (
                {k: _as_secret(v) for k, v in value.items()}
                if isinstance(value, Mapping)
                else _as_secret(value)
            )
    return out


def sensitive_changes(
    desired: Doc, observed: Doc | None, paths: tuple[SensitivePath, ...]
) -> list[FieldChange]:
    """One FieldChange per sensitive key whose content differs; placeholders on both sides."""
    changes = []
    for sensitive in paths:
        want, have = _at(desired, sensitive.path), _at(observed or {}, sensitive.path)
        for path, wanted, live in _pairs(sensitive.path, want, have):
            if live is None:
                changes.append(FieldChange(path, None, SENSITIVE))
            elif not hmac.compare_digest(_digest(wanted, sensitive), _digest(live, sensitive)):
                changes.append(FieldChange(path, SENSITIVE, SENSITIVE_CHANGED))
    return changes


def plaintexts(doc: Any) -> list[str]:
    """Every secret text in `doc` as it could appear in a message: the value and, for base64, decoded."""
    found: list[str] = []
    for secret in _secrets_in(doc):
        value = secret.reveal()
        text = value.decode(errors="replace") if isinstance(value, bytes) else value
        found.append(text)
        with contextlib.suppress(binascii.Error, ValueError):  # not base64: the value is enough
            found.append(base64.b64decode(text, validate=True).decode())
    return [t for t in found if len(t) >= 4]


def without_plaintext(call: Callable[[], T], texts: list[str]) -> T:
    """Run `call`; an error whose message holds one of `texts` is raised again with them masked."""
    try:
        return call()
    except Exception as exc:
        message = str(exc)
        if not any(t in message for t in texts):
            raise
        for text in sorted(texts, key=len, reverse=True):
            message = message.replace(text, SENSITIVE)
        clean = type(exc).__new__(type(exc))
        clean.__dict__.update(exc.__dict__)
        clean.args = (message,)
        raise clean from None


def _as_secret(value: Any) -> Secret[str] | Secret[bytes]:
    if isinstance(value, Secret):
        return value
    if isinstance(value, str):
        return Secret(value)
    if isinstance(value, bytes):
        return Secret(value)
    raise TypeError(f"a sensitive field holds {type(value).__name__}, not text")


def _pairs(path: str, want: Any, have: Any) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(want, Mapping):
        live = have if isinstance(have, Mapping) else {}
        for key, value in want.items():
            yield f"{path}.{key}", value, live.get(key)
    elif want is not None:
        yield path, want, have


def _digest(value: Any, sensitive: SensitivePath) -> bytes:
    plain = value.reveal() if isinstance(value, Secret) else value
    if sensitive.base64 and isinstance(plain, str | bytes):
        try:
            return hashlib.sha256(base64.b64decode(plain, validate=True)).digest()
        except (binascii.Error, ValueError):
            pass  # not base64: compare as it stands (the API server will refuse it anyway)
    if isinstance(plain, bytes):
        return hashlib.sha256(plain).digest()
    return hashlib.sha256(json.dumps(reveal_all(plain), sort_keys=True).encode()).digest()


def _secrets_in(doc: Any) -> Iterator[Secret[str] | Secret[bytes]]:
    if isinstance(doc, Secret):
        yield doc
    elif isinstance(doc, Mapping):
        for value in doc.values():
            yield from _secrets_in(value)
    elif isinstance(doc, list | tuple):
        for value in doc:
            yield from _secrets_in(value)


def _at(doc: Doc, path: str) -> Any:
    current: Any = doc
    for part in path.split("."):
        current = current.get(part) if isinstance(current, Mapping) else None
    return current


def _parent(doc: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    *parents, leaf = path.split(".")
    current: Any = doc
    for part in parents:
        current = current.get(part) if isinstance(current, dict) else None
    return (current if isinstance(current, dict) else None), leaf
