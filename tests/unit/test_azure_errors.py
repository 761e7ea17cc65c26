"""Error mapping and our retry layer, with real azure-core exception objects (no server needed)."""

from __future__ import annotations

import pytest
import requests
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
)
from azure.core.pipeline.transport import HttpRequest, RequestsTransportResponse

from orchestrator.azure.errors import map_azure_error
from orchestrator.azure.retry import RetrySettings, SdkExhaustedError, call_azure, retry_transient
from orchestrator.errors import AuthError, CloudError, Conflict, NotFound, TransientError


def _response(status: int, body: str, headers: dict[str, str] | None = None) -> RequestsTransportResponse:
    """A real azure-core transport response around a real requests.Response."""
    raw = requests.Response()
    raw.status_code, raw.reason, raw._content = status, "Reason", body.encode()
    raw.headers.update({"Content-Type": "application/json", **(headers or {})})
    return RequestsTransportResponse(HttpRequest("PUT", "https://management.azure.com/x"), raw)


def _error(cls: type, status: int, code: str, headers: dict[str, str] | None = None) -> HttpResponseError:
    body = f'{{"error": {{"code": "{code}", "message": "{code} happened"}}}}'
    return cls(response=_response(status, body, headers))


@pytest.mark.parametrize(
    ("exc", "expected", "code"),
    [
        (_error(ResourceNotFoundError, 404, "ResourceNotFound"), NotFound, "ResourceNotFound"),
        (_error(ResourceExistsError, 409, "RoleAssignmentExists"), Conflict, "RoleAssignmentExists"),
        (_error(ResourceExistsError, 409, "OperationNotAllowed"), TransientError, "OperationNotAllowed"),
        (
            _error(HttpResponseError, 429, "SubscriptionRequestsThrottled", {"Retry-After": "7"}),
            TransientError,
            "SubscriptionRequestsThrottled",
        ),
        (_error(HttpResponseError, 200, "QuotaExceeded"), CloudError, "QuotaExceeded"),
    ],
)
def test_sdk_errors_map_to_our_types_with_azure_code(
    exc: HttpResponseError, expected: type, code: str
) -> None:
    mapped = map_azure_error(exc)
    assert type(mapped) is expected and mapped.code == code
    assert f"({code})" in str(mapped)


def test_quota_errors_carry_the_fix() -> None:
    mapped = map_azure_error(_error(HttpResponseError, 200, "QuotaExceeded"))
    assert "quota increase" in str(mapped)


def test_connection_errors_are_transient_and_auth_errors_are_not() -> None:
    from azure.core.exceptions import ClientAuthenticationError

    assert isinstance(map_azure_error(ServiceRequestError("reset")), TransientError)
    assert isinstance(map_azure_error(ClientAuthenticationError("no")), AuthError)


def test_we_retry_what_the_sdk_does_not_and_honour_retry_after() -> None:
    calls, sleeps = [], []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _error(ResourceExistsError, 409, "OperationNotAllowed", {"Retry-After": "3"})
        return "ok"

    result = retry_transient(lambda: call_azure(flaky), RetrySettings(), sleep=sleeps.append)
    assert result == "ok" and len(calls) == 3 and sleeps == [3.0, 3.0]


def test_we_do_not_retry_again_what_the_sdk_already_retried() -> None:
    calls = []

    def exhausted() -> None:
        calls.append(1)
        raise _error(HttpResponseError, 503, "ServiceUnavailable")

    with pytest.raises(SdkExhaustedError):
        retry_transient(lambda: call_azure(exhausted), RetrySettings(), sleep=lambda s: None)
    assert len(calls) == 1


def test_permanent_errors_fail_at_once() -> None:
    calls = []

    def bad() -> None:
        calls.append(1)
        raise _error(HttpResponseError, 400, "InvalidParameter")

    with pytest.raises(CloudError) as info:
        retry_transient(lambda: call_azure(bad), RetrySettings(), sleep=lambda s: None)
    assert len(calls) == 1 and info.value.code == "InvalidParameter"


def test_request_counts_treat_list_actions_as_reads() -> None:
    from orchestrator.telemetry import RequestCounts

    counts = RequestCounts()
    base = (
        "https://management.azure.com/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService"
    )
    counts.record(
        "azure", "POST", f"{base}/managedClusters/c/listClusterAdminCredential?api-version=2026-08-01"
    )
    counts.record("azure", "POST", f"{base}/managedClusters/c/stop?api-version=2026-08-01")
    counts.record("azure", "GET", f"{base}/managedClusters/c")
    counts.record("azure", "PUT", f"{base}/managedClusters/c")
    assert counts.snapshot()["azure"] == {"read": 2, "write": 2}
