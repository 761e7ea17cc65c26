"""The cost model (issue 5): a dated, sourced price table, an estimator that prices a `Deployment`
per resource / cluster / phase, the hours-per-month budget mode, and a refresh from the public Azure
Retail Prices API.

Public API (money is `decimal.Decimal` rounded half-up to cents per line item; totals are sums of the
rounded items; a month is `PriceTable.hours_per_month` = 730 hours):

    load_prices(path: Path | None = None) -> PriceTable
        The shipped table (orchestrator/cost/prices.json) or the one at `path`
        (e.g. a refreshed copy under .orchestrate/).
    save_prices(table: PriceTable, path: Path) -> None
        Atomic write (temp file, fsync, rename). Do not write into the installed package.
    estimate(config: Deployment, prices: PriceTable | None = None) -> CostReport
        .demo: DemoEstimate(monthly_total, monthly_min, monthly_max, stopped_monthly, items)
        .production_deltas: tuple[ProductionDelta(change, monthly, cluster, seed_estimate, how)]
        .budget: BudgetMode(monthly_budget, always_on_total, stopped_monthly,
                            hours_per_month_within_budget, schedule: Schedule | None)
        .assumptions: dict[str, str]; .warnings: tuple[str, ...]
    estimate_delta(before: Deployment | None, after: Deployment, prices: PriceTable | None = None)
        -> CostDelta(before_total, after_total, items: tuple[ItemDelta]) with .delta  (for `plan`)
    budget_check(config: Deployment, prices: PriceTable | None = None)
        -> BudgetVerdict(ok, strict, always_on, budget, hours_within_budget, levers: tuple[Lever])
        Lever(name, monthly_saving, how). `.fails_preflight` is True when budget.strict and not ok;
        `.gap` is what the always-on bill exceeds the budget by.
    refresh_prices(table: PriceTable, base_url: str, *, today: date,
                   session: requests.Session | None = None, timeout: float = 30.0) -> RefreshResult
        RefreshResult(table, changed, unchanged, missing, duplicates). The input table is not changed;
        the caller saves `result.table`. Production base URL: RETAIL_PRICES_URL.
    render_cost_text(report: CostReport, console: rich.console.Console) -> None
    render_delta_text(delta: CostDelta, console: Console) -> None
    render_verdict_text(verdict: BudgetVerdict, console: Console) -> None
    cost_to_json(report: CostReport) -> dict[str, Any]      # the `--output json` document
    delta_to_json(delta: CostDelta) -> dict[str, Any]
    verdict_to_json(verdict: BudgetVerdict) -> dict[str, Any]

Modules: prices (the table, load/save), lines (pricing context, one priced line), compute / network /
services (the resources, one function each), items (assembles every line for a config), estimator
(report, production deltas, delta for `plan`), budget (hours within budget, schedule, levers),
transforms (changed copies of a Deployment), refresh (Retail Prices API), render (text and JSON),
model (result types).

Also: estimate(...) prices running hours = 730; items.monthly_total(config, prices, hours, teardown=False)
gives the bill for any number of running hours (teardown=True: destroyed, not stopped, between runs).
"""

from orchestrator.cost.budget import budget_check
from orchestrator.cost.estimator import estimate, estimate_delta
from orchestrator.cost.model import (
    BudgetMode,
    BudgetVerdict,
    CostDelta,
    CostReport,
    DemoEstimate,
    Item,
    ItemDelta,
    Lever,
    ProductionDelta,
    Schedule,
)
from orchestrator.cost.prices import PriceTable, load_prices, save_prices
from orchestrator.cost.refresh import RefreshResult, refresh_prices
from orchestrator.cost.render import (
    cost_to_json,
    delta_to_json,
    render_cost_text,
    render_delta_text,
    render_verdict_text,
    verdict_to_json,
)

RETAIL_PRICES_URL = "https://prices.azure.com/api/retail/prices"

__all__ = [
    "RETAIL_PRICES_URL",
    "BudgetMode",
    "BudgetVerdict",
    "CostDelta",
    "CostReport",
    "DemoEstimate",
    "Item",
    "ItemDelta",
    "Lever",
    "PriceTable",
    "ProductionDelta",
    "RefreshResult",
    "Schedule",
    "budget_check",
    "cost_to_json",
    "delta_to_json",
    "estimate",
    "estimate_delta",
    "load_prices",
    "refresh_prices",
    "render_cost_text",
    "render_delta_text",
    "render_verdict_text",
    "save_prices",
    "verdict_to_json",
]
