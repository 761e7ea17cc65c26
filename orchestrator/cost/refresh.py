"""`orchestrate cost --refresh`: update the price table from the public Azure Retail Prices API.

No authentication. For every price that has a `meter` query, the OData `$filter` is sent, every page
is read (`NextPageLink` until null), and the rows are filtered on the client the way
karpenter-provider-azure does (reference/prices-koreacentral.md, "Rows to keep"):

- pay-as-you-go Linux VM: `type == Consumption`, productName not ending in " Windows", skuName and
  meterName not ending in " Spot" / " Low Priority", `unitOfMeasure == "1 Hour"`;
- Spot Linux VM: skuName ending in " Spot", productName not ending in " Windows";
- every row: the unit the table expects and, when the meter names one, the tier (`tierMinimumUnits`).

When more than one row is left, all of them are logged and the lowest `retailPrice` among rows with
`isPrimaryMeterRegion` and no `effectiveEndDate` is taken. When none is left, or the request fails, the
old value is kept and the key is reported as missing. Prices are parsed as `Decimal` from the JSON text.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import requests

from orchestrator.cost.prices import MeterQuery, Price, PriceTable

log = logging.getLogger(__name__)

API_VERSION = "2023-01-01-preview"
MAX_PAGES = 50
Row = dict[str, Any]


@dataclass(frozen=True)
class PriceChange:
    key: str
    old: Decimal
    new: Decimal


@dataclass(frozen=True)
class RefreshResult:
    table: PriceTable
    changed: tuple[PriceChange, ...]
    unchanged: tuple[str, ...]
    missing: tuple[str, ...]
    duplicates: tuple[str, ...]


def odata_filter(meter: MeterQuery) -> str:
    terms = [f"{field} eq '{value}'" for field, value in meter.filter.items()]
    terms += [f"contains({field}, '{value}')" for field, value in meter.contains.items()]
    return " and ".join(terms)


def fetch_rows(session: requests.Session, base_url: str, meter: MeterQuery, timeout: float) -> list[Row]:
    params: dict[str, str] | None = {
        "api-version": API_VERSION,
        "meterRegion": "'primary'",
        "$filter": odata_filter(meter),
    }
    url: str | None = base_url
    rows: list[Row] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        response = session.get(url, params=params, timeout=timeout)
        response.raise_for_status()
        page = json.loads(response.text, parse_float=Decimal)
        rows += page.get("Items", [])
        url, params = page.get("NextPageLink"), None  # the next link carries its own query
    return rows


def _ends(value: object, *suffixes: str) -> bool:
    return isinstance(value, str) and value.endswith(suffixes)


def keep_row(row: Row, meter: MeterQuery) -> bool:
    if row.get("type") != "Consumption" or row.get("unitOfMeasure") != meter.unit:
        return False
    if _ends(row.get("productName"), " Windows"):
        return False
    spot = _ends(row.get("skuName"), " Spot")
    if meter.kind == "vm_spot" and not spot:
        return False
    if meter.kind == "vm_payg" and (
        spot
        or _ends(row.get("meterName"), " Spot", " Low Priority")
        or _ends(row.get("skuName"), " Low Priority")
    ):
        return False
    tier = meter.tier_minimum_units
    return tier is None or Decimal(str(row.get("tierMinimumUnits", 0))) == tier


def describe(row: Row) -> str:
    return (
        f"{row.get('retailPrice')} {row.get('unitOfMeasure')} meter='{row.get('meterName')}' "
        f"product='{row.get('productName')}' sku='{row.get('skuName')}' "
        f"primary={row.get('isPrimaryMeterRegion')} end={row.get('effectiveEndDate')}"
    )


def choose(key: str, rows: list[Row], duplicates: list[str]) -> Row | None:
    if len(rows) > 1:
        for row in rows:
            note = f"{key}: duplicate meter row {describe(row)}"
            log.warning(note)
            duplicates.append(note)
    eligible = [r for r in rows if r.get("isPrimaryMeterRegion") is True and not r.get("effectiveEndDate")]
    return min(eligible, key=lambda r: Decimal(str(r["retailPrice"])), default=None)


def refreshed_price(old: Price, row: Row, today: date) -> Price:
    return old.model_copy(
        update={
            "price": Decimal(str(row["retailPrice"])),
            "region": str(row.get("armRegionName") or row.get("location") or old.region),
            "source": f"Azure Retail Prices API: meter '{row.get('meterName')}', product "
            f"'{row.get('productName')}', sku '{row.get('skuName')}', meterId {row.get('meterId')}",
            "date": today.isoformat(),
            "estimate": False,
        }
    )


def refresh_prices(
    table: PriceTable,
    base_url: str,
    *,
    today: date,
    session: requests.Session | None = None,
    timeout: float = 30.0,
) -> RefreshResult:
    """A new table with every meter-backed price re-read from `base_url`; the input is not modified."""
    if session is None:
        with requests.Session() as own:
            return refresh_prices(table, base_url, today=today, session=own, timeout=timeout)
    http = session
    changed: list[PriceChange] = []
    unchanged: list[str] = []
    missing: list[str] = []
    duplicates: list[str] = []
    for key, old in table.prices.items():
        if old.meter is None:
            continue
        try:
            rows = [r for r in fetch_rows(http, base_url, old.meter, timeout) if keep_row(r, old.meter)]
        except (requests.RequestException, ValueError) as exc:
            log.warning("%s: request failed (%s); keeping %s", key, exc, old.price)
            missing.append(key)
            continue
        row = choose(key, rows, duplicates)
        if row is None:
            log.warning("%s: no matching meter; keeping %s from %s", key, old.price, old.date)
            missing.append(key)
            continue
        new = refreshed_price(old, row, today)
        table = table.with_price(key, new)
        if new.price == old.price:
            unchanged.append(key)
        else:
            changed.append(PriceChange(key, old.price, new.price))
    return RefreshResult(table, tuple(changed), tuple(unchanged), tuple(missing), tuple(duplicates))
