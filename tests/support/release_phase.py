"""The product's phases 1-2 plus a test phase 3: a CNI DaemonSet (so nodes turn Ready), then ONE
release of a tiny chart the test writes, served from a `file://` repository the test builds.

The chart source is injected through the services factory (product code has no test branch):
`RELEASE_TEST_REPO` names a directory holding `lock.yaml`, `values.yaml`, `charts/index.yaml` and
the chart archive. `python -m tests.support.release_phase --cloud local run --phase 3 --yes`
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from orchestrator.charts.digest import DigestCache
from orchestrator.charts.fetch import url_fetcher
from orchestrator.charts.lock import load_lock
from orchestrator.charts.readiness import Readiness
from orchestrator.charts.services import ChartServices, cache_dir
from orchestrator.charts.source import ChartSource, Mirror
from orchestrator.config.model import Deployment
from orchestrator.engine.context import StepContext
from orchestrator.engine.graph import StepId
from orchestrator.engine.phases import Phase, PhaseRegistry
from orchestrator.engine.step import Step
from steps.kube import KubeObjectStep, WaitStep
from steps.registry import default_registry
from steps.release import ReleaseStep
from tests.support.kube_phase import _cni, _nodes_ready

CLUSTER = "aks-mgmt"
RELEASE_STEP = StepId(f"p3/release/demo/{CLUSTER}")


def repo_dir() -> Path:
    return Path(os.environ["RELEASE_TEST_REPO"])


def _values(ctx: StepContext) -> dict[str, Any]:
    loaded = yaml.safe_load((repo_dir() / "values.yaml").read_text()) or {}
    return {**loaded, "clusterName": CLUSTER}  # a value the product computes


def _phase3(config: Deployment) -> list[Step]:
    cni, ready = StepId(f"p3/cni/{CLUSTER}"), StepId(f"p3/nodes-ready/{CLUSTER}")
    return [
        KubeObjectStep(cni, phase=3, cluster=CLUSTER, manifest=_cni(CLUSTER)),
        WaitStep(
            ready, phase=3, title="nodes Ready", check=_nodes_ready(CLUSTER), depends_on=(cni,), timeout_s=60
        ),
        ReleaseStep(
            RELEASE_STEP,
            phase=3,
            cluster=CLUSTER,
            release="demo",
            chart="demo",
            namespace="demo",
            values=_values,
            depends_on=(ready,),
            ready=(Readiness.rollout("Deployment", "demo", "web"),),
        ),
    ]


def registry() -> PhaseRegistry:
    phases = list(default_registry())
    phases[2] = Phase(3, phases[2].name, _phase3)
    return PhaseRegistry(phases)


def services(app: Any) -> Any:
    from orchestrator.services import product_services

    bundle = product_services(app)
    source = ChartSource(Mirror(repo_dir().as_uri()), url_fetcher(), DigestCache(cache_dir(app.state_path)))
    bundle.charts = ChartServices(source, lock=lambda: load_lock(repo_dir() / "lock.yaml"))
    return bundle


if __name__ == "__main__":
    from orchestrator.cli import build_cli, main

    main(cli=build_cli(registry, services))
