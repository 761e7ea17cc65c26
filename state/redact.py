"""Keep secrets out of the state file: the last line of defence before bytes reach the disk.

Steps are written to never put a credential in their outputs; this scan catches a mistake. Any value
under a secret-looking key, and any string that looks like key material, is replaced by a marker.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "<redacted>"

# A key is secret when its last word is one of these, or it names key material explicitly.
_SECRET_WORDS = frozenset(
    {"password", "passwd", "secret", "token", "kubeconfig", "sas", "credential", "credentials"}
)
_SECRET_KEYS = re.compile(
    r"((api|access|account|client|private|shared|primary|secondary|storage)[_-]?key(s)?|connection[_-]?string|"
    r"client-key-data|client-certificate-data)$",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SECRET_VALUES = (
    re.compile(r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----"),
    re.compile(r"AccountKey=[^;]+"),
    re.compile(r"\bsig=[A-Za-z0-9%+/=]{20,}"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # a JWT
)


def is_secret_key(key: str) -> bool:
    words = _WORDS.findall(key)
    return bool(_SECRET_KEYS.search(key)) or (bool(words) and words[-1].lower() in _SECRET_WORDS)


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
