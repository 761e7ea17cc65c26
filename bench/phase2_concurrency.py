"""Phase 2's wall time over its critical path at several cluster counts, on the local cloud, with the
local cloud's ARM token buckets on; plus requests per managed resource, peak memory and 429s.

Phase 2's critical path is one cluster's chain of long-running operations: its control plane (the
emulator models ~6 min) and then its Spot pool (~3 min), scaled by the local cloud's time scale (the
identity and its role are synchronous). The clusters build concurrently, so phase 2 should take about
that long however many clusters there are: the ratio is phase 2's wall time (the CLI's `duration_s`,
preflight included) over that path; 1.0 is perfect overlap. Target: <= 1.1 at every size.

Also per size: Azure requests per managed resource (one step = one resource) on the first run of
phases 1-2 and on a no-op re-run (target <= 1 read per resource, 0 writes); the peak RSS of the
phase-2 process (it hosts the local cloud too); and the requests the local cloud throttled (429) over
all runs, with ARM's documented buckets on (reads 250 + 25/s, writes and deletes 200 + 10/s).

Run: `.venv/bin/python bench/phase2_concurrency.py [--clusters 3 10 20] [--time-scale 0.05]`
(`--no-arm-buckets` turns the local cloud's throttling off).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.topology import scale_quotas, scaled_config  # noqa: E402
from emulator import Settings  # noqa: E402
from emulator.arm.counters import read_request_log  # noqa: E402
from emulator.arm.providers.durations import duration  # noqa: E402
from emulator.settings import DEFAULT_RATE_LIMITS  # noqa: E402

TARGET_RATIO = 1.1


@dataclass
class Run:
    doc: dict[str, Any]
    peak_rss_mb: float

    @property
    def requests(self) -> dict[str, int]:
        return dict(self.doc["api_requests"]["azure"])

    @property
    def resources(self) -> int:
        return sum(len(p["steps"]) for p in self.doc["phases"])


def orchestrate(cwd: Path, *args: str) -> Run:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-c", "from orchestrator.cli import main; main()", "--cloud", "local"]
    with open(cwd / "stderr.log", "a") as err:
        proc = subprocess.Popen(
            [*cmd, "--output", "json", *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=err, text=True
        )
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"orchestrate {' '.join(args)} failed:\n{(cwd / 'stderr.log').read_text()[-3000:]}")
    return Run(json.loads(out), usage.ru_maxrss / 1024)


def critical_path(scale: float) -> float:
    return (
        duration("Microsoft.ContainerService/managedClusters")
        + duration("Microsoft.ContainerService/managedClusters/agentPools")
    ) * scale


def measure(clusters: int, scale: float, buckets: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "deployment.yaml").write_text(scaled_config(clusters))
        cloud_dir = root / ".orchestrate" / "local-cloud"
        limits = DEFAULT_RATE_LIMITS if buckets else {}

        def cloud(time_scale: float) -> None:
            Settings(
                time_scale=time_scale, quotas=scale_quotas(clusters), rate_limits=limits, request_log=True
            ).save(cloud_dir)

        cloud(0.0)
        phase1 = orchestrate(root, "run", "--phase", "1", "--yes")
        cloud(scale)
        phase2 = orchestrate(root, "run", "--phase", "2", "--yes")
        rerun = orchestrate(root, "run", "--yes")
        throttled = sum(1 for r in read_request_log(cloud_dir) if r["outcome"] == "429")
    resources = phase1.resources + phase2.resources
    first = {k: phase1.requests[k] + phase2.requests[k] for k in ("read", "write")}
    wall = float(phase2.doc["duration_s"])
    return {
        "clusters": clusters,
        "resources": resources,
        "phase2_wall_s": round(wall, 2),
        "critical_path_s": round(critical_path(scale), 2),
        "ratio": round(wall / critical_path(scale), 3),
        "first_run_per_resource": {k: round(v / resources, 2) for k, v in first.items()},
        "rerun_per_resource": {k: round(v / resources, 2) for k, v in rerun.requests.items()},
        "rerun_changes": rerun.doc["changes"],
        "peak_rss_mb": round(max(phase1.peak_rss_mb, phase2.peak_rss_mb, rerun.peak_rss_mb), 1),
        "throttled_429": throttled,
    }


def _line(row: dict[str, Any]) -> str:
    first, again = row["first_run_per_resource"], row["rerun_per_resource"]
    return (
        f"{row['clusters']:>3} clusters ({row['resources']} resources): phase 2 {row['phase2_wall_s']:.1f}s"
        f" / path {row['critical_path_s']:.1f}s = {row['ratio']:.2f}"
        f" | per resource: first run {first['read']:.2f} reads + {first['write']:.2f} writes,"
        f" re-run {again['read']:.2f} reads + {again['write']:.2f} writes"
        f" | peak RSS {row['peak_rss_mb']:.0f} MB | 429s {row['throttled_429']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, nargs="+", default=[3, 10, 20])
    parser.add_argument("--time-scale", type=float, default=0.05)
    parser.add_argument("--no-arm-buckets", action="store_true", help="turn the local cloud's 429s off")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    rows = []
    for n in args.clusters:
        rows.append(measure(n, args.time_scale, buckets=not args.no_arm_buckets))
        print(_line(rows[-1]), flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
    ok = all(
        r["ratio"] <= TARGET_RATIO and r["throttled_429"] == 0 and r["rerun_per_resource"]["read"] <= 1.0
        for r in rows
    )
    print(
        f"time scale {args.time_scale}; targets: ratio <= {TARGET_RATIO}, 0 throttled, <= 1 read per resource"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
