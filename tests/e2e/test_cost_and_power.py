"""`orchestrate cost` as scripts read it, and stop/start end to end against the local cloud."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.cost.test_cost_doc import marked
from tests.cost.test_cost_refresh import Api, base_url
from tests.e2e.conftest import Workspace, steps_of
from tests.support.cli import run_cli

CLUSTERS = ("aks-mgmt", "aks-app1", "aks-app2")


def test_cost_json_has_the_documented_shape_and_the_docs_total(ws: Workspace) -> None:
    result = ws.cli("--output", "json", "cost")
    assert result.code == 0, result
    doc = result.json
    assert (doc["currency"], doc["hours_per_month"]) == ("USD", 730)
    item_keys = {"resource", "cluster", "phase", "sku", "quantity", "unit_price", "monthly"}
    assert doc["demo"]["items"] and all(item_keys <= set(item) for item in doc["demo"]["items"])
    assert {"change", "monthly"} <= set(doc["production_deltas"][0])
    total = Decimal(marked(r"\*\*시연 환경 월 합계: \$([0-9,]+\.[0-9]{2})\*\*").replace(",", ""))
    assert Decimal(str(doc["demo"]["monthly_total"])) == total
    budget = doc["budget"]
    assert budget["monthly_budget"] == 80
    assert isinstance(budget["hours_per_month_within_budget"], int)
    if budget["schedule"] is None:  # the seed with Cluster Mesh: the stopped floor alone is over $80
        assert budget["hours_per_month_within_budget"] == 0 and budget["stopped_monthly"] > 80
    else:
        assert budget["schedule"]["hours_per_month"] <= budget["hours_per_month_within_budget"]
        assert budget["schedule"]["monthly"] <= 80


def test_plan_warns_when_over_budget_and_strict_budget_refuses_with_the_levers(ws: Workspace) -> None:
    relaxed = ws.cli("plan")
    assert relaxed.code == 0 and "$674.48" in relaxed.stderr
    strict = ws.cli("plan", "--strict-budget")
    assert strict.code == 2
    assert "error: budget.monthly_usd" in strict.stderr and "lever: single-cluster" in strict.stderr


def test_stop_and_start_every_cluster_and_record_it(ws: Workspace) -> None:
    for phase in ("1", "2"):
        assert ws.cli("run", "--phase", phase, "--yes").code == 0
    stopped = ws.json("stop")
    assert stopped["exit_code"] == 0, stopped
    assert {s["action"] for s in steps_of(stopped).values()} == {"update"}
    with ws.cloud() as az:
        ops = az.containerservice().managed_clusters
        assert {ops.get("rg-aks-demo-aks", c).power_state.code for c in CLUSTERS} == {"Stopped"}
    assert json.loads(ws.state_path.read_text())["clusters_power"] == dict.fromkeys(CLUSTERS, "Stopped")

    again = ws.json("stop")
    assert again["api_requests"]["azure"]["write"] == 0 and again["changes"]["noop"] == 3
    plan = steps_of(ws.json("plan"))
    built = [s for sid, s in plan.items() if sid.startswith(("p1/", "p2/"))]
    assert {s["action"] for s in built} == {"noop"}  # power is not drift
    cilium = plan["p3/cilium/aks-app1"]  # its Kubernetes API is not asked: the plan says why at once
    assert (
        cilium["status"] == "failed"
        and "is stopped" in cilium["error"]
        and "orchestrate start" in cilium["error"]
    )

    started = ws.json("start")
    assert started["exit_code"] == 0 and started["changes"]["update"] == 3
    with ws.cloud() as az:
        ops = az.containerservice().managed_clusters
        assert {ops.get("rg-aks-demo-aks", c).power_state.code for c in CLUSTERS} == {"Running"}


def test_stop_before_the_clusters_exist_is_bad_input(ws: Workspace) -> None:
    result = ws.cli("stop")
    assert result.code == 2 and "phase 2 (AKS cluster provisioning) is not complete" in result.stderr


def test_cost_refresh_through_the_cli_saves_next_to_the_state(ws: Workspace, api: Api) -> None:
    result = run_cli(["cost", "--refresh"], cwd=ws.root, env={"ORCHESTRATE_RETAIL_PRICES_URL": base_url(api)})
    assert result.code == 0, result
    saved = ws.root / ".orchestrate" / "prices.json"
    assert saved.exists() and f"Prices refreshed into {saved.relative_to(ws.root)}" in " ".join(
        result.stderr.split()
    )
    assert json.loads(saved.read_text())["prices"]
    again = ws.cli("--output", "json", "cost")  # the refreshed table is the one used from now on
    assert again.code == 0 and again.json["demo"]["monthly_total"] > 0


def test_plan_reports_the_monthly_estimate_and_how_this_change_moves_it(ws: Workspace) -> None:
    first = ws.json("plan")
    assert first["cost"]["before_monthly"] == 0 and first["cost"]["after_monthly"] == 674.48
    assert first["budget"]["ok"] is False and first["budget"]["levers"]
    for phase in ("1", "2"):
        assert ws.cli("run", "--phase", phase, "--yes").code == 0
    ws.write_config(
        lambda text: text.replace("monthly_usd: 80.0", "monthly_usd: 800.0").replace(
            "sku_tier: Free", "sku_tier: Standard", 1
        )
    )
    moved = ws.json("plan")
    assert moved["cost"]["before_monthly"] == 674.48
    assert moved["cost"]["after_monthly"] == 747.48  # aks-mgmt on the Standard tier: $0.10 x 730 h
    assert moved["budget"]["ok"] is True
    changed = [s for sid, s in steps_of(moved).items() if s["action"] != "noop" and not sid.startswith("p3/")]
    assert [s["changes"] for s in changed] == [["sku.tier"]]  # phase 3 is not built here: all creates
