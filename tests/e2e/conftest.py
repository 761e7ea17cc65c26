"""End-to-end fixtures: the real CLI in a subprocess, `--cloud local`, and an out-of-band door into the
same local cloud (the real SDK clients) for drift and for checking what exists."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from emulator import LocalCloud, Settings
from orchestrator.azure.clients import AzureClients
from orchestrator.clouds import LOCAL_SUBSCRIPTION, local_target
from orchestrator.config.template import render_default_config
from orchestrator.telemetry import RequestCounts
from tests.cost.test_cost_refresh import api  # noqa: F401 (the Retail Prices fixture server)
from tests.support.cli import CliResult, run_cli

# What the seed topology needs: 5 Spot nodes x 2 vCPU at creation (a new subscription often has 3).
QUOTAS = {"lowPriorityCores": 16}


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.cloud_dir = root / ".orchestrate" / "local-cloud"
        self.state_path = root / ".orchestrate" / "aks-demo.json"

    def settings(self, **changes: Any) -> None:
        base = Settings.load(self.cloud_dir) or Settings()
        quotas = {**base.quotas, **QUOTAS, **changes.pop("quotas", {})}
        Settings(**{**base.__dict__, "quotas": quotas, **changes}).save(self.cloud_dir)

    def cli(self, *args: str, timeout: float = 300) -> CliResult:
        return run_cli(["--cloud", "local", *args], cwd=self.root, timeout=timeout)

    def json(self, *args: str) -> Any:
        result = self.cli("--output", "json", *args)
        return result.json if result.stdout.strip() else {"_result": str(result)}

    def kube_api(self, cluster: str) -> Any:
        """A kubernetes ApiClient from the kubeconfig `orchestrate kubeconfig --dir kube` wrote."""
        import kubernetes
        import yaml

        config = yaml.safe_load((self.root / "kube" / f"{cluster}.kubeconfig").read_text())
        return kubernetes.config.new_client_from_config_dict(config)

    @contextmanager
    def cloud(self) -> Iterator[AzureClients]:
        """The same local cloud, reached with the SDK clients as any other tool would."""
        cloud = LocalCloud.start(self.cloud_dir)
        target = replace(local_target(cloud), polling_interval=0)
        clients = AzureClients(target, RequestCounts())
        try:
            yield clients
        finally:
            clients.close()
            cloud.stop()

    def autoscale(self, cluster: str, pool: str, count: int) -> None:
        """The cluster autoscaler moves a pool's node count (no client writes it)."""
        from emulator.arm.providers import aks_ops

        cloud = LocalCloud.start(self.cloud_dir)
        try:
            pool_id = (
                f"/subscriptions/{LOCAL_SUBSCRIPTION}/resourceGroups/rg-aks-demo-aks/providers/"
                f"Microsoft.ContainerService/managedClusters/{cluster}/agentPools/{pool}"
            )
            aks_ops.autoscale(cloud.backend, pool_id, count)
        finally:
            cloud.stop()

    def write_config(self, edit: Callable[[str], str] = lambda text: text) -> None:
        (self.root / "deployment.yaml").write_text(edit(render_default_config()))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path)
    workspace.write_config()
    workspace.settings(time_scale=0.0)
    return workspace


def steps_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for p in doc["phases"] for s in p["steps"]}
