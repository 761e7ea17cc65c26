"""The building blocks every priced resource shares: the pricing context and one priced line.

Rounding (see model.cents): quantities are kept to 4 decimal places, each line's monthly amount is
quantity x unit price rounded half-up to cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from orchestrator.config.model import Deployment
from orchestrator.cost.model import Band, Item, cents
from orchestrator.cost.prices import PriceTable

PHASE_NETWORK = 1
PHASE_CLUSTERS = 2
PHASE_CNI = 3
PHASE_SECURITY = 4
PHASE_OBSERVABILITY = 5
PHASE_STORAGE = 6
QUANTITY_PLACES = Decimal("0.0001")
HOURS_PER_DAY = Decimal(24)


@dataclass(frozen=True)
class Ctx:
    config: Deployment
    prices: PriceTable
    hours: Decimal  # hours the clusters run this month
    month: Decimal  # hours in a month (730)
    teardown: bool = False  # clusters destroyed between runs instead of stopped

    @property
    def cluster_lifetime(self) -> Decimal:
        """Hours the per-cluster network resources (load balancer, public IPs) exist this month."""
        return self.hours if self.teardown else self.month

    @property
    def runtime_share(self) -> Decimal:
        return self.hours / self.month

    @cached_property
    def ingress_subnets(self) -> frozenset[str]:
        """Subnets open to internet ingress, looked up once per context (hundreds of clusters)."""
        return frozenset(s.name for s in self.config.network.subnets if s.ingress)


def line(
    ctx: Ctx,
    key: str,
    quantity: Band,
    *,
    resource: str,
    cluster: str | None,
    phase: int,
    sku: str,
    while_stopped: bool,
    note: str = "",
) -> Item:
    price = ctx.prices.get(key)
    qty = quantity.map(lambda q: q.quantize(QUANTITY_PLACES))
    monthly = qty.map(lambda q: cents(q * price.price))
    return Item(
        resource=resource,
        cluster=cluster,
        phase=phase,
        sku=sku,
        quantity=qty.expected,
        unit=price.unit,
        unit_price=price.price,
        monthly=monthly.expected,
        monthly_min=monthly.minimum,
        monthly_max=monthly.maximum,
        while_stopped=while_stopped,
        estimate=price.estimate,
        note=note,
    )
