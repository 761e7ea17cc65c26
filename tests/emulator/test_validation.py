"""The SDK-model-driven validator on its own: TypeSpec and msrest models, enums, nesting, subtypes."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.arm.errors import ArmError
from emulator.arm.validation import validate_body

VNET = "azure.mgmt.network.models:VirtualNetwork"
RULE = "azure.mgmt.network.models:SecurityRule"
IDENTITY = "azure.mgmt.msi.v2024_11_30.models:Identity"
ALERT = "azure.mgmt.monitor.models:MetricAlertResource"


def _problems(model: str, body: dict[str, Any]) -> list[str]:
    try:
        validate_body(model, body)
    except ArmError as exc:
        assert exc.status == 400 and exc.code == "InvalidRequestContent"
        return [d["message"] for d in exc.details]
    return []


def test_valid_bodies_pass() -> None:
    body = {"location": "koreacentral", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    assert _problems(VNET, body) == []
    assert _problems(IDENTITY, {"location": "koreacentral", "tags": {"a": "b"}}) == []


def test_typespec_types_nested_lists_and_enums() -> None:
    bad_list = {"properties": {"addressSpace": {"addressPrefixes": "10.0.0.0/16"}}}
    assert _problems(VNET, bad_list) == [
        "The property 'properties.addressSpace.addressPrefixes' has an invalid value; expected list."
    ]
    rule = {"properties": {"protocol": "tcp", "access": "Allow", "direction": "Inbound", "priority": 100}}
    assert _problems(RULE, rule) == []  # enum values are case-insensitive
    rule["properties"]["protocol"] = "Gre"
    assert "not valid" in _problems(RULE, rule)[0]
    rule["properties"].update(protocol="Tcp", priority=True)
    assert _problems(RULE, rule) == ["The property 'properties.priority' has an invalid value; expected int."]


def test_typespec_required_fields() -> None:
    rule: dict[str, Any] = {"properties": {"protocol": "Tcp"}}
    found = _problems(RULE, rule)
    assert "The property 'properties.access' is required." in found
    assert "The property 'properties.direction' is required." in found


def test_msrest_required_flattened_and_readonly_ignored() -> None:
    assert _problems(IDENTITY, {"properties": {"principalId": 5}}) == ["The property 'location' is required."]


def test_msrest_polymorphic_subtype_is_checked() -> None:
    body = {
        "location": "global",
        "properties": {
            "severity": 1,
            "enabled": True,
            "scopes": ["/x"],
            "evaluationFrequency": "PT1M",
            "windowSize": "PT5M",
            "criteria": {
                "odata.type": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                "allOf": "x",
            },
        },
    }
    assert _problems(ALERT, body) == [
        "The property 'properties.criteria.allOf' has an invalid value; expected list."
    ]


def test_not_an_object() -> None:
    with pytest.raises(ArmError):
        validate_body(VNET, {"properties": []})
