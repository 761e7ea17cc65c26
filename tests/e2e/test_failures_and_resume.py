"""Failures that say what to do, and `resume` at every boundary.

A long-running operation that ends Failed goes through the same error mapping and retry policy as an
immediate error; `resume` continues whatever a kill interrupted: between phases, or during `stop`."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

from emulator import FaultRule
from emulator.arm.counters import read_request_log
from tests.e2e.conftest import Workspace, steps_of
from tests.support.cli import cli_env, command

RG_AKS = "rg-aks-demo-aks"


def _state(ws: Workspace) -> dict[str, Any]:
    return json.loads(ws.state_path.read_text()) if ws.state_path.exists() else {}


@pytest.mark.parametrize(
    ("code", "resource", "says"),
    [
        ("OverconstrainedAllocationRequest", "*/managedClusters/aks-app1/agentPools/spot", "fallback sizes"),
        ("QuotaExceeded", "*/managedClusters/aks-app2", "request a quota increase"),
    ],
)
def test_a_capacity_or_quota_failure_of_an_operation_prints_the_fix_and_exits_1(
    ws: Workspace, code: str, resource: str, says: str
) -> None:
    assert ws.cli("run", "--phase", "1", "--yes").code == 0
    ws.settings(faults=[FaultRule.failed_operation(code, resource=resource, count=None)])
    result = ws.cli("run", "--phase", "2", "--yes")
    assert result.code == 1, result
    assert f"({code})" in result.stderr and "fix:" in result.stderr and says in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_a_transient_failure_of_an_operation_is_retried_without_creating_twice(ws: Workspace) -> None:
    assert ws.cli("run", "--phase", "1", "--yes").code == 0
    pool = "*/managedClusters/aks-app1/agentPools/spot"
    ws.settings(request_log=True, faults=[FaultRule.failed_operation("InternalServerError", resource=pool)])
    result = ws.json("run", "--phase", "2", "--yes")
    assert result["exit_code"] == 0, result
    assert steps_of(result)["p2/pool/aks-app1/spot"]["status"] == "done"
    puts = [
        r
        for r in read_request_log(ws.cloud_dir)
        if r["method"] == "PUT"
        and str(r["path"]).lower().endswith("/managedclusters/aks-app1/agentpools/spot")
    ]
    assert len(puts) == 2, puts  # the failed create, then one write to the pool it left behind
    assert [r["outcome"] for r in puts].count("201") == 1, puts  # created once
    journal = [e["outcome"] for e in _state(ws)["steps"]["p2/pool/aks-app1/spot"]["journal"]]
    assert "InternalServerError" in journal[0] and journal[-1] == "succeeded", journal


def _kill_when(ws: Workspace, args: list[str], ready: Callable[[dict[str, Any]], bool]) -> None:
    proc = subprocess.Popen(
        command(None, ["--cloud", "local", *args]),
        cwd=ws.root,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline, seen = time.monotonic() + 90, False
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            seen = ready(_state(ws))
        except (json.JSONDecodeError, OSError):  # caught mid-rename: look again
            seen = False
        if seen:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert seen, "the run should have reached the point to kill it at"


def test_a_run_killed_right_after_phase_1_is_finished_by_resume(ws: Workspace) -> None:
    ws.settings(time_scale=0.02)

    def phase_1_done(state: dict[str, Any]) -> bool:
        return state.get("phases", {}).get("1", {}).get("status") == "done"

    _kill_when(ws, ["run", "--yes"], phase_1_done)
    assert _state(ws)["phases"].get("2", {}).get("status") != "done"
    resumed = ws.json("resume", "--yes")
    assert resumed["exit_code"] == 0, resumed
    assert _state(ws)["phases"]["2"]["status"] == "done"
    with ws.cloud() as az:
        clusters = az.containerservice().managed_clusters.list_by_resource_group(RG_AKS)
        assert sorted(c.name for c in clusters) == ["aks-app1", "aks-app2", "aks-mgmt"]


def test_a_killed_stop_is_finished_by_resume(ws: Workspace) -> None:
    assert ws.cli("run", "--yes").code == 0
    ws.settings(time_scale=0.05)

    def stopping(state: dict[str, Any]) -> bool:
        return any(s.get("lro") for sid, s in state.get("steps", {}).items() if sid.startswith("power/"))

    _kill_when(ws, ["stop"], stopping)
    resumed = ws.cli("resume", "--yes")
    assert resumed.code == 0, resumed
    with ws.cloud() as az:
        clusters = az.containerservice().managed_clusters.list_by_resource_group(RG_AKS)
        assert {c.name: c.power_state.code for c in clusters} == dict.fromkeys(
            ("aks-mgmt", "aks-app1", "aks-app2"), "Stopped"
        )
    assert _state(ws).get("operation") is None
    assert "Nothing to resume" in ws.cli("resume", "--yes").stderr
