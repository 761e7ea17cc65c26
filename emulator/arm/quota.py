"""Regional vCPU quota accounting (Microsoft.Compute usages), persisted in the state extras."""

from __future__ import annotations

from typing import Any

from emulator.arm.errors import MSG_QUOTA_EXCEEDED, QuotaExceeded

LOW_PRIORITY = "lowPriorityCores"
TOTAL = "cores"
USAGE_KEY = "compute_usage"


class Quota:
    def __init__(self, extras: dict[str, Any], limits: dict[str, int], location: str) -> None:
        self._extras = extras
        self.limits = limits
        self.location = location

    @property
    def usage(self) -> dict[str, int]:
        used: dict[str, int] = self._extras.setdefault(USAGE_KEY, {})
        return used

    def consume_cores(self, family: str, n: int) -> None:
        """Take n vCPUs of `family` (e.g. standardDSv3Family) or of lowPriorityCores (Spot).

        Regular families also count against the regional total `cores`. Raises QuotaExceeded.
        """
        names = [family] if family == LOW_PRIORITY else [family, TOTAL]
        for name in names:
            limit = self.limits.get(name, 0)
            current = self.usage.get(name, 0)
            if current + n > limit:
                raise QuotaExceeded(
                    MSG_QUOTA_EXCEEDED.format(
                        family=name, location=self.location, limit=limit, usage=current, need=n
                    )
                )
        for name in names:
            self.usage[name] = self.usage.get(name, 0) + n

    def release_cores(self, family: str, n: int) -> None:
        names = [family] if family == LOW_PRIORITY else [family, TOTAL]
        for name in names:
            self.usage[name] = max(0, self.usage.get(name, 0) - n)
