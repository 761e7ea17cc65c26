"""Our retry layer, on top of the SDK's own, without multiplying it.

The SDK's RetryPolicy already retries 408/429/5xx on idempotent verbs and connection errors, honouring
Retry-After (arm-protocol reference section 2.3). We keep that, sized by `RetrySettings`, and retry
here only what the SDK does not: errors whose *code* says "another operation is in progress"
(AKS 409 OperationNotAllowed, Network RetryableErrorDueToAnotherOperation, concurrent federated
credential writes), throttling on POST/PATCH, and long-running operations that ended Failed with such
a code. Anything mapped to `TransientError` that the SDK already retried to exhaustion is not retried
again: `retry_transient` receives only `TransientError`s raised by `call_azure`, which marks the ones
the SDK has already retried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from orchestrator.azure.errors import error_code, map_azure_error
from orchestrator.errors import TransientError

T = TypeVar("T")

SDK_RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetrySettings:
    sdk_total: int = 4
    sdk_backoff_factor: float = 0.8
    sdk_backoff_max: float = 60.0
    our_attempts: int = 6
    our_backoff_min: float = 2.0
    our_backoff_max: float = 60.0
    # Entra ID / RBAC propagation after creating an identity or a role assignment: minutes on real Azure.
    propagation_attempts: int = 18
    propagation_delay_s: float = 10.0
    # The Kubernetes API's transient answers (orchestrator.kube.retry): tries and backoff per request.
    kube_total: int = 6
    kube_backoff_factor: float = 0.5
    kube_backoff_max: float = 20.0


class SdkExhaustedError(TransientError):
    """A transient error the SDK already retried to its limit: not retried again."""


class OperationFailed(TransientError):
    """A long-running operation that ended Failed with a transient code (InternalServerError, another
    operation in progress): the step re-observes the resource and applies again, a bounded number of
    times. Nothing below the step retries it (the SDK never retries a finished operation)."""


def call_lro(fn: Callable[[], T]) -> T:
    """Wait for or read the result of a long-running operation; a failed one is mapped like any other
    error, and a transient failure becomes `OperationFailed` so the step can apply again."""
    try:
        return call_azure(fn)
    except SdkExhaustedError:
        raise
    except TransientError as exc:
        raise OperationFailed(str(exc).split("\n")[0], code=exc.code, status=exc.status) from exc


def backoff_delay(settings: RetrySettings, attempt: int) -> float:
    """Exponential backoff for our own retries: min, 2*min, 4*min, ... capped at max."""
    return float(min(settings.our_backoff_max, settings.our_backoff_min * 2 ** max(0, attempt - 1)))


def call_azure(fn: Callable[[], T], *, idempotent: bool = True) -> T:
    """Call the SDK; map its exceptions. Marks transient errors the SDK itself has already retried."""
    from azure.core.exceptions import AzureError

    try:
        return fn()
    except AzureError as exc:
        mapped = map_azure_error(exc)
        sdk_retried = idempotent and (
            getattr(exc, "status_code", None) in SDK_RETRIED_STATUSES and error_code(exc) not in _OUR_CODES
        )
        if isinstance(mapped, TransientError) and sdk_retried:
            raise SdkExhaustedError(str(mapped), code=mapped.code, status=mapped.status) from exc
        raise mapped from exc


_OUR_CODES = frozenset(
    {
        "OperationNotAllowed",
        "AnotherOperationInProgress",
        "RetryableErrorDueToAnotherOperation",
        "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
    }
)


def _ours(exc: BaseException) -> bool:
    return isinstance(exc, TransientError) and not isinstance(exc, SdkExhaustedError)


def retry_transient(
    fn: Callable[[], T], settings: RetrySettings, *, sleep: Callable[[float], None] | None = None
) -> T:
    """Run `fn` (which calls `call_azure`), retrying the transient errors the SDK does not retry."""
    backoff = wait_exponential(min=settings.our_backoff_min, max=settings.our_backoff_max)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = getattr(exc, "retry_after", None)
        return float(hinted) if hinted else float(backoff(state))

    kwargs = {"sleep": sleep} if sleep is not None else {}
    retrying = Retrying(
        retry=retry_if_exception(_ours),
        stop=stop_after_attempt(settings.our_attempts),
        wait=wait,
        reraise=True,
        **kwargs,  # type: ignore[arg-type]
    )
    return retrying(fn)
