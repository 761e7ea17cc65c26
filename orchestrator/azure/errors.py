"""Map azure-core exceptions into the product's own types, once, at the client boundary.

Long-running-operation failures arrive as HttpResponseError with status 200 (the status monitor's
response) and the real error in `e.error.code`; so classify by code first, then by status.
"""

from __future__ import annotations

from typing import Any

from orchestrator.errors import AuthError, CloudError, Conflict, NotFound, TransientError

# Error codes that mean "try again shortly", whatever the HTTP status.
TRANSIENT_CODES = frozenset(
    {
        "OperationNotAllowed",  # AKS: another operation is in progress on this cluster
        "AnotherOperationInProgress",
        "RetryableErrorDueToAnotherOperation",
        "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
        "SubscriptionRequestsThrottled",
        "TooManyRequests",
        "Throttled",
        "InternalServerError",
        "ServiceUnavailable",
    }
)

# What the user can do about common permanent errors.
FIXES = {
    "QuotaExceeded": "request a quota increase (Portal: Quotas > Compute) or lower the node counts in deployment.yaml",
    "OverconstrainedAllocationRequest": "no Spot capacity for this size now: set spot_pool.vm_size to one of"
    " spot_pool.fallback_vm_sizes and run again",
    "SkuNotAvailable": "choose another VM size (orchestrate plan lists the sizes the region offers)",
    "AuthorizationFailed": "the signed-in identity needs Owner or User Access Administrator + Contributor"
    " on the subscription",
    "LinkedAuthorizationFailed": "the cluster identity needs Network Contributor on the subnet; re-run phase 2",
    "VaultAlreadyExists": "a soft-deleted vault holds this name: purge it or change the deployment name",
}


def error_code(exc: Any) -> str:
    err = getattr(exc, "error", None)
    code = getattr(err, "code", None)
    return str(code) if code else ""


def map_azure_error(exc: BaseException) -> CloudError:
    """Turn an azure-core exception into a CloudError subclass carrying Azure's code and message."""
    from azure.core import exceptions as az

    code = error_code(exc)
    status = getattr(exc, "status_code", None)
    err = getattr(exc, "error", None)
    message = str(getattr(err, "message", None) or getattr(exc, "message", None) or exc).splitlines()[0]
    kwargs: dict[str, Any] = {"code": code, "status": status, "fix": FIXES.get(code, "")}
    if isinstance(exc, az.ClientAuthenticationError):
        return AuthError(message, **kwargs)
    if isinstance(exc, az.ServiceRequestError | az.ServiceResponseError):
        return TransientError(f"connection problem: {message}", **kwargs)
    if code in TRANSIENT_CODES or status in (408, 429, 500, 502, 503, 504):
        return TransientError(message, retry_after=_retry_after(exc), **kwargs)
    if isinstance(exc, az.ResourceNotFoundError) or status == 404:
        return NotFound(message, **kwargs)
    if isinstance(exc, az.ResourceExistsError) or status == 409:
        return Conflict(message, **kwargs)
    return CloudError(message, **kwargs)


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    try:
        return float(value) if value else None
    except ValueError:
        return None
