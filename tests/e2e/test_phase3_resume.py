"""SIGKILL during phase 3, then `resume`: the same end state as an uninterrupted run, no object left
half-applied, and a re-plan with nothing to do."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from typing import Any

import pytest

from steps.phase3.kustomize import find_kubectl
from tests.e2e.conftest import Workspace, steps_of
from tests.support.cli import cli_env, command

pytestmark = pytest.mark.skipif(find_kubectl() is None, reason="run `python tools/install_kube_clients.py`")


def _state(ws: Workspace) -> dict[str, Any]:
    try:
        return json.loads(ws.state_path.read_text())
    except (OSError, json.JSONDecodeError):  # caught mid-rename: look again
        return {}


def _some_phase_3_steps_done(state: dict[str, Any]) -> bool:
    done = [
        sid for sid, s in state.get("steps", {}).items() if sid.startswith("p3/") and s["status"] == "done"
    ]
    return len(done) >= 3


def test_killed_during_phase_3_resume_finishes_it_with_the_same_end_state(ws: Workspace) -> None:
    for phase in ("1", "2"):
        assert ws.cli("run", "--phase", phase, "--yes").code == 0
    ws.settings(time_scale=0.05)  # waits take a moment, so the kill lands inside the phase
    proc = subprocess.Popen(
        command(None, ["--cloud", "local", "run", "--phase", "3", "--yes"]),
        cwd=ws.root,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not _some_phase_3_steps_done(_state(ws)):
        time.sleep(0.05)
    finished_before_kill = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert not finished_before_kill, "phase 3 should still have been running when it was killed"
    assert _state(ws)["phases"]["3"]["status"] != "done"

    resumed = ws.json("resume", "--yes")
    assert resumed["exit_code"] == 0, resumed
    state = _state(ws)
    assert state["phases"]["3"]["status"] == "done" and state.get("operation") is None
    for sid, record in state["steps"].items():
        if sid.startswith("p3/"):
            assert all(entry["outcome"] for entry in record["journal"]), (sid, record["journal"])

    again = ws.json("plan", "--phase", "3")
    assert {s["action"] for s in steps_of(again).values()} == {"noop"}, again
    rerun = ws.json("run", "--phase", "3", "--yes")
    assert rerun["api_requests"]["kubernetes"]["write"] == 0 and rerun["api_requests"]["azure"]["write"] == 0
