"""The product's exception types. SDK and HTTP errors are mapped into these once, at the client
boundary (`orchestrator/azure/errors.py`, `orchestrator/kube/errors.py`); nothing above that imports
an SDK exception. Each type carries the exit code the CLI turns it into (DESIGN section 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.config.checks import Problem

EXIT_OK = 0
EXIT_STEP_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_CONFIRMATION = 3
EXIT_LOCKED = 4
EXIT_INTERRUPTED = 130


class OrchestrateError(Exception):
    exit_code = EXIT_STEP_FAILED


class ConfigError(OrchestrateError):
    """deployment.yaml is invalid: one Problem per line, each with its YAML path."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(OrchestrateError):
    """Arguments or the order of commands are wrong (e.g. phase 3 before phase 2)."""

    exit_code = EXIT_BAD_INPUT


class PreflightError(OrchestrateError):
    """A semantic check against the live subscription failed (quota, SKU, permissions)."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StateLockedError(OrchestrateError):
    exit_code = EXIT_LOCKED

    def __init__(self, path: str, holder: str) -> None:
        self.path, self.holder = path, holder
        super().__init__(f"state {path} is locked by {holder}; wait for it to finish or stop that process")


class StateError(OrchestrateError):
    """The state file is unreadable or from a newer version of the tool."""

    exit_code = EXIT_BAD_INPUT


class CloudError(OrchestrateError):
    """An error from Azure or a Kubernetes API, with the service's own code and message."""

    retryable = False

    def __init__(self, message: str, *, code: str = "", status: int | None = None, fix: str = "") -> None:
        self.code, self.status, self.fix = code, status, fix
        text = f"({code}) {message}" if code else message
        super().__init__(f"{text}\n  fix: {fix}" if fix else text)


class NotFound(CloudError):
    pass


class Conflict(CloudError):
    pass


class AuthError(CloudError):
    pass


class TransientError(CloudError):
    """Worth retrying: throttling, 5xx, connection resets, another operation in progress."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class StepTimeout(OrchestrateError):
    pass
