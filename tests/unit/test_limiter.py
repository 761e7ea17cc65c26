"""The request limiter: ARM-shaped token buckets on an injected clock, its azure-core policy under the
SDK's own retry, and its sizes in deployment.yaml."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from orchestrator.azure.clients import AzureClients, CloudTarget
from orchestrator.azure.limiter import (
    DEFAULT_LIMITS,
    DOCUMENTED_LIMITS,
    RequestLimiter,
    TokenBucket,
    limiter_policy,
    request_kind,
)
from orchestrator.config.limits import ArmLimits
from orchestrator.config.model import Deployment
from orchestrator.telemetry import RequestCounts


class FakeClock:
    """Time that moves only when someone sleeps (or the test advances it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _limiter(clock: FakeClock, **limits: tuple[float, float]) -> RequestLimiter:
    return RequestLimiter(limits, clock=clock, sleep=clock.sleep)


def test_a_full_bucket_lets_its_size_through_then_paces_at_the_refill_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5, 2.0, clock)
    assert [bucket.reserve() for _ in range(5)] == [0.0] * 5
    assert [bucket.reserve() for _ in range(3)] == [0.5, 1.0, 1.5]  # queued in order, 1/rate apart
    clock.now += 10.0
    assert bucket.available() == 5  # refilled, never beyond its size


def test_requests_never_exceed_size_plus_rate_times_elapsed() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, reads=(20, 4.0))
    start = clock.now
    sent: list[float] = []
    for _ in range(200):
        limiter.acquire("GET")
        sent.append(clock.now - start)
    for i, t in enumerate(sent):
        assert i + 1 <= 20 + 4.0 * t + 1e-9, f"request {i + 1} at {t:.2f}s is over the bucket"
    assert sent[-1] == pytest.approx((200 - 20) / 4.0)
    stats = limiter.stats()
    assert stats.requests == 200 and stats.delayed == 180


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        ("GET", "reads"),
        ("head", "reads"),
        ("PUT", "writes"),
        ("PATCH", "writes"),
        ("POST", "writes"),
        ("DELETE", "deletes"),
    ],
)
def test_each_method_counts_against_the_arm_bucket_of_its_kind(method: str, kind: str) -> None:
    assert request_kind(method) == kind


def test_kinds_have_separate_buckets() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, reads=(1, 1.0), writes=(1, 1.0), deletes=(1, 1.0))
    assert [limiter.acquire(m) for m in ("GET", "PUT", "DELETE")] == [0.0, 0.0, 0.0]
    assert limiter.acquire("GET") == pytest.approx(1.0)


def test_arm_reporting_fewer_remaining_tokens_lowers_ours() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, writes=(100, 10.0))
    limiter.observe("PUT", 200, {"x-ms-ratelimit-remaining-subscription-writes": "2"})
    assert [limiter.acquire("PUT") for _ in range(3)] == [0.0, 0.0, pytest.approx(0.1)]
    limiter.observe("PUT", 200, {"x-ms-ratelimit-remaining-subscription-writes": "11999"})
    assert limiter.buckets["writes"].available() < 1  # more on ARM's side never raises ours


def test_a_429_holds_the_bucket_off_for_its_retry_after() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, reads=(100, 10.0))
    limiter.observe("GET", 429, {"Retry-After": "3"})
    assert limiter.acquire("GET") == pytest.approx(3.1)
    assert limiter.stats().throttled == 1


def test_default_sizes_are_below_the_documented_ones() -> None:
    for kind, (size, rate) in DEFAULT_LIMITS.items():
        doc_size, doc_rate = DOCUMENTED_LIMITS[kind]
        assert size < doc_size and rate < doc_rate
    assert ArmLimits().buckets() == DEFAULT_LIMITS


def test_unknown_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown request kinds"):
        RequestLimiter({"lists": (1, 1.0)})


# -- in an azure-core pipeline, under the SDK's retry ----------------------------------------------
class ScriptedTransport:
    """An azure-core HttpTransport answering from a script of (status, headers)."""

    def __init__(self, script: list[tuple[int, dict[str, str]]]) -> None:
        self.script = list(script)
        self.sent = 0
        self.slept: list[float] = []

    def __enter__(self) -> ScriptedTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        pass

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)  # the SDK's own Retry-After wait, recorded instead of slept

    def send(self, request: Any, **kwargs: Any) -> Any:
        from azure.core.pipeline.transport import HttpResponse

        status, headers = self.script.pop(0)
        self.sent += 1
        response = HttpResponse(request, None)
        response.status_code, response.headers, response.reason = status, headers, ""
        return response


def test_every_attempt_takes_a_token_and_only_the_sdk_retries() -> None:
    from azure.core.pipeline import Pipeline
    from azure.core.pipeline.policies import RetryPolicy
    from azure.core.rest import HttpRequest

    clock = FakeClock()
    limiter = _limiter(clock, reads=(100, 10.0))
    throttled = (429, {"Retry-After": "0.01", "x-ms-ratelimit-remaining-subscription-reads": "0"})
    transport = ScriptedTransport([throttled, (200, {}), (200, {})])
    counts = RequestCounts()
    from orchestrator.telemetry import azure_counting_policy

    policies = [
        RetryPolicy(retry_total=3, retry_backoff_factor=0),
        limiter_policy(limiter),
        azure_counting_policy(counts),
    ]
    pipeline: Pipeline[Any, Any] = Pipeline(transport=transport, policies=policies)  # type: ignore[arg-type]
    response = pipeline.run(HttpRequest("GET", "https://management.example/subscriptions/s"))
    assert response.http_response.status_code == 200
    assert transport.sent == 2  # the 429, then the SDK's one retry: the limiter itself never resends
    assert limiter.stats().requests == 2 and limiter.stats().throttled == 1
    assert counts.snapshot()["azure"]["read"] == 2
    assert transport.slept == [0.01]  # the SDK honoured Retry-After once
    assert (
        clock.slept and clock.slept[-1] >= 0.01
    )  # and its retry also waited for a token, held off by the 429


def test_the_factory_installs_one_shared_limiter_first_in_every_client() -> None:
    limiter = RequestLimiter()
    clients = AzureClients(CloudTarget("azure", "sub", credential=object()), RequestCounts(), limiter)
    first, second = clients._common()["per_retry_policies"], clients._common()["per_retry_policies"]
    assert type(first[0]).__name__ == "LimiterPolicy" and type(second[0]).__name__ == "LimiterPolicy"
    assert clients.limiter is limiter


# -- deployment.yaml ---------------------------------------------------------------------------------
def test_limits_are_configurable_in_deployment_yaml() -> None:
    config = Deployment.model_validate({"arm_limits": {"reads": {"size": 50, "per_second": 5}}})
    assert config.arm_limits.buckets()["reads"] == (50.0, 5.0)
    assert config.arm_limits.buckets()["writes"] == DEFAULT_LIMITS["writes"]


@pytest.mark.parametrize(
    "limits",
    [
        {"writes": {"size": 500, "per_second": 5}},
        {"deletes": {"size": 10, "per_second": 50}},
        {"reads": {"size": 0, "per_second": 5}},
        {"reads": {"size": 10, "per_second": 0}},
        {"reads": {"size": 10}},
        {"lists": {"size": 10, "per_second": 1}},
    ],
)
def test_limits_above_arm_or_malformed_are_refused(limits: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Deployment.model_validate({"arm_limits": limits})


# -- a provider's own limits under ARM's --------------------------------------------------------------
MSI_ID = (
    "https://arm/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
)


def test_identity_writes_are_paced_per_subscription_below_entra_s_two_per_second() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    start = clock.now
    for i in range(9):
        limiter.acquire("PUT", f"{MSI_ID}/id-{i}?api-version=2024-11-30")
    assert (clock.now - start) == pytest.approx(8 / 1.6)  # 80% of 2/s, one second's worth at once


def test_writes_of_one_identity_are_paced_per_resource_and_other_identities_are_not() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    assert limiter.acquire("PUT", f"{MSI_ID}/id-a") == 0.0
    clock.now += 1.0  # the subscription bucket has refilled; the identity's own has not
    assert limiter.acquire("PUT", f"{MSI_ID}/id-b") == 0.0
    assert limiter.acquire("PUT", f"{MSI_ID}/id-a") == pytest.approx(1 / 0.2 - 1.0)  # 80% of 0.25/s


def test_identity_reads_are_paced_per_subscription() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    waits = [limiter.acquire("GET", f"{MSI_ID}/id-{i}") for i in range(10)]
    assert waits[:8] == [0.0] * 8 and waits[8] == pytest.approx(1 / 8)  # 80% of 10/s


def test_children_lists_and_other_types_have_no_provider_limit() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    others = [
        f"{MSI_ID}/id-a/federatedIdentityCredentials/fic-1",
        MSI_ID,
        "https://arm/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
    ]
    for _ in range(5):
        for url in others:
            assert limiter.acquire("PUT", url) == 0.0
