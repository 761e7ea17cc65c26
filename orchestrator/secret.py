"""`Secret`: a value that lives in memory only. It prints as `(sensitive)` and refuses to be serialised.

Passwords, tokens and keys the product handles at apply time are wrapped in a `Secret` as soon as they
are read or generated, and unwrapped (`reveal()`) only at the one call that needs the plaintext, such
as the body of a Kubernetes request. Everything else refuses them by construction:

- `repr`, `str` and format strings give `(sensitive)`;
- `json.dumps` raises (there is nothing to encode), and so do the product's JSON hooks below, which
  every JSON writer uses (`json_default` for the state file, `display_default` for JSON output);
- `pickle` (and so `multiprocessing`, `shelve`, `yaml.dump`) raises;
- `copy.copy` and `copy.deepcopy` return the same object: a copy never leaves memory;
- a pydantic model cannot declare a `Secret` field, and `ensure_no_secrets` finds one anywhere in
  the dicts and lists handed to the state store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, Generic, NoReturn, TypeVar

from orchestrator.errors import OrchestrateError

SENSITIVE = "(sensitive)"
SENSITIVE_CHANGED = "(sensitive, changed)"

V = TypeVar("V", str, bytes)

_WHY = (
    "secrets pass between steps in memory (ctx.secrets), never through the state file, outputs, logs or plan"
)


class SecretSerializationError(OrchestrateError, TypeError):
    """Something tried to write a Secret out. A bug in the caller, reported without the value."""

    def __init__(self, what: str) -> None:
        super().__init__(f"refusing to serialise a Secret ({what}): {_WHY}")


class Secret(Generic[V]):
    """A str or bytes that only `reveal()` gives back."""

    __slots__ = ("__value",)

    def __init__(self, value: V) -> None:
        if not isinstance(value, str | bytes):
            raise TypeError(f"a Secret wraps str or bytes, not {type(value).__name__}")
        self.__value: V = value

    def reveal(self) -> V:
        """The plaintext. Call it at the point of use only, and never keep or log the result."""
        return self.__value

    def digest(self) -> bytes:
        """SHA-256 of the plaintext (UTF-8 for str): for comparisons, never for display."""
        raw = self.__value.encode() if isinstance(self.__value, str) else self.__value
        return hashlib.sha256(raw).digest()

    def base64(self) -> Secret[str]:
        """The value as Kubernetes stores a Secret's `data`: still a Secret."""
        raw = self.__value.encode() if isinstance(self.__value, str) else self.__value
        return Secret(base64.b64encode(raw).decode("ascii"))

    def __repr__(self) -> str:
        return SENSITIVE

    def __str__(self) -> str:
        return SENSITIVE

    def __format__(self, spec: str) -> str:
        try:
            return format(SENSITIVE, spec)
        except ValueError:
            return SENSITIVE

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self.digest(), other.digest())

    __hash__ = None  # type: ignore[assignment]  # equal by content, and a secret is no dict key

    def __copy__(self) -> Secret[V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret[V]:
        return self

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise SecretSerializationError("pickle")

    def __reduce__(self) -> NoReturn:
        raise SecretSerializationError("pickle")

    def __getstate__(self) -> NoReturn:
        raise SecretSerializationError("pickle")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> NoReturn:
        raise SecretSerializationError(f"a pydantic model declares a Secret field ({source!r})")


def json_default(value: Any) -> NoReturn:
    """`json.dumps(..., default=json_default)`: a Secret is refused by name, anything unknown too."""
    if isinstance(value, Secret):
        raise SecretSerializationError("JSON")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def display_default(value: Any) -> str:
    """`default=` for JSON meant for people and scripts: unknown objects as text, a Secret refused."""
    if isinstance(value, Secret):
        raise SecretSerializationError("JSON output")
    return str(value)


def find_secrets(value: Any, path: str = "") -> list[str]:
    """The paths (`a.b[0]`) of every Secret inside nested dicts, lists and tuples."""
    if isinstance(value, Secret):
        return [path or "(the value itself)"]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in find_secrets(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in find_secrets(v, f"{path}[{i}]")]
    return []


def ensure_no_secrets(value: Any, where: str) -> None:
    """Raise `SecretSerializationError` naming the first path that holds a Secret."""
    found = find_secrets(value)
    if found:
        raise SecretSerializationError(f"{where}: {found[0]}")


def reveal_all(value: Any) -> Any:
    """A copy with every Secret replaced by its plaintext: for a request body, at the call only."""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, Mapping):
        return {k: reveal_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [reveal_all(v) for v in value]
    return value
