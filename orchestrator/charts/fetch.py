"""Fetching chart repository files over HTTPS (with a CA bundle when given) or from `file://`."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from collections.abc import Callable

from orchestrator.charts.digest import ChartError

Fetcher = Callable[[str], bytes]
MAX_BYTES = 64 * 1024 * 1024  # the largest chart archive or manifest accepted


def url_fetcher(*, ca_file: str | None = None, timeout_s: float = 60.0) -> Fetcher:
    """A fetcher for https:// (verified against `ca_file`, else the system store) and file:// URLs."""
    context = ssl.create_default_context(cafile=ca_file)

    def fetch(url: str) -> bytes:
        if not url.startswith(("https://", "file://")):
            raise ChartError(f"refusing to fetch {url}: only https:// and file:// sources are used")
        try:
            with urllib.request.urlopen(url, timeout=timeout_s, context=context) as response:
                data: bytes = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise ChartError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ChartError(f"cannot fetch {url}: {reason}") from None
        if len(data) > MAX_BYTES:
            raise ChartError(f"{url} is larger than {MAX_BYTES} bytes; refused")
        return data

    return fetch
