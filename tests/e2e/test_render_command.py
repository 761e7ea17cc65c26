"""`orchestrate render` on the local cloud: the tiny chart's release and the plain objects, one
folder per cluster and release, identical bytes on a second render, no write anywhere, and every
object valid against the upstream schemas (../shared/tools/validate-manifests) when it is set up."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Workspace
from tests.support.cli import run_cli
from tests.support.tiny_chart import publish

MODULE = "tests.support.release_phase"
REPO_ROOT = Path(__file__).resolve().parents[2]
HELM = REPO_ROOT / ".venv" / "bin" / "helm"
VALIDATOR = REPO_ROOT.parent / "shared" / "tools" / "validate-manifests" / "validate.py"
VALIDATOR_PYTHON = Path("/tmp/crdcheck-venv/bin/python")  # made by the validator's setup.sh
pytestmark = pytest.mark.skipif(not HELM.exists(), reason="run `python tools/install_kube_clients.py` first")


def _render(ws: Workspace, repo: Path, out: str) -> dict[str, Any]:
    result = run_cli(
        ["--cloud", "local", "--output", "json", "render", "--phase", "3", "--dir", out],
        cwd=ws.root,
        module=MODULE,
        env={"RELEASE_TEST_REPO": str(repo)},
    )
    assert result.code == 0, result
    doc: dict[str, Any] = result.json
    return doc


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def test_render_writes_every_object_per_cluster_and_release(ws: Workspace, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    digest = publish(repo, HELM)
    doc = _render(ws, repo, "out")
    assert doc["api_requests"]["azure"]["write"] == 0 and doc["api_requests"]["kubernetes"]["write"] == 0
    release = next(e for e in doc["written"] if e["release"] == "demo")
    assert (release["cluster"], release["chart"], release["digest"]) == ("aks-mgmt", "demo", digest)
    assert release["files"] == [
        "001-customresourcedefinition-widgets.demo.orchestrate.io.yaml",
        "002-namespace-demo.yaml",
        "003-configmap-demo-pre-config.yaml",
        "004-configmap-demo-extra.yaml",
        "005-configmap-demo-settings.yaml",
        "006-deployment-demo-web.yaml",
        "007-widget-demo-first.yaml",
        "008-job-demo-check.yaml",
    ]
    plain = next(e for e in doc["written"] if e["release"] is None)
    assert plain["dir"].endswith("out/aks-mgmt/phase3-objects") and plain["files"] == [
        "001-daemonset-kube-system-cilium.yaml"
    ]
    first = _tree(ws.root / "out")
    _render(ws, repo, "out")
    assert _tree(ws.root / "out") == first  # deterministic: identical bytes

    if not (VALIDATOR.exists() and VALIDATOR_PYTHON.exists()):
        pytest.skip("validate-manifests is not set up (bash ../shared/tools/validate-manifests/setup.sh)")
    crd = ws.root / "out" / "aks-mgmt" / "demo" / release["files"][0]
    checked = subprocess.run(
        [str(VALIDATOR_PYTHON), str(VALIDATOR), "--crds", str(crd.parent), str(ws.root / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "errors 0" in checked.stdout
