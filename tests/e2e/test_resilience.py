"""Phases 1-2 when Azure misbehaves: transient faults, Spot capacity, quota, and a killed process."""

from __future__ import annotations

import json
import signal
import subprocess
import time

from emulator import FaultKind, FaultRule
from emulator.arm.counters import read_request_log
from tests.e2e.conftest import Workspace, steps_of
from tests.support.cli import cli_env, command

RG_AKS = "rg-aks-demo-aks"


def _final_state(ws: Workspace) -> dict[str, object]:
    with ws.cloud() as az:
        aks = az.containerservice()
        return {
            "groups": sorted(
                g.name for g in az.resource().resource_groups.list() if not g.name.startswith("MC_")
            ),
            "nsgs": sorted(n.name for n in az.network().network_security_groups.list("rg-aks-demo-network")),
            "clusters": sorted(c.name for c in aks.managed_clusters.list_by_resource_group(RG_AKS)),
            "pools": sorted(
                f"{c}/{p.name}/{p.vm_size}"
                for c in ("aks-mgmt", "aks-app1", "aks-app2")
                for p in aks.agent_pools.list(RG_AKS, c)
            ),
        }


def test_transient_faults_at_five_percent_do_not_change_the_result(ws: Workspace, tmp_path_factory) -> None:
    clean = Workspace(tmp_path_factory.mktemp("clean"))
    clean.write_config()
    clean.settings(time_scale=0.0)
    for phase in ("1", "2"):
        assert clean.cli("run", "--phase", phase, "--yes").code == 0
    expected = _final_state(clean)

    faults = tuple(
        FaultRule(kind, rate=0.05)
        for kind in (FaultKind.THROTTLE, FaultKind.INTERNAL, FaultKind.UNAVAILABLE, FaultKind.RESET)
    )
    ws.settings(time_scale=0.0, faults=faults, seed=7)
    for phase in ("1", "2"):
        result = ws.cli("run", "--phase", phase, "--yes")
        assert result.code == 0, result
    ws.settings(faults=())
    assert _final_state(ws) == expected


def test_spot_capacity_failure_names_the_fallbacks_and_a_rerun_continues_after_the_config_changes(
    ws: Workspace,
) -> None:
    assert ws.cli("run", "--phase", "1", "--yes").code == 0
    capacity = FaultRule(
        FaultKind.LRO_FAILURE,
        resource_type="Microsoft.ContainerService/managedClusters/agentPools",
        method="PUT",
        count=1,
        error_code="OverconstrainedAllocationRequest",
    )
    ws.settings(faults=(capacity,))
    failed = ws.json("run", "--phase", "2", "--yes")
    assert failed["exit_code"] == 1
    bad = [s for s in steps_of(failed).values() if s["status"] == "failed"]
    assert len(bad) == 1 and bad[0]["id"].endswith("/spot") and bad[0]["action"] == "create"
    index = ["aks-mgmt", "aks-app1", "aks-app2"].index(bad[0]["id"].split("/")[2])
    assert "OverconstrainedAllocationRequest" in bad[0]["error"]
    assert f"clusters[{index}].spot_pool.vm_size" in bad[0]["error"]
    assert "Standard_D2as_v5" in bad[0]["error"] and "Standard_D2s_v5" in bad[0]["error"]

    ws.settings(faults=())  # the shortage was for the first size only
    ws.write_config(lambda text: _set_spot_size(text, index, "Standard_D2as_v5"))
    again = ws.json("run", "--phase", "2", "--yes")
    assert again["exit_code"] == 0, again
    actions = {sid: s["action"] for sid, s in steps_of(again).items()}
    # The failed pool is replaced; it never ran anything, so `--yes` needs no `--allow-replace` for it.
    assert actions[bad[0]["id"]] == "replace"
    assert all(a == "noop" for sid, a in actions.items() if sid != bad[0]["id"])
    assert f"{bad[0]['id'].split('/')[2]}/spot/Standard_D2as_v5" in _final_state(ws)["pools"]


def _set_spot_size(text: str, index: int, size: str) -> str:
    import yaml

    doc = yaml.safe_load(text)
    doc["clusters"][index]["spot_pool"]["vm_size"] = size
    return yaml.safe_dump(doc)


def test_preflight_stops_before_anything_is_created_when_spot_quota_is_short(ws: Workspace) -> None:
    ws.settings(quotas={"lowPriorityCores": 3})
    result = ws.cli("run", "--yes")
    assert result.code == 2, result
    assert "quota: lowPriorityCores" in result.stderr and "Request at least 10" in result.stderr
    with ws.cloud() as az:
        assert list(az.resource().resource_groups.list()) == []


def test_killed_while_clusters_are_creating_resume_reattaches_without_a_second_put(ws: Workspace) -> None:
    assert ws.cli("run", "--phase", "1", "--yes").code == 0
    ws.settings(time_scale=0.02, request_log=True)  # a cluster takes ~7 s instead of 6 minutes
    proc = subprocess.Popen(
        command(None, ["--cloud", "local", "run", "--phase", "2", "--yes"]),
        cwd=ws.root,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        steps = json.loads(ws.state_path.read_text()).get("steps", {}) if ws.state_path.exists() else {}
        in_flight = [s for sid, s in steps.items() if sid.startswith("p2/cluster/") and s.get("lro")]
        if len(in_flight) == 3:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert len(in_flight) == 3, "all three clusters should have been creating when the process died"

    resumed = ws.json("resume", "--yes")
    assert resumed["exit_code"] == 0, resumed
    state = json.loads(ws.state_path.read_text())
    for name in ("aks-mgmt", "aks-app1", "aks-app2"):
        journal = [e["intent"] for e in state["steps"][f"p2/cluster/{name}"]["journal"]]
        creates = [i for i in journal if i.startswith("create ")]
        assert len(creates) == 2 and "re-attached" in creates[1], journal
        assert all(e["outcome"] for e in state["steps"][f"p2/cluster/{name}"]["journal"])
    assert len(_final_state(ws)["clusters"]) == 3
    cluster_puts = [
        r
        for r in read_request_log(ws.cloud_dir)
        if r["method"] == "PUT" and r["type"] == "Microsoft.ContainerService/managedClusters"
    ]
    assert len(cluster_puts) == 3, cluster_puts  # one per cluster, across the killed process and the resume
    assert len({r["pid"] for r in read_request_log(ws.cloud_dir)}) >= 2


def test_preflight_refuses_phase_2_when_the_caller_cannot_create_role_assignments(ws: Workspace) -> None:
    assert ws.cli("run", "--phase", "1", "--yes").code == 0
    ws.settings(
        caller_actions=["*"], caller_not_actions=["Microsoft.Authorization/*/write"]
    )  # Contributor-like
    result = ws.cli("run", "--phase", "2", "--yes")
    assert result.code == 2, result
    assert "may not create role assignments" in result.stderr and "User Access Administrator" in result.stderr
    with ws.cloud() as az:
        assert not az.resource().resource_groups.check_existence(RG_AKS)


def test_preflight_names_a_vm_size_the_region_does_not_offer(ws: Workspace) -> None:
    ws.settings(sku_restrictions={"Standard_D2s_v3": ["koreacentral"]})
    result = ws.cli("plan")
    assert result.code == 2, result
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: clusters[")]
    assert "error: clusters[0].system_pool.vm_size: Standard_D2s_v3 is not available" in lines[0]
    assert len(lines) == 6  # three clusters, two pools each


def test_phase_2_waits_out_entra_id_and_rbac_propagation(ws: Workspace) -> None:
    """On real Azure a role assignment made seconds after its identity fails with PrincipalNotFound, and a
    cluster created seconds after its subnet role fails with LinkedAuthorizationFailed, for a while."""
    assert ws.cli("run", "--phase", "1", "--yes").code == 0
    ws.settings(principal_propagation_s=1.0, role_propagation_s=1.0)
    result = ws.json("run", "--phase", "2", "--yes")
    assert result["exit_code"] == 0, result
    state = json.loads(ws.state_path.read_text())
    for name in ("aks-mgmt", "aks-app1", "aks-app2"):
        role = [e["outcome"] for e in state["steps"][f"p2/subnet-role/{name}"]["journal"]]
        cluster = [e["outcome"] for e in state["steps"][f"p2/cluster/{name}"]["journal"]]
        assert any("PrincipalNotFound" in o for o in role) and role[-1] == "ok", role
        assert any("LinkedAuthorizationFailed" in o for o in cluster) and cluster[-1] == "succeeded", cluster
