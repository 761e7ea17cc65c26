"""The operator's egress IP, which the AKS API server's authorized ranges must include.

`--cloud azure` asks a public echo service once per command (a read, no account involved); the
local cloud is reached over loopback. `api_access.operator_ip` in the config always wins.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable

from orchestrator.errors import PreflightError

ECHO_URLS = ("https://api.ipify.org", "https://ifconfig.me/ip")


class EgressIp:
    def __init__(self, detect: Callable[[], str]) -> None:
        self._detect = detect
        self._lock = threading.Lock()
        self._value: str | None = None

    def cidr(self, configured: str) -> str:
        if configured != "auto":
            return f"{configured}/32"
        with self._lock:
            if self._value is None:
                self._value = self._detect()
            return f"{self._value}/32"


def loopback() -> str:
    return "127.0.0.1"


def from_echo_service(timeout_s: float = 5.0) -> str:
    import requests

    from orchestrator.config.checks import Problem

    for url in ECHO_URLS:
        try:
            text = requests.get(url, timeout=timeout_s).text.strip()
            return str(ipaddress.IPv4Address(text))
        except (requests.RequestException, ValueError):
            continue
    raise PreflightError(
        [
            Problem(
                "api_access.operator_ip",
                "could not detect your egress IP; set it (e.g. 203.0.113.7) in the config",
            )
        ]
    )
