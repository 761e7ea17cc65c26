"""The plan never hides destruction, and destroy never takes what the deployment does not own.

Through the CLI against the local cloud: a changed pod CIDR plans a replacement that `--yes` alone never
approves; a foreign subnet, DNS record set and node pool planted inside owned containers are named by
`destroy --dry-run`, survive `destroy --yes`, and keep only their containers."""

from __future__ import annotations

from azure.mgmt.containerservice.models import AgentPool
from azure.mgmt.network.models import Subnet
from azure.mgmt.privatedns.models import ARecord, RecordSet

from emulator.arm.counters import read_request_log
from tests.e2e.conftest import Workspace, steps_of

RG_NET, RG_AKS = "rg-aks-demo-network", "rg-aks-demo-aks"
ZONE = "aks-demo.internal"


def _build(ws: Workspace) -> None:
    for phase in ("1", "2"):
        result = ws.cli("run", "--phase", phase, "--yes")
        assert result.code == 0, result


def _writes(ws: Workspace) -> list[dict[str, object]]:
    return [r for r in read_request_log(ws.cloud_dir) if r["method"] in ("PUT", "PATCH", "DELETE", "POST")]


def test_a_pod_cidr_change_is_a_replacement_that_yes_alone_never_approves(ws: Workspace) -> None:
    _build(ws)
    ws.write_config(lambda text: text.replace("192.168.32.0/20", "192.168.48.0/20"))

    plan = ws.cli("plan")
    assert plan.code == 0, plan
    assert "-/+ p2/cluster/aks-app2 replace" in plan.stdout
    assert "destroys and re-creates" in plan.stdout and "properties.networkProfile.podCidr" in plan.stdout
    assert "(1 to replace)" in plan.stdout
    doc = ws.json("plan", "--phase", "2")
    cluster = steps_of(doc)["p2/cluster/aks-app2"]
    assert cluster["action"] == "replace"
    assert cluster["forces_replacement"] == ["properties.networkProfile.podCidr"]
    assert doc["changes"]["replace"] == 1 and doc["changes"]["delete"] == 1 and doc["changes"]["update"] == 0

    ws.settings(request_log=True)
    refused = ws.cli("run", "--phase", "2", "--yes")
    assert refused.code == 3, refused
    assert "--allow-replace" in refused.stderr and "p2/cluster/aks-app2" in refused.stderr
    assert _writes(ws) == []  # stopped before the first write of the phase
    with ws.cloud() as az:
        live = az.containerservice().managed_clusters.get(RG_AKS, "aks-app2")
        assert live.network_profile.pod_cidr == "192.168.32.0/20"

    approved = ws.json("run", "--phase", "2", "--yes", "--allow-replace")
    assert approved["exit_code"] == 0, approved
    assert steps_of(approved)["p2/cluster/aks-app2"]["action"] == "replace"
    assert approved["changes"]["replace"] == 1
    with ws.cloud() as az:
        live = az.containerservice().managed_clusters.get(RG_AKS, "aks-app2")
        assert live.network_profile.pod_cidr == "192.168.48.0/20"
        assert {p.name for p in az.containerservice().agent_pools.list(RG_AKS, "aks-app2")} == {
            "system",
            "spot",
        }
    again = ws.json("plan", "--phase", "2")
    assert {s["action"] for s in steps_of(again).values()} == {"noop"}


def _plant_foreign(ws: Workspace) -> None:
    with ws.cloud() as az:
        az.network().subnets.begin_create_or_update(
            RG_NET, "vnet-aks-demo", "snet-someone-else", Subnet(address_prefix="10.200.0.0/24")
        ).result()
        az.privatedns().record_sets.create_or_update(
            RG_NET, ZONE, "A", "legacy-db", RecordSet(ttl=300, a_records=[ARecord(ipv4_address="10.200.0.4")])
        )
        cluster = az.containerservice().managed_clusters.get(RG_AKS, "aks-app1")
        subnet_id = cluster.agent_pool_profiles[0].vnet_subnet_id
        az.containerservice().agent_pools.begin_create_or_update(
            RG_AKS,
            "aks-app1",
            "batch",
            AgentPool(count=1, vm_size="Standard_D2s_v3", mode="User", vnet_subnet_id=subnet_id),
        ).result()


def _inventory(ws: Workspace) -> dict[str, set[str]]:
    with ws.cloud() as az:
        groups = {g.name for g in az.resource().resource_groups.list()}
        out: dict[str, set[str]] = {"groups": groups, "subnets": set(), "records": set(), "pools": set()}
        if RG_NET in groups:
            if "vnet-aks-demo" in {v.name for v in az.network().virtual_networks.list(RG_NET)}:
                out["subnets"] = {s.name for s in az.network().subnets.list(RG_NET, "vnet-aks-demo")}
            if ZONE in {z.name for z in az.privatedns().private_zones.list_by_resource_group(RG_NET)}:
                out["records"] = {r.name for r in az.privatedns().record_sets.list(RG_NET, ZONE)}
        if RG_AKS in groups:
            clusters = {c.name for c in az.containerservice().managed_clusters.list_by_resource_group(RG_AKS)}
            out["clusters"] = clusters
            for name in clusters:
                out["pools"] |= {
                    f"{name}/{p.name}" for p in az.containerservice().agent_pools.list(RG_AKS, name)
                }
        return out


def test_destroy_names_and_keeps_foreign_children_and_deletes_everything_else_it_owns(ws: Workspace) -> None:
    _build(ws)
    _plant_foreign(ws)

    preview = ws.cli("destroy", "--dry-run")
    assert preview.code == 0, preview
    for name in ("snet-someone-else", "legacy-db", "batch"):
        assert name in preview.stderr, preview.stderr
    doc = ws.json("destroy", "--dry-run")
    blocked = {s["id"]: s["blocked_by"] for s in steps_of(doc).values() if s.get("blocked_by")}
    assert set(blocked) == {"p1/vnet", "p1/private-dns-zone", "p2/cluster/aks-app1"}, blocked
    assert blocked["p2/cluster/aks-app1"] == ["node pool batch"]
    assert _inventory(ws)["pools"] >= {"aks-app1/batch", "aks-app2/spot"}  # the dry run deleted nothing

    result = ws.cli("destroy", "--yes")
    assert result.code == 1, result
    assert "hold what this deployment does not own" in result.stderr
    for name in ("snet-someone-else", "legacy-db", "batch"):
        assert name in result.stderr
    left = _inventory(ws)
    # Nothing foreign was deleted ...
    assert "snet-someone-else" in left["subnets"] and "legacy-db" in left["records"]
    assert "aks-app1/batch" in left["pools"]
    # ... what holds it, and what that depends on, is kept ...
    assert left["clusters"] == {"aks-app1"}, result.stderr[-4000:]
    assert "aks-app1/spot" not in left["pools"]  # our pool went first
    assert {"snet-app1"} <= left["subnets"]  # the kept cluster's nodes are in it
    # ... and everything else this deployment owns is gone, in both phases.
    assert "snet-app2" not in left["subnets"] and "snet-services" not in left["subnets"]
    assert {g for g in left["groups"] if not g.startswith("MC_")} == {RG_NET, RG_AKS}


def test_the_subnet_role_given_under_another_name_is_found_not_written_again(ws: Workspace) -> None:
    import uuid

    from azure.mgmt.authorization.models import RoleAssignmentCreateParameters

    from steps.names import NETWORK_CONTRIBUTOR

    _build(ws)
    with ws.cloud() as az:
        sub = az.subscription_id
        scope = (
            f"/subscriptions/{sub}/resourceGroups/{RG_NET}/providers/Microsoft.Network/"
            "virtualNetworks/vnet-aks-demo/subnets/snet-app1"
        )
        ops = az.authorization().role_assignments
        ours = list(ops.list_for_scope(scope))
        assert len(ours) == 1  # aks-app1's control-plane identity, on its own subnet
        principal = ours[0].principal_id
        for assignment in ours:
            ops.delete_by_id(assignment.id)
        role = f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{NETWORK_CONTRIBUTOR}"
        theirs = ops.create(
            scope,
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(
                role_definition_id=role, principal_id=principal, principal_type="ServicePrincipal"
            ),
        )
    plan = ws.json("plan", "--phase", "2")
    assert steps_of(plan)["p2/subnet-role/aks-app1"]["action"] == "noop", plan
    ws.settings(request_log=True)
    again = ws.json("run", "--phase", "2", "--yes")
    assert again["exit_code"] == 0 and again["api_requests"]["azure"]["write"] == 0, again
    state = ws.state_path.read_text()
    assert str(theirs.id) in state  # the role's real ID is recorded, not None
