"""Monitor, private DNS and Compute catalogues through their management SDKs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from arm_testkit import LOC, SUB, StaticToken, client_kwargs
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient

from emulator import LocalCloud, Settings


def _law_id(rg: str) -> str:
    return f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/law1"


def _vnet_id(make_client: Callable[..., Any], rg: str) -> str:
    net: NetworkManagementClient = make_client(NetworkManagementClient)
    body = {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    return str(net.virtual_networks.begin_create_or_update(rg, "v1", body).result().id)


def test_data_collection_rules_and_associations(make_client: Callable[..., Any], rg: str) -> None:
    mon: MonitorManagementClient = make_client(MonitorManagementClient)
    dcr_body = {
        "location": LOC,
        "properties": {
            "dataSources": {
                "syslog": [
                    {
                        "name": "s",
                        "streams": ["Microsoft-Syslog"],
                        "facilityNames": ["auth"],
                        "logLevels": ["Info"],
                    }
                ]
            },
            "destinations": {"logAnalytics": [{"name": "law", "workspaceResourceId": _law_id(rg)}]},
            "dataFlows": [{"streams": ["Microsoft-Syslog"], "destinations": ["law"]}],
        },
    }
    dcr = mon.data_collection_rules.create(rg, "dcr1", dcr_body)
    assert dcr.immutable_id.startswith("dcr-") and dcr.provisioning_state == "Succeeded"
    vnet = _vnet_id(make_client, rg)
    assoc = mon.data_collection_rule_associations.create(
        vnet, "a1", {"properties": {"dataCollectionRuleId": dcr.id}}
    )
    assert assoc.data_collection_rule_id == dcr.id
    assert [a.name for a in mon.data_collection_rule_associations.list_by_rule(rg, "dcr1")] == ["a1"]
    assert [a.name for a in mon.data_collection_rule_associations.list_by_resource(vnet)] == ["a1"]
    assert mon.data_collection_rule_associations.get(vnet, "a1").data_collection_rule_id == dcr.id
    assert mon.data_collection_rules.get(rg, "dcr1").immutable_id == dcr.immutable_id
    assert mon.data_collection_rules.update(rg, "dcr1", {"tags": {"a": "b"}}).tags == {"a": "b"}
    with pytest.raises(HttpResponseError) as exc:
        mon.data_collection_rule_associations.create(
            vnet, "a2", {"properties": {"dataCollectionRuleId": dcr.id + "x"}}
        )
    assert exc.value.error.code == "InvalidPayload"
    mon.data_collection_rule_associations.delete(vnet, "a1")
    mon.data_collection_rules.delete(rg, "dcr1")
    assert list(mon.data_collection_rules.list_by_resource_group(rg)) == []


def test_action_group_metric_alert_query_rule(make_client: Callable[..., Any], rg: str) -> None:
    mon: MonitorManagementClient = make_client(MonitorManagementClient)
    ag = mon.action_groups.create_or_update(
        rg,
        "ag1",
        {
            "location": "Global",
            "properties": {
                "groupShortName": "ops",
                "enabled": True,
                "emailReceivers": [{"name": "me", "emailAddress": "ops@example.com"}],
            },
        },
    )
    assert ag.group_short_name == "ops"
    assert [a.name for a in mon.action_groups.list_by_resource_group(rg)] == ["ag1"]
    assert mon.action_groups.update(rg, "ag1", {"tags": {"a": "b"}}).tags == {"a": "b"}
    assert mon.action_groups.get(rg, "ag1").email_receivers[0].email_address == "ops@example.com"
    vnet = _vnet_id(make_client, rg)
    alert_body = {
        "location": "global",
        "properties": {
            "severity": 2,
            "enabled": True,
            "scopes": [vnet],
            "evaluationFrequency": "PT1M",
            "windowSize": "PT5M",
            "criteria": {
                "odata.type": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                "allOf": [
                    {
                        "criterionType": "StaticThresholdCriterion",
                        "name": "c",
                        "metricName": "x",
                        "operator": "GreaterThan",
                        "threshold": 1,
                        "timeAggregation": "Average",
                    }
                ],
            },
            "actions": [{"actionGroupId": ag.id}],
        },
    }
    alert = mon.metric_alerts.create_or_update(rg, "alert1", alert_body)
    assert alert.severity == 2
    assert mon.metric_alerts.create_or_update(rg, "alert1", alert_body).name == "alert1"
    alert_body["properties"].pop("severity")
    with pytest.raises(HttpResponseError) as exc:
        mon.metric_alerts.create_or_update(rg, "alert2", alert_body)
    assert exc.value.status_code == 400 and exc.value.error.code == "InvalidRequestContent"
    rule = mon.scheduled_query_rules.create_or_update(
        rg,
        "q1",
        {
            "location": LOC,
            "properties": {
                "severity": 3,
                "enabled": True,
                "scopes": [vnet],
                "evaluationFrequency": "PT5M",
                "windowSize": "PT5M",
                "criteria": {
                    "allOf": [
                        {
                            "query": "Heartbeat",
                            "timeAggregation": "Count",
                            "operator": "LessThan",
                            "threshold": 1,
                        }
                    ]
                },
            },
        },
    )
    assert rule.name == "q1"
    assert [r.name for r in mon.metric_alerts.list_by_resource_group(rg)] == ["alert1"]
    assert mon.metric_alerts.get(rg, "alert1").severity == 2
    assert mon.scheduled_query_rules.get(rg, "q1").severity == 3
    mon.metric_alerts.delete(rg, "alert1")
    mon.scheduled_query_rules.delete(rg, "q1")
    mon.action_groups.delete(rg, "ag1")


def test_private_dns_zone_and_links(make_client: Callable[..., Any], rg: str) -> None:
    dns: PrivateDnsManagementClient = make_client(PrivateDnsManagementClient)
    zone = dns.private_zones.begin_create_or_update(
        rg, "privatelink.vaultcore.azure.net", {"location": "global"}
    ).result()
    assert zone.provisioning_state == "Succeeded" and zone.max_number_of_record_sets == 25000
    vnet = _vnet_id(make_client, rg)
    link_body = {
        "location": "global",
        "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": False},
    }
    link = dns.virtual_network_links.begin_create_or_update(rg, zone.name, "l1", link_body).result()
    assert link.virtual_network_link_state == "Completed"
    with pytest.raises(HttpResponseError) as exc:
        dns.virtual_network_links.begin_create_or_update(rg, zone.name, "l2", link_body)
    assert exc.value.status_code == 409
    assert dns.private_zones.get(rg, zone.name).number_of_virtual_network_links == 1
    assert [x.name for x in dns.virtual_network_links.list(rg, zone.name)] == ["l1"]
    assert dns.virtual_network_links.get(rg, zone.name, "l1").registration_enabled is False
    assert [z.name for z in dns.private_zones.list_by_resource_group(rg)] == [zone.name]
    dns.private_zones.begin_update(rg, zone.name, {"tags": {"a": "b"}}).result()
    assert dns.private_zones.get(rg, zone.name).tags == {"a": "b"}
    dns.virtual_network_links.begin_delete(rg, zone.name, "l1").result()
    dns.private_zones.begin_delete(rg, zone.name).result()
    with pytest.raises(ResourceNotFoundError):
        dns.private_zones.get(rg, zone.name)


def test_compute_usages_and_skus(tmp_path: Any) -> None:
    settings = Settings(quotas={"lowPriorityCores": 6}, sku_restrictions={"Standard_B2s": [LOC]})
    with LocalCloud.start(tmp_path / "c", settings) as cloud:
        compute = ComputeManagementClient(StaticToken(cloud.token), SUB, **client_kwargs(cloud))
        usages = {u.name.value: u for u in compute.usage.list(LOC)}
        assert usages["lowPriorityCores"].limit == 6 and usages["standardDSv3Family"].current_value == 0
        cloud.backend.consume_cores("standardDSv3Family", 4)
        usages = {u.name.value: u for u in compute.usage.list(LOC)}
        assert usages["standardDSv3Family"].current_value == 4 and usages["cores"].current_value == 4
        skus = {s.name: s for s in compute.resource_skus.list()}
        caps = {c.name: c.value for c in skus["Standard_D4s_v3"].capabilities}
        assert caps["vCPUs"] == "4" and caps["EphemeralOSDiskSupported"] == "True"
        assert skus["Standard_B2s"].restrictions[0].reason_code == "NotAvailableForSubscription"
        assert skus["Standard_D2s_v5"].restrictions == []


def test_quota_exceeded() -> None:
    from emulator.arm.errors import QuotaExceeded
    from emulator.arm.quota import Quota

    quota = Quota({}, {"cores": 10, "lowPriorityCores": 3, "standardDSv3Family": 4}, LOC)
    quota.consume_cores("lowPriorityCores", 2)
    with pytest.raises(QuotaExceeded) as exc:
        quota.consume_cores("lowPriorityCores", 2)
    assert exc.value.code == "QuotaExceeded" and "lowPriorityCores" in exc.value.message
    quota.consume_cores("standardDSv3Family", 4)
    with pytest.raises(QuotaExceeded):
        quota.consume_cores("standardDSv3Family", 2)
    quota.release_cores("standardDSv3Family", 4)
    quota.consume_cores("standardDSv3Family", 2)
    assert quota.usage == {"lowPriorityCores": 2, "standardDSv3Family": 2, "cores": 2}
