"""Shared helpers for the ARM emulator tests: constants, a static TokenCredential, client kwargs."""

from __future__ import annotations

import time
from typing import Any

from azure.core.credentials import AccessToken

from emulator import LocalCloud

SUB = "00000000-0000-0000-0000-000000000001"
LOC = "koreacentral"


class StaticToken:
    """The smallest TokenCredential: hands out the emulator's bearer token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 3600)

    def close(self) -> None:
        return None


def client_kwargs(cloud: LocalCloud, **extra: Any) -> dict[str, Any]:
    return {
        "base_url": cloud.arm_url,
        "connection_verify": str(cloud.ca_path),
        "polling_interval": 0,
        "credential_scopes": ["https://management.azure.com/.default"],
        **extra,
    }
