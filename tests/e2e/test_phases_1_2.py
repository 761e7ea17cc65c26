"""Phases 1-2 through the CLI against the local cloud: plan, run, re-run, drift, destroy."""

from __future__ import annotations

import stat
from typing import Any

import kubernetes
import yaml

from steps.names import clusters_rg, network_rg
from tests.e2e.conftest import Workspace, steps_of
from tests.support.secrets import find_secrets

RG_NET, RG_AKS = "rg-aks-demo-network", "rg-aks-demo-aks"


def _build(ws: Workspace) -> None:
    for phase in ("1", "2"):
        result = ws.cli("run", "--phase", phase, "--yes")
        assert result.code == 0, result


def _p12(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The steps of phases 1-2 in a plan or run of every phase (phase 3 is not built by these tests)."""
    return {sid: s for sid, s in steps_of(doc).items() if sid.startswith(("p1/", "p2/"))}


def _rerun(ws: Workspace) -> dict[str, Any]:
    """Run phases 1 and 2 again; the two documents' counts added up."""
    docs = [ws.json("run", "--phase", phase, "--yes") for phase in ("1", "2")]
    return {
        "exit_code": max(d["exit_code"] for d in docs),
        "writes": sum(d["api_requests"]["azure"]["write"] for d in docs),
        "changes": {k: sum(d["changes"][k] for d in docs) for k in docs[0]["changes"]},
        "docs": docs,
    }


def test_plan_shows_every_resource_then_run_builds_it_and_a_rerun_writes_nothing(ws: Workspace) -> None:
    plan = ws.json("plan")
    steps = _p12(plan)
    assert plan["exit_code"] == 0 and {s["action"] for s in steps.values()} == {"create"}
    assert len(steps) == 12 + 16
    cluster = steps["p2/cluster/aks-app1"]["changes"]
    for field in (
        "properties.networkProfile.podCidr",
        "properties.networkProfile.networkPlugin",
        "properties.apiServerAccessProfile.authorizedIPRanges",
        "properties.oidcIssuerProfile.enabled",
    ):
        assert field in cluster
    assert (
        "properties.securityRules[allow-mesh-vxlan].properties.destinationPortRange"
        in steps["p1/nsg/app1"]["changes"]
    )
    assert plan["api_requests"]["azure"]["write"] == 0

    _build(ws)
    with ws.cloud() as az:
        mc = az.containerservice().managed_clusters.get(RG_AKS, "aks-app1")
        assert (
            mc.network_profile.network_plugin == "none" and mc.network_profile.pod_cidr == "192.168.16.0/20"
        )
        assert mc.api_server_access_profile.authorized_ip_ranges == ["127.0.0.1/32"]
        assert mc.oidc_issuer_profile.issuer_url and mc.security_profile.workload_identity.enabled
        spot = az.containerservice().agent_pools.get(RG_AKS, "aks-app1", "spot")
        assert (spot.scale_set_priority, spot.scale_set_eviction_policy, spot.spot_max_price) == (
            "Spot",
            "Delete",
            -1,
        )
        assert (spot.min_count, spot.max_count, spot.os_disk_type, spot.os_disk_size_gb) == (
            1,
            3,
            "Ephemeral",
            30,
        )
        system = az.containerservice().agent_pools.get(RG_AKS, "aks-app1", "system")
        assert (system.mode, system.scale_set_priority or "Regular", system.count) == ("System", "Regular", 1)
        nsg = az.network().network_security_groups.get(RG_NET, "nsg-aks-demo-app1")
        rules = {r.name: r for r in nsg.security_rules}
        assert rules["allow-mesh-vxlan"].source_address_prefixes == ["10.1.0.0/16", "10.3.0.0/16"]
        assert "allow-ingress-http" in rules
        mgmt_rules = {
            r.name
            for r in az.network().network_security_groups.get(RG_NET, "nsg-aks-demo-mgmt").security_rules
        }
        assert "allow-ingress-http" not in mgmt_rules
        subnet = az.network().subnets.get(RG_NET, "vnet-aks-demo", "snet-app1")
        assert subnet.network_security_group.id.lower().endswith("/nsg-aks-demo-app1")

    after = ws.json("plan")
    assert {s["action"] for s in _p12(after).values()} == {"noop"}
    again = _rerun(ws)
    assert again["exit_code"] == 0 and again["writes"] == 0
    assert again["changes"]["noop"] == 28

    state = ws.state_path.read_text()
    cluster_outputs = yaml.safe_load(state)["steps"]["p2/cluster/aks-mgmt"]["outputs"]
    assert {"id", "fqdn", "nodeResourceGroup", "oidcIssuerUrl"} <= set(cluster_outputs)
    assert find_secrets(state) == []


def test_drift_is_reported_as_exactly_the_changed_fields_and_repaired_by_one_update_each(
    ws: Workspace,
) -> None:
    _build(ws)
    with ws.cloud() as az:
        net = az.network()
        nsg = net.network_security_groups.get(RG_NET, "nsg-aks-demo-app2")
        for rule in nsg.security_rules:
            if rule.name == "allow-mesh-health":
                rule.destination_port_range = "4241"
        net.network_security_groups.begin_create_or_update(RG_NET, "nsg-aks-demo-app2", nsg).result()
        aks = az.containerservice()
        mc = aks.managed_clusters.get(RG_AKS, "aks-mgmt")
        mc.api_server_access_profile.authorized_ip_ranges = ["127.0.0.1/32", "198.51.100.7/32"]
        aks.managed_clusters.begin_create_or_update(RG_AKS, "aks-mgmt", mc).result()
        pool = aks.agent_pools.get(RG_AKS, "aks-app2", "spot")
        pool.max_count = 5
        aks.agent_pools.begin_create_or_update(RG_AKS, "aks-app2", "spot", pool).result()

    plan = ws.json("plan")
    changed = {sid: s["changes"] for sid, s in _p12(plan).items() if s["action"] != "noop"}
    assert changed == {
        "p1/nsg/app2": ["properties.securityRules[allow-mesh-health].properties.destinationPortRange"],
        "p2/cluster/aks-mgmt": ["properties.apiServerAccessProfile.authorizedIPRanges"],
        "p2/pool/aks-app2/spot": ["properties.maxCount"],
    }
    repair = _rerun(ws)
    assert repair["exit_code"] == 0, repair
    assert repair["changes"]["update"] == 3 and repair["writes"] == 3
    assert {s["action"] for s in _p12(ws.json("plan")).values()} == {"noop"}


def test_node_counts_moved_by_the_autoscaler_are_not_drift(ws: Workspace) -> None:
    _build(ws)
    ws.autoscale("aks-app1", "spot", 3)
    ws.autoscale("aks-mgmt", "spot", 2)
    plan = ws.json("plan")
    assert {s["action"] for s in _p12(plan).values()} == {"noop"}, plan
    again = _rerun(ws)
    assert again["writes"] == 0
    with ws.cloud() as az:
        assert az.containerservice().agent_pools.get(RG_AKS, "aks-app1", "spot").count == 3


def test_kubeconfig_files_are_private_and_reach_each_cluster(ws: Workspace) -> None:
    _build(ws)
    result = ws.cli("kubeconfig", "--dir", "kube")
    assert result.code == 0, result
    with ws.cloud():  # the local cloud serving again, as `python -m emulator serve` would for kubectl
        for name in ("aks-mgmt", "aks-app1", "aks-app2"):
            path = ws.root / "kube" / f"{name}.kubeconfig"
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            api = kubernetes.config.new_client_from_config_dict(yaml.safe_load(path.read_text()))
            nodes = kubernetes.client.CoreV1Api(api).list_node().items
            spot = [
                n for n in nodes if n.metadata.labels.get("kubernetes.azure.com/scalesetpriority") == "spot"
            ]
            assert (len(nodes), len(spot)) == (1 + {"aks-mgmt": 1}.get(name, 2), {"aks-mgmt": 1}.get(name, 2))
    assert "client-key-data" not in ws.state_path.read_text() and "token" not in ws.state_path.read_text()


def test_kubeconfig_merge_keeps_the_users_other_contexts(ws: Workspace, monkeypatch) -> None:
    _build(ws)
    home = ws.root / "home" / ".kube" / "config"
    home.parent.mkdir(parents=True)
    home.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "mine",
                "clusters": [{"name": "mine", "cluster": {"server": "https://10.9.9.9"}}],
                "users": [{"name": "me", "user": {"token": "x"}}],
                "contexts": [{"name": "mine", "context": {"cluster": "mine", "user": "me"}}],
            }
        )
    )
    from tests.support.cli import run_cli

    result = run_cli(
        ["--cloud", "local", "kubeconfig", "--merge"], cwd=ws.root, env={"KUBECONFIG": str(home)}
    )
    assert result.code == 0, result
    merged = yaml.safe_load(home.read_text())
    assert merged["current-context"] == "mine"
    assert {c["name"] for c in merged["contexts"]} == {"mine", "aks-mgmt", "aks-app1", "aks-app2"}
    assert len(merged["clusters"]) == 4 and stat.S_IMODE(home.stat().st_mode) == 0o600


def test_destroy_removes_everything_in_reverse_order(ws: Workspace) -> None:
    _build(ws)
    result = ws.json("destroy", "--yes")
    assert result["exit_code"] == 0, result
    assert [p["number"] for p in result["phases"]] == [3, 2, 1]  # phase 3 was not built: nothing to do
    with ws.cloud() as az:
        groups = {g.name for g in az.resource().resource_groups.list()}
    assert not groups & {network_rg_name(), clusters_rg_name()}
    assert not any(g.startswith("MC_") for g in groups)


def test_destroy_keeps_a_resource_group_holding_foreign_resources_and_names_them(ws: Workspace) -> None:
    _build(ws)
    with ws.cloud() as az:
        az.network().network_security_groups.begin_create_or_update(
            RG_NET, "nsg-someone-else", {"location": "koreacentral", "tags": {"owner": "another-team"}}
        ).result()
    result = ws.cli("destroy", "--yes")
    assert result.code == 1, result
    assert "Microsoft.Network/networkSecurityGroups/nsg-someone-else" in result.stderr + result.stdout
    with ws.cloud() as az:
        assert az.resource().resource_groups.check_existence(RG_NET)
        assert [n.name for n in az.network().network_security_groups.list(RG_NET)] == ["nsg-someone-else"]
        assert not az.resource().resource_groups.check_existence(RG_AKS)


def network_rg_name() -> str:
    from orchestrator.config.model import Deployment

    return network_rg(Deployment())


def clusters_rg_name() -> str:
    from orchestrator.config.model import Deployment

    return clusters_rg(Deployment())
