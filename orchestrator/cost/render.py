"""Output: JSON-ready dicts (money as numbers rounded to cents) and rich tables on a caller's Console."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from orchestrator.cost.model import (
    PHASE_NAMES,
    BudgetMode,
    BudgetVerdict,
    CostDelta,
    CostReport,
    Item,
    ProductionDelta,
)


def _n(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() and abs(value) >= 1 else float(value)


def _money(value: Decimal) -> float:
    return float(value)


def item_json(item: Item) -> dict[str, Any]:
    return {
        "resource": item.resource,
        "cluster": item.cluster,
        "phase": item.phase,
        "phase_name": PHASE_NAMES[item.phase],
        "sku": item.sku,
        "quantity": _n(item.quantity),
        "unit": item.unit,
        "unit_price": _n(item.unit_price),
        "monthly": _money(item.monthly),
        "monthly_min": _money(item.monthly_min),
        "monthly_max": _money(item.monthly_max),
        "bills_while_stopped": item.while_stopped,
        "estimated_price": item.estimate,
        "note": item.note,
    }


def delta_row_json(delta: ProductionDelta) -> dict[str, Any]:
    return {
        "change": delta.change,
        "monthly": _money(delta.monthly),
        "cluster": delta.cluster,
        "seed_estimate": delta.seed_estimate,
        "how": delta.how,
    }


def budget_json(mode: BudgetMode) -> dict[str, Any]:
    schedule = mode.schedule
    return {
        "monthly_budget": _money(mode.monthly_budget),
        "always_on_total": _money(mode.always_on_total),
        "stopped_monthly": _money(mode.stopped_monthly),
        "hours_per_month_within_budget": mode.hours_per_month_within_budget,
        "hours_if_destroyed_between_runs": mode.hours_if_destroyed_between_runs,
        "schedule": None
        if schedule is None
        else {
            "label": schedule.label,
            "days": schedule.days,
            "start_hour": schedule.start_hour,
            "end_hour": schedule.end_hour,
            "hours_per_month": float(schedule.hours_per_month),
            "monthly": _money(schedule.monthly),
        },
    }


def cost_to_json(report: CostReport) -> dict[str, Any]:
    demo = report.demo
    return {
        "currency": report.currency,
        "hours_per_month": report.hours_per_month,
        "demo": {
            "monthly_total": _money(demo.monthly_total),
            "monthly_min": _money(demo.monthly_min),
            "monthly_max": _money(demo.monthly_max),
            "stopped_monthly": _money(demo.stopped_monthly),
            "by_cluster": {k: _money(v) for k, v in demo.by_cluster().items()},
            "by_phase": {k: _money(v) for k, v in demo.by_phase().items()},
            "items": [item_json(i) for i in demo.items],
        },
        "production_deltas": [delta_row_json(d) for d in report.production_deltas],
        "budget": budget_json(report.budget),
        "assumptions": dict(report.assumptions),
        "warnings": list(report.warnings),
    }


def delta_to_json(delta: CostDelta) -> dict[str, Any]:
    return {
        "before_monthly": _money(delta.before_total),
        "after_monthly": _money(delta.after_total),
        "delta_monthly": _money(delta.delta),
        "items": [
            {
                "cluster": row.cluster,
                "resource": row.resource,
                "before": _money(row.before),
                "after": _money(row.after),
                "delta": _money(row.delta),
            }
            for row in delta.items
        ],
    }


def verdict_to_json(verdict: BudgetVerdict) -> dict[str, Any]:
    return {
        "ok": verdict.ok,
        "strict": verdict.strict,
        "always_on": _money(verdict.always_on),
        "budget": _money(verdict.budget),
        "gap": _money(verdict.gap),
        "hours_within_budget": verdict.hours_within_budget,
        "levers": [
            {"name": v.name, "monthly_saving": _money(v.monthly_saving), "how": v.how} for v in verdict.levers
        ],
    }


# --- text ------------------------------------------------------------------------------------------


def _usd(value: Decimal) -> str:
    return f"${value:,.2f}"


def _signed(value: Decimal) -> str:
    return f"+${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"


def items_table(report: CostReport) -> Table:
    table = Table(title=f"Demo, monthly ({report.hours_per_month} h, expected node counts)", show_lines=False)
    for name in ("cluster", "phase", "resource", "sku", "quantity", "unit price", "monthly", "min-max"):
        table.add_column(name, justify="right" if name in ("quantity", "unit price", "monthly") else "left")
    for item in report.demo.items:
        mark = "*" if item.estimate and item.monthly else ""
        band = (
            ""
            if item.monthly_min == item.monthly_max
            else f"{_usd(item.monthly_min)}-{_usd(item.monthly_max)}"
        )
        table.add_row(
            item.cluster or "shared",
            str(item.phase),
            item.resource + (" (stopped: bills)" if item.while_stopped else ""),
            item.sku,
            f"{item.quantity.normalize():f} {item.unit}",
            f"{item.unit_price.normalize():f}",
            _usd(item.monthly) + mark,
            band,
        )
    demo = report.demo
    table.add_section()
    table.add_row(
        "total",
        "",
        "",
        "",
        "",
        "",
        _usd(demo.monthly_total),
        f"{_usd(demo.monthly_min)}-{_usd(demo.monthly_max)}",
    )
    return table


def deltas_table(report: CostReport) -> Table:
    table = Table(title="Production deltas (each on its own, on top of the demo)")
    for name in ("change", "monthly", "seed said", "how"):
        table.add_column(name)
    for row in report.production_deltas:
        table.add_row(row.change, _signed(row.monthly), row.seed_estimate, row.how)
    return table


def render_cost_text(report: CostReport, console: Console) -> None:
    console.print(items_table(report))
    console.print("* estimated price (not read for Korea Central)")
    console.print(deltas_table(report))
    mode = report.budget
    console.print(
        f"Budget {_usd(mode.monthly_budget)}/month: around the clock {_usd(mode.always_on_total)}; "
        f"stopped all month {_usd(mode.stopped_monthly)}; "
        f"hours a month within budget: {mode.hours_per_month_within_budget} "
        f"({mode.hours_if_destroyed_between_runs} if destroyed between runs instead of stopped)"
    )
    if mode.schedule is not None:
        s = mode.schedule
        console.print(f"Schedule that fits: {s.label} = {s.hours_per_month} h/month, {_usd(s.monthly)}")
    else:
        console.print(
            "No schedule fits: what bills while stopped already exceeds the budget (see the levers)."
        )
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


def render_delta_text(delta: CostDelta, console: Console) -> None:
    console.print(
        f"Monthly estimate: {_usd(delta.before_total)} -> {_usd(delta.after_total)} ({_signed(delta.delta)})"
    )
    for row in delta.items:
        console.print(f"  {row.cluster:<10} {row.resource:<32} {_signed(row.delta)}")


def render_verdict_text(verdict: BudgetVerdict, console: Console) -> None:
    if verdict.ok:
        console.print(f"Budget: {_usd(verdict.always_on)} around the clock fits {_usd(verdict.budget)}.")
        return
    level = "[red]error[/]" if verdict.strict else "[yellow]warning[/]"
    console.print(
        f"{level}: around the clock costs {_usd(verdict.always_on)}/month, over the {_usd(verdict.budget)} "
        f"budget by {_usd(verdict.gap)}; {verdict.hours_within_budget} h/month fit. Levers:"
    )
    for lever in verdict.levers:
        console.print(f"  - {lever.name}: saves {_usd(lever.monthly_saving)}/month: {lever.how}")
