"""Phase 3's wall time against its critical path, and Kubernetes reads per managed object on a no-op
re-run, on the local cloud (seed topology, three clusters).

- Critical path: the longest chain of phase-3 steps by dependency, each weighted by the duration the
  run reported for it (`steps[].duration_s`). The clusters install side by side, so the wall time
  (the CLI's `duration_s`, preflight and render included) should be close to it: ratio 1.0 is perfect
  overlap, target <= 1.3 (the local cloud's controllers run between requests).
- Reads per managed object: Kubernetes read requests of a second `run --phase 3` (no change) over the
  objects phase 3 manages (every object of every release and kustomization, the CA Secrets, the probe
  Job). Target <= 1 (aim of issue 11); the verification steps' reads count too.

- With `--kube-faults RATE`, a third run of phase 3 (destroyed first, then built again) has that share
  of Kubernetes requests fail (503, 500, 504, 429 in equal parts): its wall time against the clean
  run's, and how many faults it absorbed.

Run: `.venv/bin/python bench/phase3.py [--time-scale 0] [--kube-faults 0.05]`. Needs helm and kubectl in .venv/bin
(`python tools/install_kube_clients.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from orchestrator.config.model import Deployment  # noqa: E402
from steps.phase3 import phase3_steps  # noqa: E402
from tests.e2e.conftest import Workspace  # noqa: E402


def cli(root: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", "from orchestrator.cli import main; main()", "--cloud", "local", "--output", "json", *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    if not done.stdout.strip():
        raise SystemExit(f"{' '.join(args)} printed nothing: {done.stderr[-2000:]}")
    doc: dict[str, Any] = json.loads(done.stdout)
    if doc.get("exit_code") != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    return doc


def critical_path(run: dict[str, Any]) -> tuple[float, list[str]]:
    took = {s["id"]: float(s.get("duration_s") or 0.0) for p in run["phases"] for s in p["steps"]}
    deps: dict[str, list[str]] = {
        str(s.id): [str(d) for d in s.depends_on if d in took] for s in phase3_steps(Deployment())
    }
    memo: dict[str, tuple[float, list[str]]] = {}

    def longest(step: str) -> tuple[float, list[str]]:
        if step not in memo:
            before = max((longest(d) for d in deps.get(step, [])), default=(0.0, []))
            memo[step] = (before[0] + took.get(step, 0.0), [*before[1], step])
        return memo[step]

    return max((longest(s) for s in deps), default=(0.0, []))


def managed_objects(state: dict[str, Any]) -> int:
    count = 0
    for step_id, step in state["steps"].items():
        if not step_id.startswith("p3/"):
            continue
        outputs = step.get("outputs") or {}
        if isinstance(outputs.get("objects"), int):
            count += outputs["objects"]  # a release or kustomization
        elif step_id.startswith(("p3/cilium-ca/", "p3/verify/mesh-probe/")):
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=0.0)
    parser.add_argument("--kube-faults", type=float, default=0.0, help="share of Kubernetes requests failing")
    args = parser.parse_args()
    faulted: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp))
        ws.write_config()
        ws.settings(time_scale=args.time_scale)
        for phase in ("1", "2"):
            cli(ws.root, "run", "--phase", phase, "--yes")
        first = cli(ws.root, "run", "--phase", "3", "--yes")
        again = cli(ws.root, "run", "--phase", "3", "--yes")
        state = json.loads(ws.state_path.read_text())
        if args.kube_faults:
            faulted = faulted_run(ws, args.kube_faults)
    path, chain = critical_path(first)
    wall = float(first["duration_s"])
    objects = managed_objects(state)
    reads = again["api_requests"]["kubernetes"]["read"]
    writes = again["api_requests"]["kubernetes"]["write"] + again["api_requests"]["azure"]["write"]
    print(f"phase 3 wall time       {wall:8.2f} s")
    print(f"critical path           {path:8.2f} s  ({' -> '.join(chain)})")
    print(f"wall / critical path    {wall / path if path else float('nan'):8.2f}  (target <= 1.3)")
    print(f"managed objects         {objects:8d}")
    print(f"no-op re-run            {reads:8d} Kubernetes reads, {writes} writes")
    print(f"reads per object        {reads / objects if objects else float('nan'):8.2f}  (aim <= 1)")
    if faulted is not None:
        ratio = float(faulted["duration_s"]) / wall if wall else float("nan")
        print(
            f"with {args.kube_faults:.0%} API faults     {float(faulted['duration_s']):8.2f} s  ({ratio:.2f} x clean)"
        )
        print(f"faults absorbed         {faulted['_faults']:8d}  (exit {faulted['exit_code']})")


def faulted_run(ws: Workspace, rate: float) -> dict[str, Any]:
    from emulator.arm.counters import read_request_log
    from emulator.arm.providers.aks_kube import KUBE_FAULT_LOG
    from emulator.settings import KubeFaultRule

    cli(ws.root, "destroy", "--phase", "3", "--yes")
    rules = tuple(KubeFaultRule(status=s, rate=rate / 4, retry_after=0) for s in (503, 500, 504, 429))
    ws.settings(kube_faults=rules, request_log=True)
    run = cli(ws.root, "run", "--phase", "3", "--yes")
    ws.settings(kube_faults=())
    run["_faults"] = sum(1 for r in read_request_log(ws.cloud_dir) if r["type"] == KUBE_FAULT_LOG)
    return run


if __name__ == "__main__":
    main()
