"""Keep secrets out of the state file: the last line of defence before bytes reach the disk.

Steps are written to never put a credential in their outputs; this scan catches a mistake. Any value
under a secret-looking key, and any string that looks like key material, is replaced by a marker.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "<redacted>"

_SECRET_KEYS = re.compile(
    r"(password|passwd|secret|token|api[_-]?key|access[_-]?key|account[_-]?key|client[_-]?key|"
    r"private[_-]?key|connection[_-]?string|kubeconfig|client-key-data|client-certificate-data|sas)",
    re.IGNORECASE,
)
# Keys that contain a secret-looking word but hold no secret.
_ALLOWED_KEYS = frozenset({"key_vault_uri", "key_vault_id", "secret_names", "continuation"})
_SECRET_VALUES = (
    re.compile(r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----"),
    re.compile(r"AccountKey=[^;]+"),
    re.compile(r"\bsig=[A-Za-z0-9%+/=]{20,}"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # a JWT
)


def is_secret_key(key: str) -> bool:
    return key not in _ALLOWED_KEYS and bool(_SECRET_KEYS.search(key))


def looks_secret(value: str) -> bool:
    return any(p.search(value) for p in _SECRET_VALUES)


def redact(value: Any, *, key: str = "") -> Any:
    """Return a copy of a JSON-able value with secrets replaced by `REDACTED`."""
    if key and is_secret_key(key) and value not in (None, "", [], {}):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact(v, key=str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str) and looks_secret(value):
        return REDACTED
    return value
