"""The product's exception types. SDK and HTTP errors are mapped into these once, at the client
boundary (`orchestrator/azure/errors.py`, `orchestrator/kube/errors.py`); nothing above that imports
an SDK exception. Each type carries the exit code the CLI turns it into (DESIGN section 4), and the
two functions at the end are the only place that decides a command's exit code.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

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


class NotBuiltYet(NotFound):
    """What a step works inside (an AKS cluster, for a Kubernetes object) does not exist yet: a plan
    shows the step as a create known after apply; a destroy has nothing left to delete."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"{what} does not exist yet", code="NotBuiltYet")


class ClusterStopped(OrchestrateError):
    """An AKS cluster is stopped: its Kubernetes API does not answer until it is started again."""

    def __init__(self, cluster: str) -> None:
        self.cluster = cluster
        super().__init__(
            f"AKS cluster {cluster} is stopped, so its Kubernetes API does not answer;"
            " run `orchestrate start` first"
        )


class TransientError(CloudError):
    """Worth retrying: throttling, 5xx, connection resets, another operation in progress."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class StepTimeout(OrchestrateError):
    pass


class ForeignResourcesError(CloudError):
    """A container (resource group, VNet, DNS zone, cluster) holds resources this deployment does not
    own; deleting it would delete them too, so it is kept."""

    def __init__(self, title: str, foreign: Sequence[str]) -> None:
        self.foreign = tuple(foreign)
        super().__init__(
            f"{title} was not deleted: it holds resources this deployment does not own: {', '.join(foreign)}",
            code="HoldsForeignResources",
            fix="move or delete those resources (or tag them as this deployment's), then run destroy again",
        )


class ApprovalRequired(OrchestrateError):
    """`run` would destroy and re-create (or delete) an AKS cluster or node pool, and nobody approved it."""

    exit_code = EXIT_CONFIRMATION

    def __init__(self, what: Sequence[str], flag: str) -> None:
        self.what, self.flag = tuple(what), flag
        listed = "\n".join(f"  -/+ {item}" for item in what)
        super().__init__(
            f"this run would destroy and re-create what runs on:\n{listed}\n"
            f"nothing was changed; to approve, run the same command with {flag}"
        )


# -- exit codes: the one place that decides them ---------------------------------------------------
class Ended(Protocol):
    """How a phase, an action or a whole session ended (engine results have these properties)."""

    @property
    def failed(self) -> bool: ...

    @property
    def interrupted(self) -> bool: ...


def exit_code_of(*results: Ended, stopped: bool = False) -> int:
    """The exit code of a command that ran to its end: interrupted beats failed beats stopped at a
    confirmation; nothing of those is success."""
    if any(r.interrupted for r in results):
        return EXIT_INTERRUPTED
    if any(r.failed for r in results):
        return EXIT_STEP_FAILED
    return EXIT_CONFIRMATION if stopped else EXIT_OK


def exit_code_for(exc: BaseException) -> int:
    """The exit code of a command that raised: the product's errors carry theirs; Ctrl-C (also at a
    prompt) is an interruption; click's usage errors are bad input; anything else is a bug."""
    import click

    if isinstance(exc, OrchestrateError):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt | click.exceptions.Abort):
        return EXIT_INTERRUPTED
    if isinstance(exc, click.ClickException):
        return EXIT_BAD_INPUT
    return EXIT_STEP_FAILED


def describe(exc: BaseException) -> list[str]:
    """What to tell the user about `exc`: one line per problem, never a traceback (a bug's goes to
    the debug log, which -v shows)."""
    import click

    if isinstance(exc, OrchestrateError):
        return [str(p) for p in getattr(exc, "problems", [])] or str(exc).splitlines() or [type(exc).__name__]
    if isinstance(exc, KeyboardInterrupt):
        return ["interrupted; run `orchestrate resume` to continue"]
    if isinstance(exc, click.exceptions.Abort):
        return ["aborted at a prompt; nothing more was changed"]
    if isinstance(exc, click.ClickException):
        return [exc.format_message()]
    logging.getLogger("orchestrate").debug("internal error", exc_info=exc)
    return [f"internal error: {type(exc).__name__}: {exc} (run with -v for details and report it)"]
