"""Cluster Mesh conditions one by one (no cluster needed): each broken condition names its cause."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from emulator.k8s.cloudview import CloudView
from emulator.k8s.mesh import link
from emulator.k8s.meshfacts import Endpoint, MeshFacts
from emulator.k8s.nsg import Flow, blocked, decide


def _pair() -> tuple[MeshFacts, MeshFacts]:
    a = MeshFacts("/a", "aks-mgmt", 1, ["10.100.0.0/16"], "tunnel/vxlan", "", "CA", "10.1.12.4", True,
                  [Endpoint("aks-app1", "10.1.12.5", 2379)], ["10.1.0.4"])  # fmt: skip
    b = MeshFacts("/b", "aks-app1", 2, ["10.101.0.0/16"], "tunnel/vxlan", "", "CA", "10.1.12.5", True,
                  [Endpoint("aks-mgmt", "10.1.12.4", 2379)], ["10.1.4.4"])  # fmt: skip
    return a, b


def _link(tmp_path: Path, a: MeshFacts, b: MeshFacts) -> list[str]:
    return link(CloudView(tmp_path), a, b, {})


def test_a_healthy_pair_is_linked(tmp_path: Path) -> None:
    assert _link(tmp_path, *_pair()) == []


@pytest.mark.parametrize(
    ("side", "change", "cause"),
    [
        ("b", {"mesh_id": 1}, "aks-mgmt and aks-app1 have the same cluster.id 1"),
        ("b", {"mesh_id": 0}, "cluster.id of aks-app1 is 0 (must be 1-255"),
        ("b", {"mesh_id": 300}, "cluster.id of aks-app1 is 300"),
        ("b", {"pod_cidrs": ["10.100.128.0/17"]}, "pod CIDRs overlap"),
        ("b", {"name": "aks-mgmt"}, "two clusters are named 'aks-mgmt'"),
        ("b", {"tunnel": "tunnel/geneve"}, "datapath differs"),
        ("b", {"ca": "OTHER"}, "cilium-ca differs between aks-mgmt and aks-app1"),
        ("b", {"ca": None}, "no cilium-ca Secret in aks-app1"),
        ("b", {"apiserver_ready": False}, "aks-app1's clustermesh-apiserver has no ready pod"),
        (
            "b",
            {"apiserver_ip": None},
            "aks-app1's clustermesh-apiserver Service has no load-balancer address",
        ),
        ("b", {"agents": "no cilium agent pod is running"}, "aks-app1: no cilium agent pod is running"),
        ("a", {"peers": []}, "aks-mgmt does not list peer aks-app1"),
        ("a", {"peers": [Endpoint("aks-app1", "10.1.12.9", 2379)]}, "lists peer aks-app1 at 10.1.12.9:2379"),
        ("a", {"peers": [Endpoint("aks-app1", "10.1.12.5", 2380)]}, "dials aks-app1 on port 2380"),
        ("a", {"peers": [Endpoint("app-one", "10.1.12.5", 2379)]}, "lists 'app-one' at 10.1.12.5"),
    ],
)
def test_each_broken_condition_names_its_cause(
    tmp_path: Path, side: str, change: dict[str, object], cause: str
) -> None:
    a, b = _pair()
    a, b = (dataclasses.replace(a, **change), b) if side == "a" else (a, dataclasses.replace(b, **change))  # type: ignore[arg-type]
    problems = _link(tmp_path, a, b)
    assert any(cause in p for p in problems), problems


def _nsg(*rules: tuple[str, int, str, str, str, str]) -> dict[str, object]:
    return {"name": "nsg", "properties": {"securityRules": [
        {"name": n, "properties": {"priority": p, "direction": "Inbound", "access": acc, "protocol": proto,
                                   "sourceAddressPrefix": src, "destinationAddressPrefix": "*", "destinationPortRange": port}}
        for n, p, acc, proto, src, port in rules]}}  # fmt: skip


def test_nsg_rules_apply_by_priority_then_azure_defaults() -> None:
    flow = Flow("10.1.4.0/22", "10.1.0.4", "Udp", 8472)
    assert decide(None, "Inbound", flow) == (True, "no NSG")
    assert decide(_nsg(), "Inbound", flow) == (True, "AllowVnetInBound")
    deny = ("deny-vnet", 4000, "Deny", "*", "VirtualNetwork", "*")
    assert decide(_nsg(deny), "Inbound", flow) == (False, "deny-vnet")
    allow = ("allow-vxlan", 120, "Allow", "Udp", "10.1.4.0/22", "8472")
    assert decide(_nsg(allow, deny), "Inbound", flow) == (True, "allow-vxlan")
    assert decide(_nsg(allow, deny), "Inbound", dataclasses.replace(flow, protocol="Tcp"))[0] is False
    assert decide(_nsg(allow, deny), "Inbound", dataclasses.replace(flow, source="10.1.8.0/22"))[0] is False
    ranged = ("range", 100, "Allow", "*", "*", "8000-9000")
    assert decide(_nsg(ranged, deny), "Inbound", flow) == (True, "range")
    assert "denies inbound Udp 8472" in blocked(None, _nsg(deny), flow)


@pytest.mark.parametrize(
    ("side", "change", "cause"),
    [
        ("b", {"certgen": True}, "aks-app1's clustermesh-apiserver has no server certificate"),
        ("a", {"certgen": True}, "aks-mgmt has no clustermesh client certificate"),
        ("a", {"client_cert_ca": "X", "certgen": True}, "certificates were issued by different CAs"),
    ],
)
def test_certificates_from_certgen_must_exist_and_share_the_ca(
    tmp_path: Path, side: str, change: dict[str, object], cause: str
) -> None:
    a, b = _pair()
    b = dataclasses.replace(b, server_cert_ca="CA", client_cert_ca="CA")
    a = dataclasses.replace(a, server_cert_ca="CA", client_cert_ca="CA")
    if side == "b":
        b = dataclasses.replace(b, server_cert_ca=None, **change)  # type: ignore[arg-type]
    elif "client_cert_ca" in change:
        a = dataclasses.replace(a, **change)  # type: ignore[arg-type]
    else:
        a = dataclasses.replace(a, client_cert_ca=None, **change)  # type: ignore[arg-type]
    assert any(cause in p for p in _link(tmp_path, a, b)), _link(tmp_path, a, b)


def test_two_peers_with_one_cluster_id_are_both_refused() -> None:
    from emulator.k8s.mesh import id_conflicts

    own, first = _pair()
    second = dataclasses.replace(first, cluster_id="/c", name="aks-app2")
    conflicts = id_conflicts(own, [first, second])
    assert set(conflicts) == {"/b", "/c"}
    assert conflicts["/c"] == [
        "aks-app1 and aks-app2 have the same cluster.id 2 (aks-mgmt connects to one only)"
    ]
    assert id_conflicts(own, [first, dataclasses.replace(second, mesh_id=3)]) == {}
