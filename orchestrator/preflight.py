"""Preflight: the checks that run before phase 1 and in `plan`.

The static half (CIDRs, names, references) runs when the config loads (`config/checks.py`). This
module adds the checks that need more than the file: the budget (from the cost model) now, and, as
phases arrive, the live subscription (quota, SKU availability, provider registration, permissions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.config.checks import Problem
from orchestrator.errors import PreflightError

if TYPE_CHECKING:
    from orchestrator.config.model import Deployment
    from orchestrator.cost.model import BudgetVerdict


def budget_verdict(config: Deployment) -> BudgetVerdict:
    from orchestrator.cost import budget_check

    return budget_check(config)


def enforce_budget(verdict: BudgetVerdict, *, strict: bool) -> None:
    """Fail when the always-on estimate exceeds the budget and the user asked for strictness."""
    if verdict.ok or not (strict or verdict.strict):
        return
    problems = [
        Problem(
            "budget.monthly_usd",
            f"the platform costs ${verdict.always_on:.2f}/month around the clock, over the ${verdict.budget:.2f}"
            f" budget by ${verdict.gap:.2f}",
        ),
        *(
            Problem(f"lever: {lever.name}", f"saves ${lever.monthly_saving:.2f}/month: {lever.how}")
            for lever in verdict.levers
        ),
    ]
    raise PreflightError(problems)


def helm_problem() -> str | None:
    """What is wrong with the `helm` this process would use (PATH, then beside the running Python),
    with how to install it; None when helm 3.14 or newer is there."""
    from orchestrator.charts.helm import find_helm
    from orchestrator.charts.helm import helm_problem as check

    return check(find_helm())
