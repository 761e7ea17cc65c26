from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from orchestrator.cost.prices import dump_prices, load_prices, save_prices

REQUIRED = [
    *(
        f"vm/{size}/payg"
        for size in ("Standard_D2s_v3", "Standard_D4s_v3", "Standard_D2as_v5", "Standard_D2s_v5")
    ),
    "vm/Standard_B2s/payg",
    *(
        f"vm/{size}/spot"
        for size in ("Standard_D2s_v3", "Standard_D4s_v3", "Standard_D2as_v5", "Standard_D2s_v5")
    ),
    "aks/free",
    "aks/standard",
    "lb/standard",
    "lb/rule_overage",
    "ip/standard_static",
    "disk/premium/P4",
    "disk/premium/P10",
    "disk/standard_ssd/E10",
    "disk/standard_hdd/S10",
    "disk/ephemeral",
    "la/ingestion",
    "la/retention",
    "alert/metric_time_series",
    "kv/operations",
    "blob/hot_lrs",
    "snapshot/lrs",
    "dns/private_zone",
]


def test_shipped_table_has_every_item_the_design_can_create() -> None:
    table = load_prices()
    missing = [key for key in REQUIRED if not table.has(key)]
    assert missing == []
    assert table.currency == "USD"
    assert table.hours_per_month == 730


def test_every_price_has_source_region_unit_and_date() -> None:
    for key, price in load_prices().prices.items():
        assert price.source and price.region and price.unit and price.date, key
        assert price.price >= 0, key


def test_prices_not_read_for_korea_central_are_marked_estimates() -> None:
    table = load_prices()
    # no Korea Central Spot, disk, Log Analytics or Blob price was found (reference/prices-koreacentral.md)
    for key, price in table.prices.items():
        if key.endswith("/spot") or key.startswith(("disk/premium", "la/", "blob/")):
            assert price.estimate, key
    assert not table.get("vm/Standard_D2s_v3/payg").estimate


def test_b_series_v1_has_no_spot_price() -> None:
    table = load_prices()
    assert not table.has("vm/Standard_B2s/spot")
    assert table.has("vm/Standard_B2s/payg")


def test_spot_estimates_are_a_fifth_of_pay_as_you_go() -> None:
    table = load_prices()
    # D2s_v3: 0.123 x 0.20 = 0.0246
    assert table.get("vm/Standard_D2s_v3/spot").price == Decimal("0.0246")


def test_round_trip_is_lossless(tmp_path: Path) -> None:
    table = load_prices()
    target = tmp_path / "prices.json"
    save_prices(table, target)
    assert load_prices(target) == table
    assert [p.name for p in tmp_path.iterdir()] == ["prices.json"]  # no temp file left behind


def test_dump_writes_prices_as_json_numbers() -> None:
    data = json.loads(dump_prices(load_prices()))
    assert data["prices"]["vm/Standard_D2s_v3/payg"]["price"] == 0.123


def test_unknown_key_names_the_key() -> None:
    with pytest.raises(KeyError, match="vm/Standard_X/payg"):
        load_prices().get("vm/Standard_X/payg")


def test_invalid_table_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"schema_version": 1}', encoding="utf-8")
    with pytest.raises(ValueError):
        load_prices(path)
