"""Fixtures: a LocalCloud per test (tmp_path) and real Azure SDK clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from arm_testkit import LOC, SUB, StaticToken, client_kwargs

from emulator import LocalCloud, Settings

T = TypeVar("T")


@pytest.fixture
def local_cloud(tmp_path: Path) -> Iterator[LocalCloud]:
    with LocalCloud.start(tmp_path / "cloud", Settings()) as cloud:
        yield cloud


@pytest.fixture
def make_client(local_cloud: LocalCloud) -> Callable[..., Any]:
    """make_client(ClientClass, **kw) -> client bound to the emulator (subscription SUB)."""

    def factory(cls: Callable[..., T], **extra: Any) -> T:
        return cls(StaticToken(local_cloud.token), SUB, **client_kwargs(local_cloud, **extra))

    return factory


@pytest.fixture
def rg(make_client: Callable[..., Any]) -> str:
    from azure.mgmt.resource.resources import ResourceManagementClient

    client = make_client(ResourceManagementClient)
    client.resource_groups.create_or_update("rg1", {"location": LOC})
    return "rg1"
