"""Phase 3 while 5% of Kubernetes API requests fail (429, 500, 503, 504): the run still converges,
and the end state is the one a clean run makes: every rendered object live, a re-plan with nothing
to do, a re-run with no writes, and the mesh probe passed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml

from emulator.arm.counters import read_request_log
from emulator.arm.providers.aks_kube import KUBE_FAULT_LOG
from emulator.settings import KubeFaultRule
from steps.kube import OWNER_LABEL
from steps.phase3.kustomize import find_kubectl
from tests.e2e.conftest import Workspace, steps_of

pytestmark = pytest.mark.skipif(find_kubectl() is None, reason="run `python tools/install_kube_clients.py`")

FAULTS = (
    KubeFaultRule(status=503, rate=0.02),
    KubeFaultRule(status=500, rate=0.01),
    KubeFaultRule(status=504, rate=0.01),
    KubeFaultRule(status=429, rate=0.01, retry_after=0),
)


def _rendered(root: Path) -> dict[str, set[tuple[str, str, str, str]]]:
    """Every object `render --phase 3` wrote, per cluster: (apiVersion, kind, namespace, name)."""
    found: dict[str, set[tuple[str, str, str, str]]] = {}
    for path in root.rglob("*.yaml"):
        cluster = path.relative_to(root).parts[0]
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind"):
                meta = doc.get("metadata") or {}
                key = (doc["apiVersion"], doc["kind"], meta.get("namespace") or "", meta["name"])
                found.setdefault(cluster, set()).add(key)
    return found


def _live(ws: Workspace, cluster: str, kinds: set[tuple[str, str]]) -> set[tuple[str, str, str, str]]:
    """Every live object of those kinds that carries the deployment's owner label."""
    dyn = kubernetes.dynamic.DynamicClient(ws.kube_api(cluster))
    out = set()
    for api_version, kind in kinds:
        resource = dyn.resources.get(api_version=api_version, kind=kind)
        for item in resource.get(label_selector=OWNER_LABEL).items:
            namespace = (item.metadata.namespace or "") if resource.namespaced else ""
            out.add((api_version, kind, namespace, item.metadata.name))
    return out


def test_phase_3_under_5_percent_kubernetes_api_faults_ends_in_the_clean_state(ws: Workspace) -> None:
    for phase in ("1", "2"):
        assert ws.cli("run", "--phase", phase, "--yes").code == 0
    ws.settings(kube_faults=FAULTS, request_log=True)

    run: dict[str, Any] = ws.json("run", "--phase", "3", "--yes")
    assert run.get("exit_code") == 0, run
    hits = Counter(r["outcome"] for r in read_request_log(ws.cloud_dir) if r["type"] == KUBE_FAULT_LOG)
    assert sum(hits.values()) >= 20 and set(hits) == {"429", "500", "503", "504"}, hits

    ws.settings(kube_faults=())
    state = json.loads(ws.state_path.read_text())
    assert state["phases"]["3"]["status"] == "done"
    assert state["steps"]["p3/verify/mesh-probe/aks-mgmt"]["outputs"]["result"] == "succeeded"
    plan = ws.json("plan", "--phase", "3")
    assert {s["action"] for s in steps_of(plan).values()} == {"noop"}, plan
    again = ws.json("run", "--phase", "3", "--yes")
    assert again["api_requests"]["kubernetes"]["write"] == 0 and again["api_requests"]["azure"]["write"] == 0

    assert ws.cli("render", "--phase", "3", "--dir", "rendered").code == 0
    assert ws.cli("kubeconfig", "--dir", "kube").code == 0
    rendered = _rendered(ws.root / "rendered")
    assert set(rendered) == {"aks-mgmt", "aks-app1", "aks-app2"}
    with ws.cloud():
        for cluster, objects in rendered.items():
            live = _live(ws, cluster, {(a, k) for a, k, _, _ in objects})
            assert live == objects, (cluster, sorted(live ^ objects)[:10])
