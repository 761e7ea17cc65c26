"""Every command with --output json through the local cloud, typed as `az` and `kubectl` users type
options (after the command): each prints exactly one JSON document whose exit_code is the process's."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Workspace
from tests.support.cli import run_cli


def _json(ws: Workspace, *args: str, code: int = 0) -> dict[str, Any]:
    result = run_cli([*args, "--cloud", "local", "--output", "json"], cwd=ws.root, timeout=300)
    assert result.code == code, result
    document = json.loads(result.stdout)  # exactly one document: json.loads refuses anything more
    assert document["exit_code"] == code and document["command"] == args[0], document
    return document


def test_every_command_prints_one_json_document_with_the_options_after_it(ws: Workspace) -> None:
    assert _json(ws, "init", "--config", "other.yaml")["config"] == "other.yaml"
    assert _json(ws, "cost")["demo"]["monthly_total"] > 0
    assert _json(ws, "status")["phases"] == []
    assert [p["number"] for p in _json(ws, "plan", "--phase", "1")["phases"]] == [1]
    built = run_cli(["run", "--phase", "1", "--cloud", "local", "--yes"], cwd=ws.root, timeout=300)
    assert built.code == 0, built  # the line as a user types it
    assert _json(ws, "run", "--phase", "2", "--yes")["phases"][0]["status"] == "done"
    assert [p["status"] for p in _json(ws, "status")["phases"][:2]] == ["done", "done"]
    kube = _json(ws, "kubeconfig", "--dir", "kube")
    assert kube["contexts"] == ["aks-mgmt", "aks-app1", "aks-app2"] and len(kube["files"]) == 3
    assert _json(ws, "kubeconfig", code=2)["error"] == "UsageError"  # neither --dir nor --merge
    assert _json(ws, "stop")["changes"]["update"] == 3
    assert _json(ws, "start")["changes"]["update"] == 3
    assert "incomplete" in _json(ws, "resume", code=2)["messages"][0]  # phase 3 was not built
    assert "run `orchestrate run` first" in _json(ws, "verify", code=2)["messages"][0]  # nothing to verify
    assert "has not been run" in _json(ws, "verify", "--phase", "3", code=2)["messages"][0]
    assert "has no checks" in _json(ws, "verify", "--phase", "1", code=2)["messages"][0]
    preview = _json(ws, "destroy", "--dry-run")
    assert [p["number"] for p in preview["phases"]] == [3, 2, 1]
    assert _json(ws, "destroy", "--yes")["changes"]["delete"] > 0
