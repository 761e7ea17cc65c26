"""Build the CloudTarget for `--cloud azure` or `--cloud local`.

The local cloud (`emulator/`) is started in-process and keeps its state in a directory next to the
state file, so successive commands see the same cloud. This module is the only product code that
imports the emulator.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any

from orchestrator.azure.clients import CloudTarget
from orchestrator.azure.credentials import StaticTokenCredential
from orchestrator.azure.retry import RetrySettings
from orchestrator.errors import UsageError

LOCAL_SUBSCRIPTION = "00000000-0000-4000-8000-000000000001"
# The local cloud answers in milliseconds: poll often, and back off briefly between SDK retries.
LOCAL_RETRY = RetrySettings(
    propagation_attempts=30,
    propagation_delay_s=0.2,
    sdk_total=4,
    sdk_backoff_factor=0.05,
    sdk_backoff_max=1.0,
    our_backoff_min=0.1,
    our_backoff_max=2.0,
    kube_backoff_factor=0.02,
    kube_backoff_max=0.5,
)


class CloudHandle(AbstractContextManager["CloudHandle"]):
    def __init__(self, target: CloudTarget, closer: Any = None) -> None:
        self.target = target
        self._closer = closer

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._closer is not None:
            self._closer()


def local_cloud_dir(state_path: Path) -> Path:
    return state_path.parent / "local-cloud"


def open_cloud(kind: str, *, subscription_id: str | None, state_path: Path) -> CloudHandle:
    if kind == "local":
        return _open_local(local_cloud_dir(state_path))
    return _open_azure(subscription_id)


def _open_azure(subscription_id: str | None) -> CloudHandle:
    sub = subscription_id or os.environ.get("AZURE_SUBSCRIPTION_ID")
    if not sub:
        raise UsageError("no subscription: set subscription_id in deployment.yaml or AZURE_SUBSCRIPTION_ID")
    from azure.identity import DefaultAzureCredential

    credential = DefaultAzureCredential()
    return CloudHandle(CloudTarget("azure", sub, credential), closer=credential.close)


def local_target(cloud: Any) -> CloudTarget:
    """How to reach a running local cloud (`emulator.LocalCloud`) with the SDK clients."""
    return CloudTarget(
        "local",
        LOCAL_SUBSCRIPTION,
        StaticTokenCredential(cloud.token),
        base_url=cloud.arm_url,
        connection_verify=str(cloud.ca_path),
        polling_interval=0.2,
        retry=LOCAL_RETRY,
        chart_repository=getattr(cloud, "chart_repository", None),  # same CA file as ARM
    )


def _open_local(directory: Path) -> CloudHandle:
    from emulator import LocalCloud

    cloud = LocalCloud.start(directory)
    return CloudHandle(local_target(cloud), closer=cloud.stop)
