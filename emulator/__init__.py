"""The local cloud: an ARM (Azure Resource Manager) emulator the real Azure SDK clients talk to.

Stable public API: `LocalCloud`, `Settings`, `FaultRule`, `FaultKind`.
"""

from emulator.cloud import LocalCloud
from emulator.settings import FaultKind, FaultRule, Settings

__all__ = ["FaultKind", "FaultRule", "LocalCloud", "Settings"]
