"""Phase 2's wall time against one cluster's modelled build time, on the local cloud.

The three clusters build concurrently, so phase 2 should take about as long as one cluster: its
control plane (the emulator models ~6 min) and then its Spot pool (~3 min), scaled by the local
cloud's time scale. The figure is the ratio of phase 2's wall time to that longest single-cluster
time; 1.0 is perfect overlap, 3.0 would be fully serial. Target: under 1.2.

Run: `.venv/bin/python bench/phase2_concurrency.py [--time-scale 0.05]` (the fixed cost of starting
the CLI and its preflight, about 1 s, weighs less as the scale grows).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from emulator import Settings
from emulator.arm.providers.durations import duration
from orchestrator.config.template import render_default_config

REPO = Path(__file__).resolve().parents[1]


def orchestrate(cwd: Path, *args: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [
        sys.executable,
        "-c",
        "from orchestrator.cli import main; main()",
        "--cloud",
        "local",
        "--output",
        "json",
        *args,
    ]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"orchestrate {' '.join(args)} failed:\n{proc.stderr}")
    return dict(json.loads(proc.stdout))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-scale", type=float, default=0.05)
    scale = parser.parse_args().time_scale
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "deployment.yaml").write_text(render_default_config())
        cloud_dir = root / ".orchestrate" / "local-cloud"
        Settings(time_scale=0.0, quotas={"lowPriorityCores": 16}).save(cloud_dir)
        orchestrate(root, "run", "--phase", "1", "--yes")
        Settings(time_scale=scale, quotas={"lowPriorityCores": 16}).save(cloud_dir)
        phase2 = orchestrate(root, "run", "--phase", "2", "--yes")
    wall = float(phase2["duration_s"])  # type: ignore[arg-type]
    one_cluster = (
        duration("Microsoft.ContainerService/managedClusters")
        + duration("Microsoft.ContainerService/managedClusters/agentPools")
    ) * scale
    print(f"time scale {scale}: one cluster modelled {one_cluster:.1f}s (control plane + Spot pool)")
    print(f"phase 2 wall time for 3 clusters: {wall:.1f}s")
    print(f"ratio: {wall / one_cluster:.2f} (target < 1.2; 3.0 = serial)")
    return 0 if wall / one_cluster < 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
