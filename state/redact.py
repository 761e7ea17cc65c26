"""Keep secrets out of the state file and the JSON output: the second line of defence.

The first line is the `Secret` type (`orchestrator.secret`): a value handled as a secret cannot be
serialised at all. This scan catches a credential that arrived as a plain string by mistake:

- any value under a secret-looking key (`password`, `clientSecret`, `bearerToken`, `caData`,
  `certificate-authority-data`, `Authorization`, ...), and a Key Vault secret's `value`;
- key material inside any string, replaced where it stands so the rest of a message survives: PEM
  blocks, JWTs, `Authorization: Bearer ...`, SAS signatures (`sig=`), storage account keys, and long
  base64 blobs that decode to a certificate, a key or a kubeconfig;
- strings that hold JSON (an Argo CD cluster secret's `config`), scanned as the JSON they hold.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "<redacted>"

# A key is secret when its last word is one of these, or it names key material explicitly.
_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "token",
        "kubeconfig",
        "sas",
        "credential",
        "credentials",
        "authorization",
    }
)
_SECRET_KEYS = re.compile(
    r"((api|access|account|client|private|shared|primary|secondary|storage)[_-]?key(s)?|connection[_-]?string|"
    r"client-key-data|client-certificate-data|certificate-authority-data|(ca|cert|key)[_-]?data|tls\.key)$",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")

# Key material inside a string, and what each match becomes.
_IN_TEXT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN ([A-Z ]+)-----.*?(-----END \1-----|\Z)", re.DOTALL), REDACTED),  # PEM
    (re.compile(r"AccountKey=[^;\"'\s]+"), REDACTED),
    (re.compile(r"(?<![A-Za-z0-9])sig=[^&\s\"']+"), f"sig={REDACTED}"),  # SAS signature
    (
        re.compile(r"(authorization[\"']?\s*[:=]\s*[\"']?)(\w+\s+)?[^\s\"',;}]+", re.IGNORECASE),
        rf"\1\2{REDACTED}",
    ),  # an HTTP Authorization header, whatever the scheme
    (re.compile(r"\b(bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*", re.IGNORECASE), rf"\1{REDACTED}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*"), REDACTED),  # a JWT
    (re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"), REDACTED),
)
_BASE64_BLOB = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")
_KEY_VAULT_SECRET_ID = re.compile(r"^https://[^/]+\.vault\.[^/]+/secrets/", re.IGNORECASE)


def is_secret_key(key: str) -> bool:
    words = _WORDS.findall(key)
    return bool(_SECRET_KEYS.search(key)) or (bool(words) and words[-1].lower() in _SECRET_WORDS)


def looks_secret(value: str) -> bool:
    return scrub(value) != value


def scrub(text: str) -> str:
    """The text with every piece of key material in it replaced by `REDACTED`."""
    for pattern, replacement in _IN_TEXT:
        text = pattern.sub(replacement, text)
    return _BASE64_BLOB.sub(lambda m: REDACTED if _decodes_to_key_material(m.group()) else m.group(), text)


def _decodes_to_key_material(blob: str) -> bool:
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return False
    if raw.startswith(b"-----BEGIN") or raw.lstrip().startswith(b"apiVersion:"):
        return True
    return _is_der(raw)


def _is_der(raw: bytes) -> bool:
    """An ASN.1 DER SEQUENCE whose long-form length covers the blob: a certificate or a key."""
    if len(raw) < 4 or raw[0] != 0x30 or not 0x81 <= raw[1] <= 0x84:
        return False
    width = raw[1] & 0x7F
    length = int.from_bytes(raw[2 : 2 + width], "big")
    return length + 2 + width == len(raw)


def _is_key_vault_secret(mapping: Mapping[str, Any]) -> bool:
    """A Key Vault secret as the data plane returns it (its `id` is the secret's URL)."""
    ident = mapping.get("id")
    return isinstance(ident, str) and bool(_KEY_VAULT_SECRET_ID.match(ident))


def _is_arm_key_vault_secret(mapping: Mapping[str, Any]) -> bool:
    """A `Microsoft.KeyVault/vaults/secrets` resource: the value sits in `properties.value`."""
    return str(mapping.get("type", "")).lower().endswith("microsoft.keyvault/vaults/secrets")


def redact(value: Any, *, key: str = "", secret: bool = False) -> Any:
    """Return a copy of a JSON-able value with secrets replaced by `REDACTED`."""
    if (secret or (key and is_secret_key(key))) and value not in (None, "", [], {}):
        return REDACTED
    if isinstance(value, Mapping):
        return _redact_mapping(value, value_is_secret=_is_key_vault_secret(value))
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _redact_text(value)
    return value


def _redact_mapping(mapping: Mapping[str, Any], *, value_is_secret: bool) -> dict[str, Any]:
    arm_secret = _is_arm_key_vault_secret(mapping)
    out: dict[str, Any] = {}
    for raw_key, item in mapping.items():
        name = str(raw_key)
        if arm_secret and name == "properties" and isinstance(item, Mapping):
            out[name] = _redact_mapping(item, value_is_secret=True)
        else:
            out[name] = redact(item, key=name, secret=value_is_secret and name == "value")
    return out


def _redact_text(text: str) -> str:
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
        try:
            held = json.loads(stripped)
        except ValueError:
            held = None
        if isinstance(held, dict | list):
            cleaned = redact(held)
            return text if cleaned == held else json.dumps(cleaned)
    return scrub(text)
