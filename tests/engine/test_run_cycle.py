"""run, re-run, plan, dry-run and destroy through the CLI, counted by the record server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.engine.conftest import RunRecords
from tests.support.record_server import RecordServer

PHASE1 = ["p1/rg", "p1/vnet", "p1/nsg-a", "p1/nsg-b", "p1/subnet-a", "p1/subnet-b"]
PHASE2 = ["p2/identity", "p2/role", "p2/cluster-a", "p2/cluster-b", "p2/pool-a", "p2/pool-b"]


def _steps(doc: dict) -> dict[str, dict]:
    return {s["id"]: s for p in doc["phases"] for s in p["steps"]}


def test_run_creates_everything_then_rerun_is_all_noop_with_zero_writes(
    records_cli: RunRecords, server: RecordServer
) -> None:
    first = records_cli("--output", "json", "run", "--yes")
    assert first.code == 0, first
    doc = first.json
    assert doc["command"] == "run" and doc["exit_code"] == 0
    assert [p["status"] for p in doc["phases"]] == ["done", "done"]
    assert {s["action"] for s in _steps(doc).values()} == {"create"}
    assert doc["changes"] == {"create": 12, "update": 0, "delete": 0, "replace": 0, "noop": 0}
    assert set(server.records) == {s.split("/")[1] for s in PHASE1 + PHASE2}
    assert all(count == 1 for count in server.stats.creates.values())

    server.reset_counts()
    again = records_cli("--output", "json", "run", "--yes")
    assert again.code == 0, again
    assert server.stats.writes == 0
    assert {s["action"] for s in _steps(again.json).values()} == {"noop"}
    assert again.json["changes"]["noop"] == 12


def test_plan_and_dry_run_make_no_writes_and_show_fields(
    records_cli: RunRecords, server: RecordServer, workdir: Path
) -> None:
    plan = records_cli("--output", "json", "plan")
    assert plan.code == 0, plan
    steps = _steps(plan.json)
    assert steps["p1/vnet"]["action"] == "create"
    assert "data.cidr" in steps["p1/vnet"]["changes"]
    dry = records_cli("--output", "json", "run", "--dry-run", "--yes")
    assert dry.code == 0, dry
    assert server.stats.writes == 0 and server.records == {}
    assert not (workdir / "state.json").exists()  # planning writes no state either


def test_drift_shows_as_exactly_the_changed_field_and_server_owned_fields_never_do(
    records_cli: RunRecords, server: RecordServer
) -> None:
    assert records_cli("run", "--yes").code == 0
    server.records["nsg-a"]["data"]["rules"] = 99  # changed out of band
    server.records["vnet"]["revision"] = 42  # a server-owned field moves on its own
    plan = records_cli("--output", "json", "plan")
    changed = {sid: s for sid, s in _steps(plan.json).items() if s["action"] != "noop"}
    assert list(changed) == ["p1/nsg-a"]
    assert changed["p1/nsg-a"]["changes"] == ["data.rules"]
    server.reset_counts()
    fix = records_cli("--output", "json", "run", "--phase", "1")
    assert fix.code == 0, fix
    assert server.stats.writes == 1 and server.records["nsg-a"]["data"]["rules"] == 3


def test_independent_steps_run_concurrently(records_cli: RunRecords, server: RecordServer) -> None:
    server.write_delay_s = 0.3
    assert records_cli("run", "--phase", "1").code == 0
    assert server.stats.max_in_flight >= 2  # vnet, nsg-a and nsg-b only need the resource group


def test_destroy_reverse_dependency_order_and_never_deletes_what_it_does_not_own(
    records_cli: RunRecords, server: RecordServer
) -> None:
    assert records_cli("run", "--yes").code == 0
    server.records["pool-b"]["tags"] = {"orchestrate-deployment": "someone-else"}
    result = records_cli("--output", "json", "destroy", "--yes")
    assert result.code == 0, result
    deleted = server.stats.deletes
    assert "pool-b" not in deleted and "pool-b" in server.records
    order = {name: i for i, name in enumerate(deleted)}
    assert order["pool-a"] < order["cluster-a"] < order["role"] < order["identity"] < order["rg"]
    assert order["subnet-a"] < order["vnet"] and order["subnet-a"] < order["nsg-a"]
    assert max(order[s.split("/")[1]] for s in PHASE2 if s != "p2/pool-b") < min(
        order[s.split("/")[1]] for s in PHASE1
    )
    pool_b = _steps(result.json)["p2/pool-b"]
    assert pool_b["action"] == "noop"


def test_destroy_dry_run_deletes_nothing(records_cli: RunRecords, server: RecordServer) -> None:
    assert records_cli("run", "--yes").code == 0
    server.reset_counts()
    result = records_cli("--output", "json", "destroy", "--dry-run")
    assert result.code == 0
    assert server.stats.writes == 0
    assert {s["action"] for s in _steps(result.json).values()} == {"delete"}


def test_status_reads_the_state_file_only(
    records_cli: RunRecords, server: RecordServer, workdir: Path
) -> None:
    assert records_cli("run", "--phase", "1").code == 0
    server.reset_counts()
    status = records_cli("--output", "json", "status")
    assert status.code == 0, status
    assert server.stats.reads == 0
    phases = {p["number"]: p for p in status.json["phases"]}
    assert phases[1]["status"] == "done" and phases[2]["status"] == "pending"
    assert len(phases[1]["steps"]) == 6
    json.loads((workdir / "state.json").read_text())


def test_the_json_document_has_every_key_scripts_rely_on(records_cli: RunRecords) -> None:
    doc = records_cli("--output", "json", "run", "--phase", "1").json
    assert set(doc) >= {
        "command",
        "deployment",
        "phases",
        "changes",
        "api_requests",
        "duration_s",
        "exit_code",
    }
    phase = doc["phases"][0]
    assert set(phase) == {"number", "name", "status", "steps"}
    assert set(phase["steps"][0]) >= {"id", "action", "status", "duration_s", "changes"}
    assert set(doc["changes"]) == {"create", "update", "delete", "replace", "noop"}
    assert doc["api_requests"] == {"azure": {"read": 0, "write": 0}, "kubernetes": {"read": 0, "write": 0}}
