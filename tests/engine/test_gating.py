"""Phase order, confirmation between phases (TTY and not), the state lock and step timeouts."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from tests.engine.conftest import RECORD_CLI, RunRecords
from tests.support.cli import cli_env, command
from tests.support.record_server import RecordServer


def test_phase_two_before_phase_one_is_refused_unless_forced(
    records_cli: RunRecords, server: RecordServer
) -> None:
    refused = records_cli("run", "--phase", "2")
    assert refused.code == 2
    assert "phase 1 (Network foundation)" in refused.stderr and "--force" in refused.stderr
    assert server.stats.writes == 0
    forced = records_cli("run", "--phase", "2", "--force")
    assert forced.code == 0, forced
    assert "identity" in server.records and "rg" not in server.records


def test_unavailable_and_unknown_phases_are_bad_input(records_cli: RunRecords) -> None:
    unknown = records_cli("run", "--phase", "9")
    assert unknown.code == 2 and "there is no phase 9" in unknown.stderr
    later = records_cli("plan", "--phase", "3")
    assert later.code == 2 and "not available" in later.stderr


def test_without_tty_and_without_yes_it_stops_after_the_phase_with_exit_3(
    records_cli: RunRecords, server: RecordServer
) -> None:
    result = records_cli("run")
    assert result.code == 3, result
    assert "Stopped before phase 2" in result.stderr
    assert "orchestrate --state state.json run --yes" in result.stderr
    assert set(server.records) == {"rg", "vnet", "nsg-a", "nsg-b", "subnet-a", "subnet-b"}
    continued = records_cli("run", "--yes")
    assert continued.code == 0 and len(server.records) == 12


def _run_in_pty(
    workdir: Path,
    server: RecordServer,
    answer: str,
    args: tuple[str, ...] = ("run",),
    prompt: bytes = b"Continue with phase 2",
) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal, answer `answer` when `prompt` appears, return (exit code, screen)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        command(RECORD_CLI, ["--state", "state.json", *args]),
        cwd=workdir,
        env=cli_env({"RECORD_SERVER_URL": server.url}),
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    seen, answered = b"", False
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
        if not answered and prompt in seen:
            os.write(master, answer.encode() + b"\n")
            answered = True
    proc.wait(30)
    os.close(master)
    return proc.returncode, seen.decode(errors="replace")


def test_pty_answer_yes_continues(workdir: Path, server: RecordServer) -> None:
    code, screen = _run_in_pty(workdir, server, "y")
    assert code == 0, screen
    assert "Phase 1 (Network foundation) complete: 6 created" in screen
    assert "Phase 2 adds about $" in screen and "all phases together: $674.48/month" in screen
    assert len(server.records) == 12


def test_pty_answer_no_stops_with_exit_3(workdir: Path, server: RecordServer) -> None:
    code, screen = _run_in_pty(workdir, server, "n")
    assert code == 3, screen
    assert len(server.records) == 6


def test_a_second_process_on_the_same_state_exits_4_naming_the_holder(
    records_cli: RunRecords, server: RecordServer, workdir: Path
) -> None:
    server.write_delay_s = 0.5
    holder = subprocess.Popen(
        command(RECORD_CLI, ["--state", "state.json", "run", "--yes"]),
        cwd=workdir,
        env=cli_env({"RECORD_SERVER_URL": server.url}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while server.stats.writes + len(server.records) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        second = records_cli("run", "--yes")
        assert second.code == 4, second
        assert f"pid {holder.pid}" in second.stderr and os.uname().nodename in second.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_step_that_outlives_its_timeout_fails_and_blocks_nothing_else(
    records_cli: RunRecords, server: RecordServer
) -> None:
    result = records_cli(
        "--output",
        "json",
        "run",
        "--yes",
        env={"RECORD_WAIT_FOR": "never-appears", "RECORD_WAIT_TIMEOUT": "1.5"},
    )
    assert result.code == 1, result
    steps = {s["id"]: s for p in result.json["phases"] for s in p["steps"]}
    assert steps["p2/pool-b"]["status"] == "failed"
    assert "did not finish within its timeout" in steps["p2/pool-b"]["error"]
    assert steps["p2/pool-a"]["status"] == "done"
    again = records_cli("run", "--yes")  # the timed-out step is retried from the state, not duplicated
    assert again.code == 0
    assert server.stats.creates["pool-b"] == 1


def test_resume_with_nothing_interrupted_changes_nothing_and_says_what_is_missing(
    records_cli: RunRecords, server: RecordServer
) -> None:
    assert records_cli("run", "--phase", "1").code == 0
    server.reset_counts()
    result = records_cli("resume", "--yes")  # `run --phase 1` finished: nothing was interrupted
    assert result.code == 2, result.stderr  # but an automation must not read success: phase 2 is missing
    assert "incomplete" in result.stderr and "phase 2" in result.stderr and " run" in result.stderr
    assert server.stats.writes == 0 and "identity" not in server.records  # phase 2 was not started
    assert records_cli("run", "--yes").code == 0
    finished = records_cli("resume", "--yes")
    assert finished.code == 0 and "Nothing to resume" in finished.stderr


def test_destroy_asks_for_the_deployment_name_on_a_terminal(
    records_cli: RunRecords, server: RecordServer, workdir: Path
) -> None:
    assert records_cli("run", "--yes").code == 0
    code, screen = _run_in_pty(workdir, server, "aks-dem", ("destroy",), b"Type the deployment name")
    assert code == 3, screen
    assert "- p1/rg delete" in screen and len(server.records) == 12  # shown, and nothing deleted
    code, screen = _run_in_pty(workdir, server, "aks-demo", ("destroy",), b"Type the deployment name")
    assert code == 0, screen
    assert server.records == {}
