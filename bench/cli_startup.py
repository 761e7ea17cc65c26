"""Median wall time of `orchestrate --help` and `orchestrate status` over 10 runs each.

Both must stay under 0.5 s on the 2-core machine, which is why the Azure SDK and the kubernetes
client are imported only when a command needs them. Run: `make bench` or
`.venv/bin/python bench/cli_startup.py`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 10
LIMIT_S = 0.5
ORCHESTRATE = Path(sys.executable).with_name("orchestrate")


def median_seconds(args: list[str], cwd: Path) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([str(ORCHESTRATE), *args], cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        subprocess.run([str(ORCHESTRATE), "init"], cwd=cwd, check=True, capture_output=True)
        results = {cmd: median_seconds(cmd.split(), cwd) for cmd in ("--help", "status")}
    print(f"{'command':<24}{'median of ' + str(RUNS):>14}{'limit':>8}")
    for cmd, seconds in results.items():
        verdict = "ok" if seconds < LIMIT_S else "TOO SLOW"
        print(f"orchestrate {cmd:<12}{seconds:>13.3f}s{LIMIT_S:>7.1f}s  {verdict}")
    print(f"cores: {os.cpu_count()}")
    return 0 if all(s < LIMIT_S for s in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
