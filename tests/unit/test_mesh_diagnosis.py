"""The product's own mesh diagnosis (steps.phase3.meshcheck, steps.phase3.nsg_path): each broken
condition is named, a sound mesh has no problem, and NSG evaluation follows Azure's order."""

from __future__ import annotations

from types import SimpleNamespace

from steps.phase3.meshcheck import MeshView, identity_problems, listing_problems
from steps.phase3.nsg_path import Flow, deciding_rule, inbound_rules

VNET = ["10.0.0.0/8"]


def _views() -> list[MeshView]:
    ips = {"aks-mgmt": "10.4.0.254", "aks-app1": "10.4.0.253", "aks-app2": "10.4.0.252"}
    views = []
    for i, name in enumerate(ips, 1):
        peers = {p: (ip, 2379) for p, ip in ips.items() if p != name}
        views.append(MeshView(name, True, name, str(i), [f"10.{100 + i}.0.0/16"], "ca1", ips[name], peers))
    return views


def test_a_sound_mesh_has_no_problem() -> None:
    views = _views()
    assert identity_problems(views) == [] and listing_problems(views) == []


def test_each_identity_break_is_named() -> None:
    views = _views()
    views[2].mesh_id = "2"
    views[1].ca = "ca2"
    views[0].pod_cidrs = ["10.102.0.0/16"]
    problems = identity_problems(views)
    assert "aks-app1 and aks-app2 have the same cluster-id 2 (cilium-config)" in problems
    assert any("different cilium-ca" in p and "aks-app1 ca2" in p for p in problems)
    assert any(p.startswith("pod CIDRs overlap: aks-mgmt") for p in problems)


def test_an_id_out_of_range_and_a_missing_ca_are_named() -> None:
    views = _views()
    views[0].mesh_id, views[1].ca = "0", None
    problems = identity_problems(views)
    assert "aks-mgmt has cluster-id '0' (cilium-config; must be 1-255)" in problems
    assert "aks-app1 has no kube-system/cilium-ca Secret" in problems


def test_a_wrong_or_missing_peer_and_a_pending_ip_are_named() -> None:
    views = _views()
    views[0].peers["aks-app2"] = ("10.4.0.200", 2379)
    del views[1].peers["aks-mgmt"]
    views[2].apiserver_ip = None
    problems = listing_problems(views)
    assert "aks-app1 does not list peer aks-mgmt (cilium-clustermesh)" in problems
    assert "aks-app2's clustermesh-apiserver Service has no load-balancer IP" in problems
    views[2].apiserver_ip = "10.4.0.252"
    assert (
        "aks-mgmt dials peer aks-app2 at 10.4.0.200:2379, but aks-app2's clustermesh-apiserver is at"
        " 10.4.0.252:2379"
    ) in listing_problems(views)


def _rule(name: str, priority: int, access: str, source: str, port: str, protocol: str = "Tcp") -> object:
    """A rule shaped as the SDK returns it: access, direction and protocol are its enums."""
    from azure.mgmt.network.models import SecurityRuleAccess, SecurityRuleDirection, SecurityRuleProtocol

    return SimpleNamespace(
        name=name,
        priority=priority,
        access=SecurityRuleAccess(access),
        direction=SecurityRuleDirection.INBOUND,
        protocol=SecurityRuleProtocol(protocol),
        source_address_prefix=source,
        source_address_prefixes=None,
        destination_address_prefix="*",
        destination_address_prefixes=None,
        destination_port_range=port,
        destination_port_ranges=None,
    )


def test_nsg_rules_decide_in_priority_order_with_azure_defaults() -> None:
    flow = Flow("10.1.0.0/16", "10.4.0.253", "Tcp", 2379)
    allow = _rule("allow-mesh", 100, "Allow", "10.1.0.0/16", "2379-2380")
    deny = _rule("deny-vnet", 4000, "Deny", "VirtualNetwork", "*", protocol="*")
    assert (
        deciding_rule(inbound_rules(SimpleNamespace(security_rules=[deny, allow])), flow, VNET)
        == (inbound_rules(SimpleNamespace(security_rules=[allow]))[0])
    )
    early_deny = _rule("someone-elses", 90, "Deny", "*", "2379")
    rules = inbound_rules(SimpleNamespace(security_rules=[allow, early_deny, deny]))
    decided = deciding_rule(rules, flow, VNET)
    assert decided is not None and (decided.name, decided.access) == ("someone-elses", "Deny")
    udp = Flow("10.1.0.0/16", "10.2.0.4", "Udp", 8472)
    decided = deciding_rule(inbound_rules(SimpleNamespace(security_rules=[allow, deny])), udp, VNET)
    assert decided is not None and decided.name == "deny-vnet"  # the TCP rule does not carry UDP
    decided = deciding_rule(inbound_rules(SimpleNamespace(security_rules=[])), udp, VNET)
    assert decided is not None and decided.name == "AllowVnetInBound"  # Azure's default within the VNet
    outside = Flow("203.0.113.0/24", "10.2.0.4", "Udp", 8472)
    decided = deciding_rule(inbound_rules(SimpleNamespace(security_rules=[])), outside, VNET)
    assert decided is not None and decided.name == "DenyAllInBound"
