from __future__ import annotations

from orchestrator.engine.diff import SERVER_OWNED, diff


def test_only_fields_we_set_are_compared() -> None:
    desired = {
        "location": "koreacentral",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/8"]}},
    }
    observed = {
        **desired,
        "properties": {**desired["properties"], "resourceGuid": "abc", "provisioningState": "x"},
    }
    assert diff(desired, observed) == []


def test_a_changed_leaf_is_reported_with_its_path_and_values() -> None:
    changes = diff({"properties": {"count": 2}}, {"properties": {"count": 3}})
    assert [(c.path, c.before, c.after) for c in changes] == [("properties.count", 3, 2)]


def test_named_lists_compare_by_name_regardless_of_order_and_case() -> None:
    desired = {"rules": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}
    observed = {"rules": [{"name": "B", "port": 2}, {"name": "a", "port": 9}, {"name": "extra", "port": 3}]}
    paths = sorted(c.path for c in diff(desired, observed))
    assert paths == ["rules[a].port", "rules[extra]"]


def test_server_owned_fields_are_declared_once_with_a_reason() -> None:
    kind = "Microsoft.ContainerService/managedClusters"
    assert all(i.reason for items in SERVER_OWNED.values() for i in items)
    desired = {"properties": {"agentPoolProfiles": [{"name": "spot", "count": 2, "minCount": 1}]}}
    observed = {"properties": {"agentPoolProfiles": [{"name": "spot", "count": 3, "minCount": 1}]}}
    assert diff(desired, observed, kind=kind) == []
    observed["properties"]["agentPoolProfiles"][0]["minCount"] = 2
    assert [c.path for c in diff(desired, observed, kind=kind)] == [
        "properties.agentPoolProfiles[spot].minCount"
    ]


def test_an_ignored_path_covers_everything_beneath_it() -> None:
    desired = {"properties": {"pools": [{"name": "system", "count": 1}], "dns": "x"}}
    observed = {"properties": {"pools": [{"name": "system", "count": 3}], "dns": "y"}}
    assert [c.path for c in diff(desired, observed, extra_ignored=["properties.pools"])] == ["properties.dns"]


def test_resource_ids_compare_case_insensitively_but_other_strings_do_not() -> None:
    rid = "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v"
    assert diff({"id_ref": rid}, {"id_ref": rid.lower()}) == []
    assert diff({"name": "Spot"}, {"name": "spot"}) != []


def test_string_lists_are_sets_and_booleans_are_not_numbers() -> None:
    assert diff({"ranges": ["1.1.1.1/32", "2.2.2.2/32"]}, {"ranges": ["2.2.2.2/32", "1.1.1.1/32"]}) == []
    assert diff({"enabled": True}, {"enabled": 1}) != []
    assert diff({"size": 30}, {"size": 30.0}) == []


def test_kubernetes_string_lists_keep_their_order_while_arm_lists_are_sets() -> None:
    desired = {"spec": {"args": ["--a", "--b"]}}
    live = {"spec": {"args": ["--b", "--a"]}}
    assert [c.path for c in diff(desired, live, kind="apps/v1/Deployment")] == ["spec.args"]
    prefixes = {"properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16", "10.2.0.0/16"]}}}
    swapped = {"properties": {"addressSpace": {"addressPrefixes": ["10.2.0.0/16", "10.1.0.0/16"]}}}
    assert diff(prefixes, swapped, kind="Microsoft.Network/virtualNetworks") == []
