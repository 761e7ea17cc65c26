"""The price table: a JSON data file shipped with the package, loaded into typed, frozen models.

Money is `Decimal` everywhere. Prices are stored as JSON numbers and parsed exactly (pydantic reads a
JSON number into `Decimal` without going through a binary float); `save_prices` writes them back as the
shortest decimal form, so a load/save round trip is lossless.
"""

from __future__ import annotations

import json
import os
import tempfile
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PACKAGED_PRICES = "prices.json"


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeterQuery(Frozen):
    """How `refresh_prices` finds this price in the Azure Retail Prices API."""

    kind: Literal["vm_payg", "vm_spot", "plain"]
    unit: str = Field(description="the API's unitOfMeasure this price is expressed in")
    filter: dict[str, str] = Field(description="OData `eq` filters, ANDed")
    contains: dict[str, str] = Field(default_factory=dict, description="OData contains() filters")
    tier_minimum_units: Decimal | None = Field(None, description="pick the tier row starting here")


class Price(Frozen):
    price: Decimal
    unit: str
    region: str
    source: str
    date: str
    estimate: bool = Field(description="true when not read for Korea Central (neighbour, ratio, multiplier)")
    note: str = ""
    meter: MeterQuery | None = None


class VmSize(Frozen):
    vcpus: int
    memory_gib: int
    cache_gib: int = Field(description="cache/temp disk an ephemeral OS disk can live on (0 = none)")


class Assumption(Frozen):
    value: Decimal | str
    source: str


class PriceTable(Frozen):
    schema_version: int
    currency: Literal["USD"]
    region: str
    hours_per_month: int
    note: str = ""
    prices: dict[str, Price]
    vm_sizes: dict[str, VmSize]
    assumptions: dict[str, Assumption]

    def get(self, key: str) -> Price:
        try:
            return self.prices[key]
        except KeyError:
            raise KeyError(f"no price '{key}' in the price table") from None

    def has(self, key: str) -> bool:
        return key in self.prices

    def number(self, name: str) -> Decimal:
        value = self.assumptions[name].value
        if isinstance(value, str):
            raise TypeError(f"assumption '{name}' is not a number")
        return value

    def text(self, name: str) -> str:
        return str(self.assumptions[name].value)

    def vm(self, size: str) -> VmSize:
        try:
            return self.vm_sizes[size]
        except KeyError:
            raise KeyError(f"VM size {size} is not in the price table") from None

    def with_price(self, key: str, price: Price) -> PriceTable:
        return self.model_copy(update={"prices": {**self.prices, key: price}})


def load_prices(path: Path | None = None) -> PriceTable:
    """The table at `path`, or the one shipped in the package when `path` is None."""
    if path is None:
        text = resources.files("orchestrator.cost").joinpath(PACKAGED_PRICES).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return PriceTable.model_validate_json(text)


def _json_number(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dump_prices(table: PriceTable) -> str:
    data = table.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    return json.dumps(data, indent=2, ensure_ascii=False, default=_json_number) + "\n"


def save_prices(table: PriceTable, path: Path) -> None:
    """Write atomically: a temp file in the same directory, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dump_prices(table))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
