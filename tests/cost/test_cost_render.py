from __future__ import annotations

import json

from rich.console import Console

from orchestrator.config.model import Deployment
from orchestrator.cost import (
    budget_check,
    cost_to_json,
    delta_to_json,
    estimate,
    estimate_delta,
    render_cost_text,
    render_delta_text,
    render_verdict_text,
    verdict_to_json,
)
from orchestrator.cost.prices import PriceTable

ITEM_KEYS = {"resource", "cluster", "phase", "sku", "quantity", "unit_price", "monthly"}


def test_json_has_the_documented_shape(seed_without_mesh: Deployment, prices: PriceTable) -> None:
    config = seed_without_mesh  # a stopped floor under $80, so a schedule to render
    doc = json.loads(json.dumps(cost_to_json(estimate(config, prices))))
    assert doc["currency"] == "USD" and doc["hours_per_month"] == 730
    assert doc["demo"]["monthly_total"] == 619.73
    assert all(set(item) >= ITEM_KEYS for item in doc["demo"]["items"])
    assert round(sum(item["monthly"] for item in doc["demo"]["items"]), 2) == 619.73
    assert all({"change", "monthly"} <= set(row) for row in doc["production_deltas"])
    budget = doc["budget"]
    assert {"monthly_budget", "always_on_total", "hours_per_month_within_budget", "schedule"} <= set(budget)
    assert budget["monthly_budget"] == 80.0 and budget["hours_per_month_within_budget"] == 12
    assert budget["schedule"]["label"] == "Wed 09:00-11:00 KST"


def test_text_goes_to_the_given_console(seed_without_mesh: Deployment, prices: PriceTable) -> None:
    config = seed_without_mesh  # a stopped floor under $80, so a schedule to render
    console = Console(record=True, width=220)
    render_cost_text(estimate(config, prices), console)
    text = console.export_text()
    assert "$619.73" in text and "Wed 09:00-11:00 KST" in text and "Tier 1 on On-Demand" in text


def test_delta_and_verdict_render(seed_without_mesh: Deployment, prices: PriceTable) -> None:
    config = seed_without_mesh  # a stopped floor under $80, so a schedule to render
    console = Console(record=True, width=200)
    delta = estimate_delta(None, config, prices)
    verdict = budget_check(config, prices)
    render_delta_text(delta, console)
    render_verdict_text(verdict, console)
    text = console.export_text()
    assert "$0.00 -> $619.73 (+$619.73)" in text
    assert "log-analytics-free-grant" in text
    assert delta_to_json(delta)["delta_monthly"] == 619.73
    assert verdict_to_json(verdict)["gap"] == 539.73


def test_text_without_hours_in_budget_says_what_fits(config: Deployment, prices: PriceTable) -> None:
    # the seed with Cluster Mesh: the stopped floor ($128.80) alone is over $80
    console = Console(record=True, width=220)
    render_cost_text(estimate(config, prices), console)
    text = console.export_text()
    assert "$674.48" in text and "$128.80" in text
