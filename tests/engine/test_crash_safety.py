"""Kill the CLI at random points; `resume` must end where an uninterrupted run ends, with no duplicates."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from pathlib import Path

from orchestrator.config.template import render_default_config
from tests.engine.conftest import RECORD_CLI
from tests.support.cli import cli_env, command, run_cli
from tests.support.record_server import RecordServer

TRIALS = 20


def _start(workdir: Path, server: RecordServer, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(RECORD_CLI, ["--state", "state.json", *args]),
        cwd=workdir,
        env=cli_env({"RECORD_SERVER_URL": server.url}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def _final(server: RecordServer) -> dict[str, dict]:
    return {name: {k: v for k, v in rec.items() if k != "revision"} for name, rec in server.records.items()}


def test_sigkill_at_random_points_then_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    server = RecordServer(write_delay_s=0.03).start()
    try:
        reference_dir = tmp_path / "reference"
        reference_dir.mkdir()
        (reference_dir / "deployment.yaml").write_text(render_default_config())
        proc = _start(reference_dir, server, "run", "--yes")
        assert proc.wait(60) == 0, proc.communicate()
        reference = _final(server)
        assert len(reference) == 12

        kills_during_writes = 0
        for trial in range(TRIALS):
            server.records.clear()
            server.reset_counts()
            work = tmp_path / f"trial{trial}"
            work.mkdir()
            (work / "deployment.yaml").write_text(render_default_config())
            proc = _start(work, server, "run", "--yes")
            # Kill points follow the run's own progress, so they spread over it on any machine speed:
            # after a random number of writes, plus a fraction of one write, to land mid-request too.
            target = rng.randint(0, 11)
            deadline = time.monotonic() + 30
            while server.stats.writes < target and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, server.write_delay_s))
            writes_before_kill = server.stats.writes
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            kills_during_writes += 0 < writes_before_kill < 12

            env = {"RECORD_SERVER_URL": server.url}
            resumed = run_cli(
                ["--state", "state.json", "resume", "--yes"], cwd=work, module=RECORD_CLI, env=env
            )
            assert resumed.code == 0, f"trial {trial}: {resumed}"
            if (
                "Nothing to resume" in resumed.stderr
            ):  # killed before it recorded anything: the user runs again
                assert writes_before_kill == 0, f"trial {trial}: writes happened but resume saw none"
                resumed = run_cli(
                    ["--state", "state.json", "run", "--yes"], cwd=work, module=RECORD_CLI, env=env
                )
                assert resumed.code == 0, f"trial {trial}: {resumed}"
            assert _final(server) == reference, f"trial {trial}"
            duplicates = {name: n for name, n in server.stats.creates.items() if n > 1}
            assert not duplicates, f"trial {trial}: created more than once: {duplicates}"
            state = json.loads((work / "state.json").read_text())
            assert {state["phases"][p]["status"] for p in ("1", "2")} == {"done"}
            assert all(entry["outcome"] for s in state["steps"].values() for entry in s["journal"])
        assert kills_during_writes >= TRIALS // 2, "the kills should land while records are being written"
    finally:
        server.stop()


def test_ctrl_c_leaves_a_state_that_resume_finishes(tmp_path: Path) -> None:
    server = RecordServer(write_delay_s=0.15).start()
    try:
        (tmp_path / "deployment.yaml").write_text(render_default_config())
        proc = _start(tmp_path, server, "run", "--yes")
        deadline = time.monotonic() + 20
        while server.stats.writes < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, err
        assert "resume" in err
        state = json.loads((tmp_path / "state.json").read_text())
        assert state["phases"]["1"]["status"] in ("interrupted", "done")
        resumed = run_cli(
            ["--state", "state.json", "resume", "--yes"],
            cwd=tmp_path,
            module=RECORD_CLI,
            env={"RECORD_SERVER_URL": server.url},
        )
        assert resumed.code == 0, resumed
        assert len(server.records) == 12
        assert all(n == 1 for n in server.stats.creates.values())
    finally:
        server.stop()
