"""Every fault kind reaches the SDK client the way the real service's would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from arm_testkit import LOC, SUB, StaticToken, client_kwargs
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from emulator import FaultKind, FaultRule, LocalCloud, Settings

VNET = "Microsoft.Network/virtualNetworks"
BODY = {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}


def _clients(cloud: LocalCloud, **extra: Any) -> tuple[ResourceManagementClient, NetworkManagementClient]:
    res = ResourceManagementClient(StaticToken(cloud.token), SUB, **client_kwargs(cloud, **extra))
    net = NetworkManagementClient(StaticToken(cloud.token), SUB, **client_kwargs(cloud, **extra))
    res.resource_groups.create_or_update("rg1", {"location": LOC})
    return res, net


def test_throttle_is_retried_by_the_sdk(local_cloud: LocalCloud) -> None:
    _, net = _clients(local_cloud)
    local_cloud.set_settings(
        Settings(faults=(FaultRule(FaultKind.THROTTLE, VNET, "PUT", count=1, retry_after=0),))
    )
    net.virtual_networks.begin_create_or_update("rg1", "v1", BODY).result()
    counts = {
        (c["method"], c["outcome"]): c["count"]
        for c in local_cloud.request_counts()
        if c["resourceType"] == VNET
    }
    assert counts[("PUT", "429")] == 1 and counts[("PUT", "201")] == 1


def test_throttle_surfaces_after_retries(local_cloud: LocalCloud) -> None:
    _, net = _clients(local_cloud, retry_total=0)
    local_cloud.set_settings(
        Settings(faults=(FaultRule(FaultKind.THROTTLE, "microsoft.network/*", "GET", retry_after=7),))
    )
    with pytest.raises(HttpResponseError) as exc:
        net.virtual_networks.get("rg1", "v1")
    err = exc.value
    assert err.status_code == 429 and err.error.code == "SubscriptionRequestsThrottled"
    assert err.response.headers["Retry-After"] == "7"
    assert err.response.headers["x-ms-ratelimit-remaining-subscription-reads"] == "0"


@pytest.mark.parametrize(("kind", "status"), [(FaultKind.INTERNAL, 500), (FaultKind.UNAVAILABLE, 503)])
def test_server_errors(local_cloud: LocalCloud, kind: FaultKind, status: int) -> None:
    _, net = _clients(local_cloud, retry_total=0)
    local_cloud.set_settings(Settings(faults=(FaultRule(kind, VNET, "GET"),)))
    with pytest.raises(HttpResponseError) as exc:
        net.virtual_networks.get("rg1", "v1")
    assert exc.value.status_code == status
    assert "Retry-After" not in exc.value.response.headers


def test_connection_reset(local_cloud: LocalCloud) -> None:
    _, net = _clients(local_cloud, retry_total=0)
    local_cloud.set_settings(Settings(faults=(FaultRule(FaultKind.RESET, VNET, "GET", count=1),)))
    with pytest.raises((ServiceRequestError, ServiceResponseError)):
        net.virtual_networks.get("rg1", "v1")
    _, retrying = _clients(local_cloud)
    local_cloud.set_settings(Settings(faults=(FaultRule(FaultKind.RESET, VNET, "PUT", count=1),)))
    retrying.virtual_networks.begin_create_or_update("rg1", "v1", BODY).result()


@pytest.mark.parametrize("code", ["OverconstrainedAllocationRequest", "QuotaExceeded", "SkuNotAvailable"])
def test_lro_failure_carries_error_code(local_cloud: LocalCloud, code: str) -> None:
    _, net = _clients(local_cloud)
    local_cloud.set_settings(
        Settings(faults=(FaultRule(FaultKind.LRO_FAILURE, VNET, "PUT", error_code=code),))
    )
    poller = net.virtual_networks.begin_create_or_update("rg1", "v1", BODY)
    with pytest.raises(HttpResponseError) as exc:
        poller.result()
    assert exc.value.error.code == code
    assert net.virtual_networks.get("rg1", "v1").provisioning_state == "Failed"


def test_rate_is_deterministic_with_seed(tmp_path: Any) -> None:
    def outcomes(seed: int) -> list[str]:
        rule = FaultRule(FaultKind.INTERNAL, VNET, "GET", rate=0.5)
        with LocalCloud.start(
            tmp_path / f"s{seed}-{time.monotonic_ns()}", Settings(seed=seed, faults=(rule,))
        ) as cloud:
            _, net = _clients(cloud, retry_total=0)
            seen = []
            for _ in range(12):
                try:
                    net.virtual_networks.get("rg1", "v1")
                except HttpResponseError as exc:
                    seen.append(str(exc.status_code))
            return seen

    first = outcomes(3)
    assert first == outcomes(3)
    assert {"500", "404"} <= set(first)


def test_slow_fault_stretches_the_operation(tmp_path: Any) -> None:
    rule = FaultRule(FaultKind.SLOW, VNET, "PUT", multiplier=100.0)
    with LocalCloud.start(tmp_path / "slow", Settings(time_scale=0.001, faults=(rule,))) as cloud:
        _, net = _clients(cloud)
        started = time.monotonic()
        net.virtual_networks.begin_create_or_update("rg1", "v1", BODY).result()  # 5 s * 0.001 * 100
        assert time.monotonic() - started >= 0.4


def test_retry_after_on_lro_when_configured(tmp_path: Any, make_client: Callable[..., Any]) -> None:
    with LocalCloud.start(tmp_path / "ra", Settings(retry_after_s=1)) as cloud:
        _, net = _clients(cloud)
        started = time.monotonic()
        poller = net.virtual_networks.begin_create_or_update("rg1", "v1", BODY)
        assert poller._polling_method._initial_response.http_response.headers["Retry-After"] == "1"
        poller.result()
        assert time.monotonic() - started < 3


def test_token_bucket_throttling(tmp_path: Any) -> None:
    limits = {"reads": [3.0, 1.0]}
    with LocalCloud.start(tmp_path / "tb", Settings(rate_limits=limits)) as cloud:
        _, net = _clients(cloud, retry_total=0)
        seen = []
        for _ in range(4):
            try:
                list(net.virtual_networks.list("rg1"))
                seen.append("ok")
            except HttpResponseError as exc:
                seen.append(exc.error.code if exc.error else "")
                retry_after = int(exc.response.headers["Retry-After"])
        assert seen == ["ok", "ok", "ok", "SubscriptionRequestsThrottled"]
        assert retry_after == 1
