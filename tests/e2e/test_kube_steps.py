"""The engine's Kubernetes step kinds on clusters the local cloud built: apply, wait, act, re-run, drift."""

from __future__ import annotations

import kubernetes
import yaml

from tests.e2e.conftest import Workspace, steps_of
from tests.support.cli import run_cli
from tests.support.secrets import find_secrets

MODULE = "tests.support.kube_phase"


def _cli(ws: Workspace, *args: str) -> dict:
    result = run_cli(["--cloud", "local", "--output", "json", *args], cwd=ws.root, module=MODULE)
    assert result.stdout.strip(), result
    return result.json


def _ready_nodes(ws: Workspace, cluster: str) -> tuple[int, int]:
    config = yaml.safe_load((ws.root / "kube" / f"{cluster}.kubeconfig").read_text())
    with ws.cloud():
        nodes = (
            kubernetes.client.CoreV1Api(kubernetes.config.new_client_from_config_dict(config))
            .list_node()
            .items
        )
    ready = [n for n in nodes if any(c.type == "Ready" and c.status == "True" for c in n.status.conditions)]
    return len(ready), len(nodes)


def test_kubernetes_objects_waits_and_actions_run_like_any_step(ws: Workspace) -> None:
    for phase in ("1", "2"):
        assert ws.cli("run", "--phase", phase, "--yes").code == 0
    assert ws.cli("kubeconfig", "--dir", "kube").code == 0
    assert _ready_nodes(ws, "aks-app1") == (0, 3)  # BYO CNI: NotReady until a CNI runs
    first = _cli(ws, "run", "--phase", "3", "--yes")
    assert first["exit_code"] == 0, first
    steps = steps_of(first)
    assert steps["p3/nodes-ready/aks-app1"]["status"] == "done"
    assert _ready_nodes(ws, "aks-app1") == (2, 2)  # one Spot VM was evicted by the drill
    assert (
        steps["p3/drill/aks-app1"]["action"] == "create"
        and first["api_requests"]["kubernetes"]["write"] == 10
    )  # one apply per object
    state = yaml.safe_load(ws.state_path.read_text())
    drill = state["steps"]["p3/drill/aks-app1"]["outputs"]
    assert drill["completed"] and drill["recovery_s"] >= 0 and "vmss" in drill["evicted"]

    again = _cli(ws, "run", "--phase", "3", "--yes")
    assert again["exit_code"] == 0 and again["changes"]["noop"] == len(steps)
    assert again["api_requests"]["kubernetes"]["write"] == 0 and again["api_requests"]["azure"]["write"] == 0

    with ws.cloud():
        config = yaml.safe_load((ws.root / "kube" / "aks-mgmt.kubeconfig").read_text())
        core = kubernetes.client.CoreV1Api(kubernetes.config.new_client_from_config_dict(config))
        core.patch_namespaced_config_map("mesh", "platform-demo", {"data": {"cluster": "edited-by-hand"}})
    plan = _cli(ws, "plan", "--phase", "3")
    drift = {sid: s["changes"] for sid, s in steps_of(plan).items() if s["action"] != "noop"}
    assert drift == {"p3/configmap/aks-mgmt": ["data.cluster"]}

    assert find_secrets(ws.state_path.read_text()) == []  # admin credentials were fetched, never stored

    gone = _cli(ws, "destroy", "--phase", "3", "--yes")
    assert gone["exit_code"] == 0, gone
    with ws.cloud():
        names = [n.metadata.name for n in core.list_namespace().items]
        assert "platform-demo" not in names
