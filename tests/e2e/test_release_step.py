"""A chart release on a cluster the local cloud built: plan lists each object, run applies them
CRD-first, a re-run writes nothing, drift shows exactly the object and field, an object the chart
stops rendering is pruned, destroy removes exactly the release's objects. Real helm, real clients."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml

from tests.e2e.conftest import Workspace, steps_of
from tests.support.cli import run_cli
from tests.support.release_phase import RELEASE_STEP
from tests.support.tiny_chart import VALUES, publish

MODULE = "tests.support.release_phase"
HELM = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "helm"
pytestmark = pytest.mark.skipif(not HELM.exists(), reason="run `python tools/install_kube_clients.py` first")


def _cli(ws: Workspace, repo: Path, *args: str) -> dict[str, Any]:
    result = run_cli(
        ["--cloud", "local", "--output", "json", *args],
        cwd=ws.root,
        module=MODULE,
        env={"RELEASE_TEST_REPO": str(repo)},
    )
    assert result.stdout.strip(), result
    doc: dict[str, Any] = result.json
    return doc


def _api(ws: Workspace) -> Any:
    return ws.kube_api("aks-mgmt")


def _release_objects(ws: Workspace) -> set[str]:
    """Every object carrying the release's inventory label, as `Kind/namespace/name`."""
    api = _api(ws)
    dyn = kubernetes.dynamic.DynamicClient(api)
    found = set()
    for api_version, kind in (
        ("v1", "ConfigMap"), ("v1", "Namespace"), ("apps/v1", "Deployment"), ("batch/v1", "Job"),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition"), ("demo.orchestrate.io/v1", "Widget"),
    ):  # fmt: skip
        try:
            resource = dyn.resources.get(api_version=api_version, kind=kind)
        except kubernetes.dynamic.exceptions.ResourceNotFoundError:
            continue
        try:
            items = resource.get(label_selector="orchestrate.io/release=demo").items
        except kubernetes.dynamic.exceptions.NotFoundError:  # the CRD is gone, discovery not yet
            continue
        for item in items:
            found.add("/".join(p for p in (kind, item.metadata.namespace, item.metadata.name) if p))
    return found


PRE_HOOK = "ConfigMap/demo/pre-config"
RENDERED = {
    "CustomResourceDefinition/widgets.demo.orchestrate.io",
    "Namespace/demo",
    "ConfigMap/demo/settings",
    "ConfigMap/demo/extra",
    "Deployment/demo/web",
    "Widget/demo/first",
}


def test_a_chart_release_plans_applies_prunes_and_destroys_per_object(ws: Workspace, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    publish(repo, HELM)
    for phase in ("1", "2"):
        assert ws.cli("run", "--phase", phase, "--yes").code == 0
    assert ws.cli("kubeconfig", "--dir", "kube").code == 0

    plan = steps_of(_cli(ws, repo, "plan", "--phase", "3"))[RELEASE_STEP]
    assert plan["action"] == "create" and set(plan["changes"]) == RENDERED

    first = _cli(ws, repo, "run", "--phase", "3", "--yes")
    assert first["exit_code"] == 0, steps_of(first)
    state = yaml.safe_load(ws.state_path.read_text())
    intents = [e["intent"] for e in state["steps"][RELEASE_STEP]["journal"]]
    assert intents[0].startswith("server-side apply CustomResourceDefinition/widgets.demo.orchestrate.io")
    assert intents[1].startswith("server-side apply Namespace/demo")
    assert intents[2].startswith("server-side apply ConfigMap/demo/pre-config")  # the pre-install hook
    assert intents[-2].startswith("server-side apply Job/demo/check")  # the post-install hook, last
    assert intents[-1].startswith("delete Job/demo/check")  # hook-delete-policy: hook-succeeded
    outputs = state["steps"][RELEASE_STEP]["outputs"]
    assert outputs["chart"] == "demo" and outputs["version"] == "0.1.0" and outputs["objects"] == 6
    with ws.cloud():
        assert _release_objects(ws) == RENDERED | {PRE_HOOK}  # kept: before-hook-creation
    (listed,) = _cli(ws, repo, "status")["releases"]
    assert (listed["release"], listed["chart"], listed["version"], listed["objects"]) == (
        "demo",
        "demo",
        "0.1.0",
        6,
    )

    again = _cli(ws, repo, "run", "--phase", "3", "--yes")
    assert again["exit_code"] == 0 and again["api_requests"]["kubernetes"]["write"] == 0, again
    assert steps_of(again)[RELEASE_STEP]["action"] == "noop"

    with ws.cloud():
        core = kubernetes.client.CoreV1Api(_api(ws))
        core.patch_namespaced_config_map("settings", "demo", {"data": {"greeting": "edited-by-hand"}})
    drift = {
        s: v["changes"]
        for s, v in steps_of(_cli(ws, repo, "plan", "--phase", "3")).items()
        if v["action"] != "noop"
    }
    assert drift == {RELEASE_STEP: ["ConfigMap/demo/settings: data.greeting"]}

    (repo / "values.yaml").write_text(yaml.safe_dump({**VALUES, "extra": False}))
    pruning = steps_of(_cli(ws, repo, "plan", "--phase", "3"))[RELEASE_STEP]["changes"]
    assert pruning == ["ConfigMap/demo/settings: data.greeting", "ConfigMap/demo/extra"]
    repaired = _cli(ws, repo, "run", "--phase", "3", "--yes")
    assert repaired["exit_code"] == 0, repaired
    journal = yaml.safe_load(ws.state_path.read_text())["steps"][RELEASE_STEP]["journal"]
    assert f"delete {PRE_HOOK} on aks-mgmt (hook pre-install, weight 0: before-hook-creation" in [
        e["intent"].split(", release")[0] for e in journal
    ]
    with ws.cloud():
        assert _release_objects(ws) == RENDERED - {"ConfigMap/demo/extra"} | {PRE_HOOK}
        assert core.read_namespaced_config_map("settings", "demo").data["greeting"] == "hello"
        core.create_namespaced_config_map("default", {"metadata": {"name": "bystander"}})

    gone = _cli(ws, repo, "destroy", "--phase", "3", "--yes")
    assert gone["exit_code"] == 0, steps_of(gone)[RELEASE_STEP]["error"]
    with ws.cloud():
        assert _release_objects(ws) == set()
        assert core.read_namespaced_config_map("bystander", "default").metadata.name == "bystander"
