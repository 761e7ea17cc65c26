"""Twenty clusters on the local cloud with ARM's token buckets on: the run never provokes a 429, and a
plan right after it is a no-op. Kept fast by the local cloud's time scale (0.01: a cluster takes ~4 s)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.topology import scale_quotas, scaled_config
from emulator.arm.counters import read_request_log
from emulator.settings import DEFAULT_RATE_LIMITS
from tests.e2e.conftest import Workspace, steps_of

CLUSTERS = 20


@pytest.mark.slow
def test_twenty_clusters_with_arm_throttling_on_never_get_a_429_and_replan_as_noop(ws: Workspace) -> None:
    ws.write_config(lambda _: scaled_config(CLUSTERS))
    ws.settings(
        time_scale=0.01, quotas=scale_quotas(CLUSTERS), rate_limits=DEFAULT_RATE_LIMITS, request_log=True
    )
    steps: dict[str, Any] = {}
    for phase in ("1", "2"):  # the ARM phases: the scale this test measures
        run = ws.json("run", "--phase", phase, "--yes")
        assert run.get("exit_code") == 0, run
        steps |= steps_of(run)
    assert sum(1 for sid in steps if sid.startswith("p2/cluster/")) == CLUSTERS
    assert {s["status"] for s in steps.values()} == {"done"}

    plan = ws.json("plan", "--phase", "2")
    assert plan.get("exit_code") == 0, plan
    assert {s["action"] for s in steps_of(plan).values()} == {"noop"}
    assert plan["api_requests"]["azure"]["write"] == 0
    assert plan["api_requests"]["azure"]["read"] <= len(steps_of(plan)) + 10  # one per resource + preflight

    log = read_request_log(ws.cloud_dir)
    throttled = [r for r in log if r["outcome"] == "429"]
    assert not throttled, f"{len(throttled)} of {len(log)} requests were throttled: {throttled[:3]}"
