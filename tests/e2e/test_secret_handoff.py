"""A generated password, applied as a Kubernetes Secret with stringData and handed to other steps in
memory, never reaches the state file, the JSON output or the logs, and a re-run changes nothing."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import kubernetes
import pytest
import yaml

from tests.e2e.conftest import Workspace, steps_of
from tests.support.cli import CliResult, run_cli
from tests.support.secret_phase import NAMESPACE, SECRET

MODULE = "tests.support.secret_phase"

pytestmark = pytest.mark.slow


def _cli(ws: Workspace, *args: str) -> CliResult:
    return run_cli(["--cloud", "local", "-v", *args], cwd=ws.root, module=MODULE)


def _json(ws: Workspace, *args: str) -> tuple[dict, CliResult]:
    result = _cli(ws, "--output", "json", *args)
    assert result.stdout.strip(), result
    return result.json, result


def _core(ws: Workspace, cluster: str) -> kubernetes.client.CoreV1Api:
    config = yaml.safe_load((ws.root / "kube" / f"{cluster}.kubeconfig").read_text())
    return kubernetes.client.CoreV1Api(kubernetes.config.new_client_from_config_dict(config))


def _live(ws: Workspace, cluster: str) -> tuple[dict[str, str], dict[str, str]]:
    """The Secret's data (decoded) and the db-client ConfigMap's annotations, read out of band."""
    with ws.cloud():
        core = _core(ws, cluster)
        data = core.read_namespaced_secret(SECRET, NAMESPACE).data
        annotations = core.read_namespaced_config_map("db-client", NAMESPACE).metadata.annotations
    return {k: base64.b64decode(v).decode() for k, v in data.items()}, annotations


def _forms(value: str) -> set[str]:
    """The value, its base64 (standard and URL-safe, unpadded) and its base64 inside a longer run."""
    raw = value.encode()
    encoded = {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()}
    shifted = {base64.b64encode(b"x" * n + raw).decode()[4:-4] for n in (1, 2)}
    return {value} | {e.rstrip("=") for e in encoded} | shifted


def _leaks(value: str, texts: dict[str, str]) -> list[str]:
    return sorted({where for where, text in texts.items() for form in _forms(value) if form in text})


def _written_files(root: Path) -> dict[str, str]:
    """Every file the runs left in the workspace, except the local cloud's own store (the "cluster")."""
    cloud = root / ".orchestrate" / "local-cloud"
    return {
        str(p.relative_to(root)): p.read_text(errors="replace")
        for p in root.rglob("*")
        if p.is_file() and cloud not in p.parents
    }


def test_a_generated_secret_is_handed_over_in_memory_and_never_recorded(ws: Workspace) -> None:
    for phase in ("1", "2"):
        assert ws.cli("run", "--phase", phase, "--yes").code == 0
    assert ws.cli("kubeconfig", "--dir", "kube").code == 0

    first, first_run = _json(ws, "run", "--phase", "3", "--yes")
    assert first["exit_code"] == 0, first_run
    second, second_run = _json(ws, "run", "--phase", "4", "--yes")  # another process: read back
    assert second["exit_code"] == 0, second_run

    mgmt, mgmt_notes = _live(ws, "aks-mgmt")
    app1, app1_notes = _live(ws, "aks-app1")
    password = mgmt["password"]
    assert len(password) >= 40 and mgmt["username"] == "app"
    assert app1 == mgmt  # handed from aks-mgmt to aks-app1 without going through the state
    digest = "sha256:" + hashlib.sha256(password.encode()).hexdigest()
    assert mgmt_notes["checksum/db-password"] == digest == app1_notes["checksum/db-password"]
    created = steps_of(first)["p3/db-secret/aks-mgmt"]["changes"]
    assert {"data.username", "data.password"} <= set(created) and not any("stringData" in c for c in created)

    outputs = {
        "run 3 stdout": first_run.stdout,
        "run 3 stderr": first_run.stderr,
        "run 4 stdout": second_run.stdout,
        "run 4 stderr": second_run.stderr,
    }
    assert _leaks(password, {**outputs, **_written_files(ws.root)}) == []

    for phase in ("3", "4"):
        again, again_run = _json(ws, "run", "--phase", phase, "--yes")
        assert again["exit_code"] == 0, again_run
        assert again["api_requests"]["kubernetes"]["write"] == 0, again_run
        assert {s["action"] for s in steps_of(again).values()} == {"noop"}, again_run
    assert _live(ws, "aks-mgmt")[0]["password"] == password  # generated once, then reused

    edited = "edited-by-hand-1234"
    with ws.cloud():
        patch = {"data": {"username": base64.b64encode(edited.encode()).decode()}}
        _core(ws, "aks-mgmt").patch_namespaced_secret(SECRET, NAMESPACE, patch)
    plan = _cli(ws, "plan", "--phase", "3")
    assert plan.code == 0, plan
    assert "data.username: (sensitive) -> (sensitive, changed)" in plan.stdout, plan
    plan_json, plan_json_run = _json(ws, "plan", "--phase", "3")
    drift = {sid: s["changes"] for sid, s in steps_of(plan_json).items() if s["action"] != "noop"}
    assert drift == {"p3/db-secret/aks-mgmt": ["data.username"]}
    shown = {"plan": plan.stdout + plan.stderr, "plan json": plan_json_run.stdout + plan_json_run.stderr}
    assert _leaks(password, shown) == [] and _leaks(edited, shown) == []
    assert _leaks(password, _written_files(ws.root)) == []

    with ws.cloud():
        _core(ws, "aks-mgmt").delete_namespaced_secret(SECRET, NAMESPACE)
    regenerated, regenerated_run = _json(ws, "run", "--phase", "3", "--yes")  # absent: a new value
    assert regenerated["exit_code"] == 0, regenerated_run
    new_password = _live(ws, "aks-mgmt")[0]["password"]
    assert new_password != password
    follow = _cli(ws, "plan", "--phase", "4")  # aks-app1 still has the old copy
    assert "data.password: (sensitive) -> (sensitive, changed)" in follow.stdout, follow
    assert "p4/db-client/aks-app1 update (metadata.annotations.checksum/db-password)" in follow.stdout
    texts = {"run": regenerated_run.stdout + regenerated_run.stderr, "plan": follow.stdout + follow.stderr}
    assert _leaks(new_password, {**texts, **_written_files(ws.root)}) == []
