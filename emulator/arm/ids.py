"""How services spell the resource IDs they answer.

ARM treats IDs case-insensitively, and services differ in how they echo them: AKS and Managed Identity
answer `/subscriptions/{s}/resourcegroups/{rg}/...` (lower-case segment name), most others keep
`resourceGroups`. The emulator stores one canonical spelling and applies the service's on the way out.
"""

from __future__ import annotations

import re

_RG_SEGMENT = re.compile(r"/resourcegroups/", re.IGNORECASE)


def lower_rg(resource_id: str) -> str:
    """`/subscriptions/s/resourceGroups/rg/...` -> `/subscriptions/s/resourcegroups/rg/...`."""
    return _RG_SEGMENT.sub("/resourcegroups/", resource_id, count=1)


def canonical_rg(resource_id: str) -> str:
    """The spelling the emulator stores: `/resourceGroups/`."""
    return _RG_SEGMENT.sub("/resourceGroups/", resource_id, count=1)


def same(a: str, b: str) -> bool:
    """ARM's comparison of two resource IDs."""
    return a.rstrip("/").lower() == b.rstrip("/").lower()
