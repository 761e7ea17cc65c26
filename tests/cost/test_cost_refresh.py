"""`refresh_prices` against a fixture in the Retail Prices API's documented format, served from a
stdlib http.server on 127.0.0.1 (no other network)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from orchestrator.cost.prices import PriceTable, load_prices
from orchestrator.cost.refresh import odata_filter, refresh_prices

TODAY = date(2026, 11, 24)


def row(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "armRegionName": "koreacentral",
        "location": "KR Central",
        "effectiveStartDate": "2026-01-01T00:00:00Z",
        "meterId": "00000000-0000-0000-0000-000000000001",
        "productId": "DZH318Z0BQPS",
        "skuId": "DZH318Z0BQPS/00TG",
        "availabilityId": None,
        "serviceName": "Virtual Machines",
        "serviceId": "DZH313Z7MMC8",
        "serviceFamily": "Compute",
        "unitOfMeasure": "1 Hour",
        "type": "Consumption",
        "isPrimaryMeterRegion": True,
    }
    base.update(fields)
    base.setdefault("unitPrice", base.get("retailPrice"))
    return base


def vm(sku: str, price: float, *, meter: str, product: str, **extra: Any) -> dict[str, Any]:
    return row(
        armSkuName=sku, retailPrice=price, meterName=meter, skuName=meter, productName=product, **extra
    )


DSV3 = "Virtual Machines DSv3 Series"
DASV5 = "Virtual Machines Dasv5 Series"


def fixture_pages(table: PriceTable) -> dict[str, list[list[dict[str, Any]]]]:
    """$filter -> pages of Items. Filters not listed answer with an empty page."""

    def f(key: str) -> str:
        meter = table.get(key).meter
        assert meter is not None
        return odata_filter(meter)

    return {
        # pay-as-you-go: the Linux row wins over Windows, Spot, Low Priority and DevTest rows
        f("vm/Standard_D2s_v3/payg"): [
            [
                vm("Standard_D2s_v3", 0.125, meter="D2s v3", product=DSV3),
                vm("Standard_D2s_v3", 0.215, meter="D2s v3", product=f"{DSV3} Windows"),
                vm("Standard_D2s_v3", 0.03, meter="D2s v3 Spot", product=DSV3),
                vm("Standard_D2s_v3", 0.025, meter="D2s v3 Low Priority", product=DSV3),
                vm("Standard_D2s_v3", 0.09, meter="D2s v3", product=DSV3, type="DevTestConsumption"),
            ]
        ],
        # duplicate meters: both logged; the lowest primary row without an end date is taken
        f("vm/Standard_D2as_v5/payg"): [
            [
                vm("Standard_D2as_v5", 0.198, meter="D2as v5", product=DASV5),
                vm("Standard_D2as_v5", 0.107, meter="D2as v5", product=DASV5),
                vm(
                    "Standard_D2as_v5",
                    0.05,
                    meter="D2as v5",
                    product=DASV5,
                    effectiveEndDate="2025-01-01T00:00:00Z",
                ),
                vm("Standard_D2as_v5", 0.06, meter="D2as v5", product=DASV5, isPrimaryMeterRegion=False),
            ]
        ],
        # Spot, over two pages: a Windows Spot row on page 1, the Linux Spot row on page 2
        f("vm/Standard_D2s_v3/spot"): [
            [vm("Standard_D2s_v3", 0.04, meter="D2s v3 Spot", product=f"{DSV3} Windows")],
            [vm("Standard_D2s_v3", 0.0301, meter="D2s v3 Spot", product=DSV3)],
        ],
        # Log Analytics: two tier rows; the charged tier starts at 5 GB
        f("la/ingestion"): [
            [
                row(
                    serviceName="Log Analytics",
                    productName="Log Analytics",
                    skuName="Analytics Logs",
                    meterName="Analytics Logs Data Ingestion",
                    unitOfMeasure="1 GB",
                    retailPrice=0.0,
                    tierMinimumUnits=0.0,
                ),
                row(
                    serviceName="Log Analytics",
                    productName="Log Analytics",
                    skuName="Analytics Logs",
                    meterName="Analytics Logs Data Ingestion",
                    unitOfMeasure="1 GB",
                    retailPrice=3.1,
                    tierMinimumUnits=5.0,
                ),
            ]
        ],
        # a unit the table does not expect: ignored, so the meter counts as missing
        f("kv/operations"): [
            [
                row(
                    serviceName="Key Vault",
                    productName="Key Vault",
                    skuName="Standard",
                    meterName="Operations",
                    unitOfMeasure="1",
                    retailPrice=0.000003,
                ),
            ]
        ],
    }


class Api(ThreadingHTTPServer):
    pages: dict[str, list[list[dict[str, Any]]]]
    pages_index: list[str]
    failing: set[str]
    requests_seen: list[str]


class Handler(BaseHTTPRequestHandler):
    server: Api

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        self.server.requests_seen.append(self.path)
        if url.path.startswith("/next/"):
            _, _, filt, index = url.path.split("/", 3)
            filt = self.server.pages_index[int(filt)]
            page = int(index)
        else:
            assert url.path == "/api/retail/prices"
            assert query["api-version"] == ["2023-01-01-preview"]
            assert query["meterRegion"] == ["'primary'"]
            filt, page = query["$filter"][0], 0
        if filt in self.server.failing:
            self.send_response(500)
            self.end_headers()
            return
        pages = self.server.pages.get(filt, [[]])
        items = pages[page]
        next_link = None
        if page + 1 < len(pages):
            token = self.server.pages_index.index(filt)
            next_link = f"http://127.0.0.1:{self.server.server_port}/next/{token}/{page + 1}"
        body = {
            "BillingCurrency": "USD",
            "CustomerEntityId": "Default",
            "CustomerEntityType": "Retail",
            "Items": items,
            "NextPageLink": next_link,
            "Count": len(items),
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def api() -> Iterator[Api]:
    server = Api(("127.0.0.1", 0), Handler)
    server.pages = fixture_pages(load_prices())
    server.pages_index = list(server.pages)
    server.failing = set()
    server.requests_seen = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def base_url(api: Api) -> str:
    return f"http://127.0.0.1:{api.server_port}/api/retail/prices"


def test_refresh_filters_rows_and_follows_pages(api: Api) -> None:
    old = load_prices()
    result = refresh_prices(old, base_url(api), today=TODAY, timeout=5)
    new = result.table
    assert new.get("vm/Standard_D2s_v3/payg").price == Decimal("0.125")
    assert new.get("vm/Standard_D2as_v5/payg").price == Decimal("0.107")
    assert new.get("vm/Standard_D2s_v3/spot").price == Decimal("0.0301")
    assert new.get("la/ingestion").price == Decimal("3.1")
    changed = {c.key: (c.old, c.new) for c in result.changed}
    assert changed["vm/Standard_D2s_v3/payg"] == (Decimal("0.123"), Decimal("0.125"))
    assert any(path.startswith("/next/") for path in api.requests_seen)


def test_refreshed_price_records_source_date_and_is_no_longer_an_estimate(api: Api) -> None:
    spot = refresh_prices(load_prices(), base_url(api), today=TODAY, timeout=5).table.get(
        "vm/Standard_D2s_v3/spot"
    )
    assert spot.date == "2026-11-24"
    assert not spot.estimate
    assert spot.source.startswith("Azure Retail Prices API") and "D2s v3 Spot" in spot.source
    assert spot.region == "koreacentral"


def test_missing_meter_keeps_the_old_value(api: Api) -> None:
    old = load_prices()
    result = refresh_prices(old, base_url(api), today=TODAY, timeout=5)
    # no rows for P10, a wrong unit for Key Vault: both kept as they were, date and all
    for key in ("disk/premium/P10", "kv/operations"):
        assert key in result.missing
        assert result.table.get(key) == old.get(key)
    # prices without a meter query (ephemeral disk) are not asked for
    assert "disk/ephemeral" not in result.missing


def test_duplicates_are_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="orchestrator.cost.refresh"):
        result = refresh_prices(load_prices(), base_url(api), today=TODAY, timeout=5)
    dupes = [d for d in result.duplicates if d.startswith("vm/Standard_D2as_v5/payg")]
    assert len(dupes) == 4  # every remaining row is listed, the chosen one included
    assert any("0.198" in d for d in dupes)
    assert sum("duplicate meter" in r.getMessage() for r in caplog.records) >= 4


def test_server_error_keeps_the_old_value(api: Api) -> None:
    old = load_prices()
    failing = odata_filter(old.get("la/ingestion").meter)  # type: ignore[arg-type]
    api.failing.add(failing)
    result = refresh_prices(old, base_url(api), today=TODAY, timeout=5)
    assert "la/ingestion" in result.missing
    assert result.table.get("la/ingestion") == old.get("la/ingestion")


def test_input_table_is_not_modified(api: Api) -> None:
    old = load_prices()
    refresh_prices(old, base_url(api), today=TODAY, timeout=5)
    assert old == load_prices()
