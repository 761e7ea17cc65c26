"""Result types of the cost model. Frozen dataclasses; money is `Decimal` rounded to cents.

Rounding rule (one place, `cents`): each line item's monthly amount is `quantity x unit_price` rounded
half-up to $0.01; every total is the sum of already-rounded items, so a total always equals the sum
of the rows printed under it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)

PHASE_NAMES: dict[int, str] = {
    1: "network",
    2: "clusters",
    3: "cni-mesh-ingress",
    4: "security",
    5: "gitops-observability",
    6: "storage-backup",
    7: "drills",
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Band:
    """A quantity at the autoscaler's minimum, the expected count, and its maximum."""

    minimum: Decimal
    expected: Decimal
    maximum: Decimal

    @staticmethod
    def fixed(value: Decimal) -> Band:
        return Band(value, value, value)

    def map(self, fn: Callable[[Decimal], Decimal]) -> Band:
        return Band(fn(self.minimum), fn(self.expected), fn(self.maximum))

    def __add__(self, other: Band) -> Band:
        return Band(
            self.minimum + other.minimum, self.expected + other.expected, self.maximum + other.maximum
        )


@dataclass(frozen=True)
class Item:
    """One priced resource. `monthly` = cents(quantity x unit_price) at the expected count."""

    resource: str
    cluster: str | None
    phase: int
    sku: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    monthly: Decimal
    monthly_min: Decimal
    monthly_max: Decimal
    while_stopped: bool = field(metadata={"doc": "keeps billing while the clusters are stopped"})
    estimate: bool = False
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.cluster or "shared", self.resource)


@dataclass(frozen=True)
class DemoEstimate:
    monthly_total: Decimal
    monthly_min: Decimal
    monthly_max: Decimal
    stopped_monthly: Decimal
    items: tuple[Item, ...]

    def by_cluster(self) -> dict[str, Decimal]:
        return _group(self.items, lambda item: item.cluster or "shared")

    def by_phase(self) -> dict[str, Decimal]:
        return _group(self.items, lambda item: f"{item.phase}-{PHASE_NAMES[item.phase]}")


def _group(items: tuple[Item, ...], key: Callable[[Item], str]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for item in items:
        out[key(item)] = out.get(key(item), ZERO) + item.monthly
    return out


@dataclass(frozen=True)
class ProductionDelta:
    change: str
    monthly: Decimal
    cluster: str | None
    seed_estimate: str
    how: str


@dataclass(frozen=True)
class Schedule:
    label: str
    days: str
    start_hour: int
    end_hour: int
    hours_per_month: Decimal
    monthly: Decimal


@dataclass(frozen=True)
class BudgetMode:
    monthly_budget: Decimal
    always_on_total: Decimal
    stopped_monthly: Decimal
    hours_per_month_within_budget: int
    schedule: Schedule | None
    hours_if_destroyed_between_runs: int


@dataclass(frozen=True)
class CostReport:
    currency: str
    hours_per_month: int
    demo: DemoEstimate
    production_deltas: tuple[ProductionDelta, ...]
    budget: BudgetMode
    assumptions: dict[str, str]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ItemDelta:
    cluster: str
    resource: str
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class CostDelta:
    before_total: Decimal
    after_total: Decimal
    items: tuple[ItemDelta, ...]

    @property
    def delta(self) -> Decimal:
        return self.after_total - self.before_total


@dataclass(frozen=True)
class Lever:
    name: str
    monthly_saving: Decimal
    how: str


@dataclass(frozen=True)
class BudgetVerdict:
    ok: bool
    strict: bool
    always_on: Decimal
    budget: Decimal
    hours_within_budget: int
    levers: tuple[Lever, ...]

    @property
    def gap(self) -> Decimal:
        return max(ZERO, self.always_on - self.budget)

    @property
    def fails_preflight(self) -> bool:
        return self.strict and not self.ok
