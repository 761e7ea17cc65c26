"""Ages as kubectl and the API server print them ("45s", "3m20s", "5h", "12d")."""

from __future__ import annotations

import datetime as dt

MINUTE, HOUR, DAY = 60, 3600, 86400
YEAR = 365 * DAY


def parse_time(value: str) -> float | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()
    except (TypeError, ValueError):
        return None


def _pair(big: int, big_unit: str, small: int, small_unit: str) -> str:
    return f"{big}{big_unit}" if small == 0 else f"{big}{big_unit}{small}{small_unit}"


def human(seconds: float) -> str:
    """A short approximate duration: exact seconds below 2 minutes, then two units, then one."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 2 * MINUTE:
        return f"{s}s"
    if s < 10 * MINUTE:
        return _pair(s // MINUTE, "m", s % MINUTE, "s")
    if s < 3 * HOUR:
        return f"{s // MINUTE}m"
    if s < 8 * HOUR:
        return _pair(s // HOUR, "h", (s % HOUR) // MINUTE, "m")
    if s < 48 * HOUR:
        return f"{s // HOUR}h"
    if s < 8 * DAY:
        return _pair(s // DAY, "d", (s % DAY) // HOUR, "h")
    if s < 2 * YEAR:
        return f"{s // DAY}d"
    if s < 8 * YEAR:
        return _pair(s // YEAR, "y", (s % YEAR) // DAY, "d")
    return f"{s // YEAR}y"


def since(timestamp: str | None, now: float) -> str:
    """The age of an RFC 3339 timestamp, or ``<unknown>``."""
    started = parse_time(timestamp or "")
    return "<unknown>" if started is None else human(now - started)
