"""Phase 3 on the local cloud, through the CLI: Cilium on three BYO-CNI clusters, Cluster Mesh, Gateway
API, and the verification steps; re-runs, drift, a broken mesh condition, destroy.

One workspace is built once for the module (phases 1-3 at time scale 0) and the tests run in file
order against it; each test that breaks something repairs it before it ends."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import kubernetes
import pytest
import yaml

from steps.phase3.kustomize import find_kubectl
from tests.e2e.conftest import Workspace, steps_of
from tests.support.cli import run_cli
from tests.support.secrets import find_secrets

CLUSTERS = ("aks-mgmt", "aks-app1", "aks-app2")
pytestmark = pytest.mark.skipif(
    find_kubectl() is None, reason="run `python tools/install_kube_clients.py` first"
)


def _cli(ws: Workspace, *args: str, timeout: float = 600) -> dict[str, Any]:
    result = run_cli(["--cloud", "local", "--output", "json", *args], cwd=ws.root, timeout=timeout)
    assert result.stdout.strip(), result
    doc: dict[str, Any] = result.json
    doc["_stderr"] = result.stderr
    return doc


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Workspace, dict[str, Any], dict[str, Any]]]:
    ws = Workspace(tmp_path_factory.mktemp("phase3"))
    ws.write_config()
    ws.settings(time_scale=0.0)
    for phase in ("1", "2"):
        assert _cli(ws, "run", "--phase", phase, "--yes")["exit_code"] == 0
    assert ws.cli("kubeconfig", "--dir", "kube").code == 0
    plan = _cli(ws, "plan", "--phase", "3")
    run = _cli(ws, "run", "--phase", "3", "--yes")
    assert run["exit_code"] == 0, run["_stderr"][-3000:]
    yield ws, plan, run


def _api(ws: Workspace, cluster: str) -> Any:
    return ws.kube_api(cluster)


def _ready(ws: Workspace, cluster: str) -> tuple[int, int]:
    nodes = kubernetes.client.CoreV1Api(_api(ws, cluster)).list_node().items
    ready = [n for n in nodes if any(c.type == "Ready" and c.status == "True" for c in n.status.conditions)]
    return len(ready), len(nodes)


def test_plan_lists_every_object_per_cluster(built: tuple[Workspace, dict[str, Any], dict[str, Any]]) -> None:
    _, plan, _ = built
    steps = steps_of(plan)
    for cluster in CLUSTERS:
        cilium = steps[f"p3/cilium/{cluster}"]
        assert cilium["action"] == "create"
        assert any("DaemonSet/kube-system/cilium" in c for c in cilium["changes"]), cilium["changes"]
        assert steps[f"p3/gateway-api-crds/{cluster}"]["action"] == "create"
        assert steps[f"p3/cilium-ca/{cluster}"]["action"] == "create"
    assert any("Gateway/demo/demo" in c for c in steps["p3/kustomize/gateway/aks-app1"]["changes"])
    assert plan["api_requests"]["kubernetes"]["write"] == 0 and plan["api_requests"]["azure"]["write"] == 0


def test_the_run_builds_everything_and_verifies_it(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]],
) -> None:
    ws, _, run = built
    steps = steps_of(run)
    assert all(s["status"] == "done" for s in steps.values())
    state = yaml.safe_load(ws.state_path.read_text())["steps"]
    probe = state["p3/verify/mesh-probe/aks-mgmt"]["outputs"]
    assert probe["result"] == "succeeded"
    assert probe["target"] == "demo/echo,demo/echo-aks-app1,demo/echo-aks-app2"  # each link, and both
    ip = state["p3/verify/clustermesh-ip/aks-app1"]["outputs"]["seen"]
    assert "10.4.0.253" in ip and "internal" in ip
    assert "Programmed=True" in state["p3/verify/gateway/aks-app2"]["outputs"]["seen"]
    assert find_secrets(ws.state_path.read_text()) == [] and "PRIVATE KEY" not in ws.state_path.read_text()
    assert "PRIVATE KEY" not in run["_stderr"]
    with ws.cloud():
        for cluster in CLUSTERS:
            ready, total = _ready(ws, cluster)
            assert ready == total > 0, cluster
        cas = {
            c: kubernetes.client.CoreV1Api(_api(ws, c))
            .read_namespaced_secret("cilium-ca", "kube-system")
            .data["ca.crt"]
            for c in CLUSTERS
        }
        assert len(set(cas.values())) == 1  # one CA, shared


def test_a_second_run_plans_nothing_and_writes_nothing(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]],
) -> None:
    ws, _, _ = built
    plan = _cli(ws, "plan", "--phase", "3")
    assert {s["action"] for s in steps_of(plan).values()} == {"noop"}
    again = _cli(ws, "run", "--phase", "3", "--yes")
    assert again["exit_code"] == 0
    assert again["api_requests"]["azure"]["write"] == 0 and again["api_requests"]["kubernetes"]["write"] == 0


def test_kubectl_shows_the_cilium_pods_running(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]],
) -> None:
    ws, _, _ = built
    kubectl = find_kubectl()
    assert kubectl is not None
    with ws.cloud():
        done = subprocess.run(
            [str(kubectl), "--kubeconfig", str(ws.root / "kube" / "aks-app1.kubeconfig"), "get", "pods", "-n", "kube-system"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    cilium = [r for r in rows if r[0].startswith("cilium-") and not r[0].startswith("cilium-operator")]
    assert cilium and all(r[2] == "Running" for r in cilium), done.stdout
    assert any(r[0].startswith("cilium-operator") and r[2] == "Running" for r in rows), done.stdout


def test_drift_on_rendered_objects_shows_exactly_that_and_is_repaired(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]],
) -> None:
    ws, _, _ = built
    with ws.cloud():
        apps = kubernetes.client.AppsV1Api(_api(ws, "aks-app2"))
        apps.patch_namespaced_daemon_set(
            "cilium", "kube-system", {"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 3}}}}
        )
        kubernetes.client.CoreV1Api(_api(ws, "aks-mgmt")).delete_namespaced_config_map(
            "hubble-relay-config", "kube-system"
        )
    plan = _cli(ws, "plan", "--phase", "3")
    drift = {sid: s["changes"] for sid, s in steps_of(plan).items() if s["action"] != "noop"}
    assert set(drift) == {"p3/cilium/aks-app2", "p3/cilium/aks-mgmt"}, drift
    assert drift["p3/cilium/aks-app2"] == [
        "DaemonSet/kube-system/cilium: spec.updateStrategy.rollingUpdate.maxUnavailable"
    ], drift
    assert [c for c in drift["p3/cilium/aks-mgmt"] if "hubble-relay-config" in c] == drift[
        "p3/cilium/aks-mgmt"
    ]
    assert _cli(ws, "run", "--phase", "3", "--yes")["exit_code"] == 0
    assert {s["action"] for s in steps_of(_cli(ws, "plan", "--phase", "3")).values()} == {"noop"}


def _mesh_rule(ws: Workspace, allow: bool) -> None:
    """Flip the services subnet's NSG rule for TCP 2379 (the clustermesh-apiservers' frontends)."""
    with ws.cloud() as az:
        rules = az.network().security_rules
        rule = rules.get("rg-aks-demo-network", "nsg-aks-demo-services", "allow-mesh-apiserver")
        rule.access = "Allow" if allow else "Deny"
        rules.begin_create_or_update(
            "rg-aks-demo-network", "nsg-aks-demo-services", "allow-mesh-apiserver", rule
        ).result()


def _reprobe(ws: Workspace) -> None:
    with ws.cloud():
        batch = kubernetes.client.BatchV1Api(_api(ws, "aks-mgmt"))
        batch.delete_namespaced_job("mesh-probe", "demo", propagation_policy="Background")


def test_a_blocked_mesh_port_fails_the_probe_naming_it_and_a_repair_passes(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]],
) -> None:
    ws, _, _ = built
    _mesh_rule(ws, allow=False)
    _reprobe(ws)
    broken = _cli(ws, "run", "--phase", "3", "--yes")
    assert broken["exit_code"] == 1
    probe = steps_of(broken)["p3/verify/mesh-probe/aks-mgmt"]
    assert probe["status"] == "failed" and "2379" in broken["_stderr"], broken["_stderr"][-2000:]
    assert _cli(ws, "run", "--phase", "1", "--yes")["exit_code"] == 0  # phase 1 puts its rule back
    repaired = _cli(ws, "run", "--phase", "3", "--yes")
    assert repaired["exit_code"] == 0, repaired["_stderr"][-2000:]
    assert steps_of(repaired)["p3/verify/mesh-probe/aks-mgmt"]["action"] == "update"  # probed again


def test_a_different_ca_on_a_peer_is_shown_as_sensitive_drift_and_repaired(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]],
) -> None:
    from steps.phase3.ca import new_ca, split

    ws, _, _ = built
    cert, key = split(new_ca())
    with ws.cloud():
        core = kubernetes.client.CoreV1Api(_api(ws, "aks-app1"))
        core.patch_namespaced_secret(
            "cilium-ca", "kube-system", {"stringData": {"ca.crt": cert.reveal(), "ca.key": key.reveal()}}
        )
    plan = _cli(ws, "plan", "--phase", "3")
    drift = {sid: s["changes"] for sid, s in steps_of(plan).items() if s["action"] != "noop"}
    assert drift == {"p3/cilium-ca/aks-app1": ["data.ca.crt", "data.ca.key"]}
    assert key.reveal() not in plan["_stderr"] and "PRIVATE KEY" not in str(plan)
    assert _cli(ws, "run", "--phase", "3", "--yes")["exit_code"] == 0


def _checks(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for p in doc["phases"] for c in p["checks"]}


def test_verify_checks_the_live_platform_and_probes_the_mesh_afresh(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]],
) -> None:
    ws, _, _ = built
    with ws.cloud():
        before = kubernetes.client.BatchV1Api(_api(ws, "aks-mgmt")).read_namespaced_job("mesh-probe", "demo")
    verified = _cli(ws, "verify", "--phase", "3")
    assert verified["exit_code"] == 0 and verified["passed"], verified
    checks = _checks(verified)
    assert all(c["passed"] for c in checks.values()), checks
    assert "one cilium-ca" in checks["p3/verify/mesh-config/aks-mgmt"]["evidence"]
    assert "answered by aks-app2" in checks["p3/verify/mesh-probe/aks-mgmt"]["evidence"]
    with ws.cloud():
        after = kubernetes.client.BatchV1Api(_api(ws, "aks-mgmt")).read_namespaced_job("mesh-probe", "demo")
    assert after.metadata.uid != before.metadata.uid  # probed again, not read back
    again = _cli(ws, "run", "--phase", "3", "--yes")  # verify left the phase's own record alone
    assert again["exit_code"] == 0 and again["api_requests"]["kubernetes"]["write"] == 0


def _break_peer_address(ws: Workspace) -> None:
    """aks-mgmt's cilium-clustermesh dials aks-app2 at an address where nothing listens."""
    import base64

    with ws.cloud():
        core = kubernetes.client.CoreV1Api(_api(ws, "aks-mgmt"))
        entry = base64.b64decode(
            core.read_namespaced_secret("cilium-clustermesh", "kube-system").data["aks-app2"]
        )
        doc = yaml.safe_load(entry)
        doc["endpoints"] = ["https://10.4.0.200:2379"]
        core.patch_namespaced_secret(
            "cilium-clustermesh", "kube-system", {"stringData": {"aks-app2": yaml.safe_dump(doc)}}
        )


def _break_ca(ws: Workspace) -> None:
    from steps.phase3.ca import new_ca, split

    cert, key = split(new_ca())
    with ws.cloud():
        kubernetes.client.CoreV1Api(_api(ws, "aks-app1")).patch_namespaced_secret(
            "cilium-ca", "kube-system", {"stringData": {"ca.crt": cert.reveal(), "ca.key": key.reveal()}}
        )


def _break_cluster_id(ws: Workspace) -> None:
    with ws.cloud():
        kubernetes.client.CoreV1Api(_api(ws, "aks-app2")).patch_namespaced_config_map(
            "cilium-config", "kube-system", {"data": {"cluster-id": "2"}}
        )


def _take_the_fixed_ip(ws: Workspace) -> None:
    """aks-app2's clustermesh-apiserver asks for aks-mgmt's address, which a frontend already holds."""
    with ws.cloud():
        kubernetes.client.CoreV1Api(_api(ws, "aks-app2")).patch_namespaced_service(
            "clustermesh-apiserver",
            "kube-system",
            {
                "metadata": {
                    "annotations": {"service.beta.kubernetes.io/azure-load-balancer-ipv4": "10.4.0.254"}
                }
            },
        )


BREAKS: dict[str, tuple[Any, ...]] = {
    "fixed IP taken": (
        _take_the_fixed_ip,
        "aks-app2's clustermesh-apiserver Service has no load-balancer IP",
        "3",
        (
            "p3/verify/clustermesh-ip/aks-app2",
            "last event: SyncLoadBalancerFailed: Error syncing load balancer: requested IP 10.4.0.254 is"
            " already used by another frontend",
        ),
    ),
    "peer address": (
        _break_peer_address,
        "aks-mgmt dials peer aks-app2 at 10.4.0.200:2379, but aks-app2's clustermesh-apiserver is at 10.4.0.252:2379",
        "3",
    ),
    "shared CA": (_break_ca, "the clusters hold different cilium-ca certificates", "3"),
    "duplicate cluster ID": (_break_cluster_id, "aks-app1 and aks-app2 have the same cluster-id 2", "3"),
    "NSG mesh port": (
        lambda ws: _mesh_rule(ws, allow=False),
        "NSG nsg-aks-demo-services blocks aks-mgmt -> aks-app1 clustermesh-apiserver (TCP 2379"
        " from 10.1.0.0/16 to 10.4.0.253): rule allow-mesh-apiserver (priority 100, Deny)",
        "1",
    ),
}


@pytest.mark.parametrize("condition", list(BREAKS))
def test_each_broken_mesh_condition_fails_verify_naming_it_and_a_repair_passes(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]], condition: str
) -> None:
    ws, _, _ = built
    breaker, cause, repair_phase, *also = BREAKS[condition]
    breaker(ws)
    broken = _cli(ws, "verify", "--phase", "3")
    assert broken["exit_code"] == 1 and not broken["passed"]
    checks = _checks(broken)
    mesh, probe = checks["p3/verify/mesh-config/aks-mgmt"], checks["p3/verify/mesh-probe/aks-mgmt"]
    assert not mesh["passed"] and cause in mesh["evidence"], mesh
    assert not probe["passed"] and cause in probe["evidence"], probe  # the probe's failure says why too
    assert "Failed to connect" in probe["evidence"], probe  # and what curl saw
    for check_id, text in also:  # the check nearest the cause names it too
        assert not checks[check_id]["passed"] and text in checks[check_id]["evidence"], checks[check_id]
    repaired = _cli(ws, "run", "--phase", repair_phase, "--yes")
    assert repaired["exit_code"] == 0, repaired["_stderr"][-2000:]
    verified = _cli(ws, "verify", "--phase", "3")
    assert verified["exit_code"] == 0, _checks(verified)
    assert _cli(ws, "run", "--phase", "3", "--yes")["exit_code"] == 0


def test_a_duplicate_cluster_id_is_refused_before_any_call(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]],
) -> None:
    ws, _, _ = built
    original = (ws.root / "deployment.yaml").read_text()
    try:
        (ws.root / "deployment.yaml").write_text(
            original.replace("cilium_cluster_id: 3", "cilium_cluster_id: 2")
        )
        result = run_cli(["--cloud", "local", "plan", "--phase", "3"], cwd=ws.root)
        assert result.code == 2 and "clusters[2].cilium_cluster_id" in result.stderr, result
    finally:
        (ws.root / "deployment.yaml").write_text(original)


def test_destroy_leaves_the_clusters_as_phase_2_made_them(
    built: tuple[Workspace, dict[str, Any], dict[str, Any]],
) -> None:
    ws, _, _ = built
    preview = steps_of(_cli(ws, "destroy", "--phase", "3", "--dry-run"))["p3/cilium/aks-app1"]["changes"]
    assert "CustomResourceDefinition/ciliumnodes.cilium.io" in preview  # the operator's, not the chart's
    assert "Secret/kube-system/clustermesh-apiserver-server-cert" in preview  # certgen's
    gone = _cli(ws, "destroy", "--phase", "3", "--yes")
    assert gone["exit_code"] == 0, gone["_stderr"][-2000:]
    with ws.cloud():
        for cluster in CLUSTERS:
            assert _ready(ws, cluster)[0] == 0, cluster  # no CNI: NotReady again
            dyn = kubernetes.dynamic.DynamicClient(_api(ws, cluster))
            for api_version, kind in (
                ("apps/v1", "DaemonSet"),
                ("v1", "ConfigMap"),
                ("v1", "Secret"),
                ("v1", "Service"),
            ):
                left = (
                    dyn.resources.get(api_version=api_version, kind=kind)
                    .get(label_selector="orchestrate.io/release")
                    .items
                )
                assert [i.metadata.name for i in left] == [], (cluster, kind)
            names = [
                n.metadata.name for n in kubernetes.client.CoreV1Api(_api(ws, cluster)).list_namespace().items
            ]
            assert "demo" not in names
            crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
            left = [c.metadata.name for c in crds.get().items]
            assert not [n for n in left if n.endswith((".cilium.io", ".gateway.networking.k8s.io"))], left
            secrets = (
                kubernetes.client.CoreV1Api(_api(ws, cluster)).list_namespaced_secret("kube-system").items
            )
            made = [
                s.metadata.name for s in secrets if s.metadata.name.startswith(("clustermesh-", "cilium-"))
            ]
            assert made == [], (cluster, made)  # certgen's Secrets and the shared CA go too
    with ws.cloud() as az:
        records = [
            r.name for r in az.privatedns().record_sets.list("rg-aks-demo-network", "aks-demo.internal")
        ]
        assert not [r for r in records if r.startswith("clustermesh-")]
