"""Credentials. `--cloud azure` uses DefaultAzureCredential; `--cloud local` a static bearer token
that the local cloud issued, which never leaves the machine and is never written to state or logs."""

from __future__ import annotations

import time
from typing import Any


class StaticTokenCredential:
    """A TokenCredential for the local cloud (azure-core asks `get_token(*scopes)`)."""

    def __init__(self, token: str, lifetime_s: int = 3600) -> None:
        self._token = token
        self._lifetime = lifetime_s

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + self._lifetime)

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return "StaticTokenCredential(<hidden>)"
