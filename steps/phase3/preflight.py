"""Phase 3's live checks before it runs: the clients it shells out to (helm for the charts, kubectl
for the Kustomize overlays). Reads only."""

from __future__ import annotations

from typing import Any

from orchestrator.config.checks import Problem
from orchestrator.config.model import Deployment
from steps.phase3.kustomize import INSTALL_HINT, find_kubectl


def phase3_preflight(config: Deployment, services: Any) -> list[Problem]:
    from orchestrator.charts.helm import find_helm, helm_problem

    problems = []
    helm = helm_problem(find_helm())
    if helm is not None:
        problems.append(Problem("phase 3", helm))
    if find_kubectl() is None:
        problems.append(Problem("phase 3", f"kubectl is not installed (Kustomize overlays); {INSTALL_HINT}"))
    return problems
