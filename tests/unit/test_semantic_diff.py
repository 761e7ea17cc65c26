"""A live resource in the shapes real Azure answers plans as no-op; one real change shows as that field.

Each case reads a fixture under tests/fixtures/azure/ (written in the shapes the REST API returns:
capitalised or lower-case enums, `resourcegroups` in IDs, plural forms, omitted defaults, empty plural
NSG fields, lists in another order) through the SDK model the step's client returns, and plans it with
the real step class against the default config's desired state.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from azure.mgmt.authorization.v2022_04_01.models import RoleAssignment
from azure.mgmt.containerservice.models import AgentPool, ManagedCluster
from azure.mgmt.msi.v2024_11_30.models import Identity
from azure.mgmt.network.models import NetworkSecurityGroup, Subnet, VirtualNetwork
from azure.mgmt.privatedns.models import PrivateZone, VirtualNetworkLink
from azure.mgmt.resource.resources.models import ResourceGroup

from orchestrator.config.model import ApiAccess, Deployment
from orchestrator.egress import EgressIp
from orchestrator.engine.change import Action, Change
from orchestrator.engine.context import StepContext
from orchestrator.engine.diff import diff
from orchestrator.engine.semantics import RULES, Compare, same
from orchestrator.errors import CloudError
from state.store import StateStore
from steps.arm import ArmStep, merge, to_rest
from steps.clusters import phase2_steps
from steps.names import NETWORK_CONTRIBUTOR
from steps.network import phase1_steps

FIXTURES = Path(__file__).parents[1] / "fixtures" / "azure"
SUB = "3f2b8c1d-6a4e-4f7b-9c2d-1e5a7b9c0d3f"
OPERATOR_IP = "203.0.113.7"
PRINCIPAL = "7c1e4b2a-90d3-4f6e-8a5b-2d9c0e1f3a47"
IDENTITY_ID = (
    f"/subscriptions/{SUB}/resourceGroups/rg-aks-demo-aks/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-app1-cp"
)
NETWORK = f"/subscriptions/{SUB}/resourceGroups/rg-aks-demo-network/providers/Microsoft.Network"
SUBNET_ID = f"{NETWORK}/virtualNetworks/vnet-aks-demo/subnets/snet-app1"
ABSENT = object()  # an edit that removes the field


@dataclass(frozen=True)
class Case:
    step_id: str
    fixture: str
    model: type  # the SDK model the step's client deserialises the answer into


CASES: Mapping[str, Case] = {
    "resource-group": Case("p1/resource-group/rg-aks-demo-network", "resource-group-network", ResourceGroup),
    "vnet": Case("p1/vnet", "virtual-network", VirtualNetwork),
    "nsg-app1": Case("p1/nsg/app1", "network-security-group-app1", NetworkSecurityGroup),
    "nsg-services": Case("p1/nsg/services", "network-security-group-services", NetworkSecurityGroup),
    "subnet-app1": Case("p1/subnet/app1", "subnet-app1", Subnet),
    "subnet-services": Case("p1/subnet/services", "subnet-services", Subnet),
    "dns-zone": Case("p1/private-dns-zone", "private-dns-zone", PrivateZone),
    "dns-link": Case("p1/private-dns-link", "private-dns-zone-link", VirtualNetworkLink),
    "identity": Case("p2/identity/aks-app1", "user-assigned-identity-aks-app1", Identity),
    "role": Case("p2/subnet-role/aks-app1", "role-assignment-aks-app1", RoleAssignment),
    "cluster": Case("p2/cluster/aks-app1", "managed-cluster-aks-app1", ManagedCluster),
    "system-pool": Case("p2/pool/aks-app1/system", "agent-pool-aks-app1-system", AgentPool),
    "spot-pool": Case("p2/pool/aks-app1/spot", "agent-pool-aks-app1-spot", AgentPool),
}

Edits = Mapping[tuple[str, ...], Any]  # path (a list is entered by item name) -> new value or ABSENT


@dataclass(frozen=True)
class Variant:
    case: str
    what: str
    edits: Edits


@dataclass(frozen=True)
class Drift:
    case: str
    what: str
    edits: Edits
    field: str  # the one field the plan must show
    replaces: bool = False


NET = ("properties", "networkProfile")
RULE = ("properties", "securityRules")
ROLE_DEFINITION = ("properties", "roleDefinitionId")

# Spellings of the same value: each must still plan as no-op (and never as a replacement).
SPELLINGS = (
    Variant("resource-group", "region as a display name", {("location",): "Korea Central"}),
    Variant(
        "vnet", "a prefix with host bits", {("properties", "addressSpace", "addressPrefixes"): ["10.1.2.3/8"]}
    ),
    Variant(
        "nsg-app1", "protocol in lower case", {(*RULE, "allow-mesh-health", "properties", "protocol"): "tcp"}
    ),
    Variant(
        "nsg-app1",
        "service tag in another case",
        {(*RULE, "deny-vnet-inbound", "properties", "sourceAddressPrefix"): "virtualNetwork"},
    ),
    Variant(
        "nsg-app1",
        "a single prefix answered as a one-item list",
        {
            (*RULE, "allow-intra-subnet", "properties", "sourceAddressPrefix"): ABSENT,
            (*RULE, "allow-intra-subnet", "properties", "sourceAddressPrefixes"): ["10.2.0.0/16"],
        },
    ),
    Variant(
        "nsg-services",
        "access and direction in upper case",
        {
            (*RULE, "deny-vnet-inbound", "properties", "access"): "DENY",
            (*RULE, "deny-vnet-inbound", "properties", "direction"): "INBOUND",
        },
    ),
    Variant(
        "subnet-app1",
        "singular and plural prefix both answered",
        {("properties", "addressPrefix"): "10.2.0.0/16"},
    ),
    Variant(
        "subnet-services",
        "NSG ID in another case",
        {
            (
                "properties",
                "networkSecurityGroup",
                "id",
            ): f"{NETWORK}/networkSecurityGroups/nsg-aks-demo-services".upper()
        },
    ),
    Variant("dns-link", "registration answered as false", {("properties", "registrationEnabled"): False}),
    Variant(
        "role",
        "role definition in the subscription form",
        {
            ROLE_DEFINITION: f"/subscriptions/{SUB}/providers/microsoft.authorization/roleDefinitions/{NETWORK_CONTRIBUTOR.upper()}"
        },
    ),
    Variant("role", "principal type in another case", {("properties", "principalType"): "servicePrincipal"}),
    Variant(
        "cluster",
        "lower-case enums",
        {(*NET, "loadBalancerSku"): "standard", (*NET, "outboundType"): "loadbalancer"},
    ),
    Variant(
        "cluster",
        "defaults left out",
        {
            ("properties", "enableRBAC"): ABSENT,
            (*NET, "loadBalancerSku"): ABSENT,
            (*NET, "outboundType"): ABSENT,
            ("sku", "tier"): ABSENT,
        },
    ),
    Variant(
        "cluster",
        "singular CIDRs answered too",
        {(*NET, "podCidr"): "192.168.16.0/20", (*NET, "serviceCidr"): "172.16.0.0/16"},
    ),
    Variant("cluster", "a pod CIDR with host bits", {(*NET, "podCidrs"): ["192.168.17.9/20"]}),
    Variant(
        "cluster",
        "an authorized IP without /32",
        {("properties", "apiServerAccessProfile", "authorizedIPRanges"): [OPERATOR_IP]},
    ),
    Variant(
        "cluster",
        "identity key as we spell it",
        {("identity", "userAssignedIdentities"): {IDENTITY_ID: {"principalId": PRINCIPAL}}},
    ),
    Variant("cluster", "identity type in lower case", {("identity", "type"): "userassigned"}),
    Variant("cluster", "DNS prefix in upper case", {("properties", "dnsPrefix"): "AKS-DEMO-AKS-APP1"}),
    Variant("system-pool", "VM size in lower case", {("properties", "vmSize"): "standard_d2s_v3"}),
    Variant(
        "system-pool",
        "enums in lower case",
        {("properties", "mode"): "system", ("properties", "osDiskType"): "ephemeral"},
    ),
    Variant(
        "system-pool",
        "OS type and pool type left out",
        {("properties", "osType"): ABSENT, ("properties", "type"): ABSENT},
    ),
    Variant("spot-pool", "priority in upper case", {("properties", "scaleSetPriority"): "SPOT"}),
    Variant("spot-pool", "eviction policy answered", {("properties", "scaleSetEvictionPolicy"): "delete"}),
    Variant("spot-pool", "price cap left out", {("properties", "spotMaxPrice"): ABSENT}),
    Variant(
        "spot-pool",
        "subnet ID in upper case",
        {("properties", "vnetSubnetID"): SUBNET_ID.upper()},
    ),
)

OTHER_ROLE = "acdd72a7-3385-48ef-bd42-f606fba81ae7"  # Reader

# One real change each: the plan shows exactly that field (and a replacement where it cannot change in place).
DRIFTS = (
    Drift("resource-group", "a tag value", {("tags", "environment"): "prod"}, "tags.environment"),
    Drift(
        "resource-group", "a tag value in another case", {("tags", "environment"): "Demo"}, "tags.environment"
    ),
    Drift(
        "vnet",
        "the address space",
        {("properties", "addressSpace", "addressPrefixes"): ["10.0.0.0/16"]},
        "properties.addressSpace.addressPrefixes",
    ),
    Drift(
        "nsg-app1",
        "a port",
        {(*RULE, "allow-mesh-vxlan", "properties", "destinationPortRange"): "8473"},
        "properties.securityRules[allow-mesh-vxlan].properties.destinationPortRange",
    ),
    Drift(
        "nsg-app1",
        "a peer left out",
        {(*RULE, "allow-mesh-health", "properties", "sourceAddressPrefixes"): ["10.1.0.0/16"]},
        "properties.securityRules[allow-mesh-health].properties.sourceAddressPrefixes",
    ),
    Drift(
        "nsg-services",
        "allow turned into deny",
        {(*RULE, "allow-mesh-apiserver", "properties", "access"): "Deny"},
        "properties.securityRules[allow-mesh-apiserver].properties.access",
    ),
    Drift(
        "subnet-app1",
        "the prefix",
        {("properties", "addressPrefixes"): ["10.2.0.0/17"]},
        "properties.addressPrefix",
    ),
    Drift(
        "subnet-services",
        "another NSG",
        {("properties", "networkSecurityGroup", "id"): f"{NETWORK}/networkSecurityGroups/nsg-other"},
        "properties.networkSecurityGroup.id",
    ),
    Drift("dns-zone", "a tag", {("tags", "managed-by"): "terraform"}, "tags.managed-by"),
    Drift(
        "dns-link",
        "auto-registration on",
        {("properties", "registrationEnabled"): True},
        "properties.registrationEnabled",
    ),
    Drift("identity", "another region", {("location",): "koreasouth"}, "location"),
    Drift(
        "role",
        "another role",
        {ROLE_DEFINITION: f"/providers/Microsoft.Authorization/roleDefinitions/{OTHER_ROLE}"},
        "properties.roleDefinitionId",
    ),
    Drift(
        "role",
        "another principal",
        {("properties", "principalId"): "00000000-0000-0000-0000-000000000001"},
        "properties.principalId",
    ),
    Drift(
        "cluster",
        "another pod CIDR",
        {(*NET, "podCidrs"): ["192.168.48.0/20"]},
        "properties.networkProfile.podCidr",
        replaces=True,
    ),
    Drift(
        "cluster",
        "another service CIDR",
        {(*NET, "serviceCidrs"): ["172.17.0.0/16"]},
        "properties.networkProfile.serviceCidr",
        replaces=True,
    ),
    Drift(
        "cluster",
        "another outbound type",
        {(*NET, "outboundType"): "userDefinedRouting"},
        "properties.networkProfile.outboundType",
        replaces=True,
    ),
    Drift(
        "cluster",
        "another DNS prefix",
        {("properties", "dnsPrefix"): "aks-demo-aks-app9"},
        "properties.dnsPrefix",
        replaces=True,
    ),
    Drift("cluster", "RBAC off", {("properties", "enableRBAC"): False}, "properties.enableRBAC"),
    Drift(
        "cluster",
        "the operator IP missing",
        {("properties", "apiServerAccessProfile", "authorizedIPRanges"): ["198.51.100.7/32"]},
        "properties.apiServerAccessProfile.authorizedIPRanges",
    ),
    Drift(
        "cluster",
        "another control-plane identity",
        {
            ("identity", "userAssignedIdentities"): {
                IDENTITY_ID.replace("id-aks-app1-cp", "id-other"): {"principalId": PRINCIPAL}
            }
        },
        f"identity.userAssignedIdentities[{IDENTITY_ID}]",
    ),
    Drift("cluster", "a tier", {("sku", "tier"): "Standard"}, "sku.tier"),
    Drift(
        "system-pool",
        "autoscaling on",
        {("properties", "enableAutoScaling"): True},
        "properties.enableAutoScaling",
    ),
    Drift("system-pool", "a node count", {("properties", "count"): 2}, "properties.count"),
    Drift(
        "spot-pool",
        "another eviction policy",
        {("properties", "scaleSetEvictionPolicy"): "Deallocate"},
        "properties.scaleSetEvictionPolicy",
        replaces=True,
    ),
    Drift(
        "spot-pool",
        "a Regular pool",
        {("properties", "scaleSetPriority"): "Regular"},
        "properties.scaleSetPriority",
        replaces=True,
    ),
    Drift(
        "spot-pool",
        "a price cap",
        {("properties", "spotMaxPrice"): 0.05},
        "properties.spotMaxPrice",
        replaces=True,
    ),
    Drift(
        "spot-pool",
        "another VM size",
        {("properties", "vmSize"): "Standard_D4s_v3"},
        "properties.vmSize",
        replaces=True,
    ),
    Drift("spot-pool", "a maximum count", {("properties", "maxCount"): 5}, "properties.maxCount"),
)


# -- harness ------------------------------------------------------------------------------------------
class MemoryBackend:
    def describe(self) -> str:
        return "memory"

    def load(self) -> dict[str, Any] | None:
        return None

    def save(self, document: dict[str, Any]) -> None:
        pass

    def acquire(self, command: str) -> None:
        pass

    def release(self) -> None:
        pass


def context(config: Deployment) -> StepContext:
    store = StateStore(MemoryBackend(), "aks-demo", cloud="azure")
    store.update_step("p2/identity/aks-app1", outputs={"principalId": PRINCIPAL})
    services = SimpleNamespace(
        azure=SimpleNamespace(subscription_id=SUB), egress=EgressIp(lambda: OPERATOR_IP)
    )
    return StepContext(
        step_id="test",
        deployment="aks-demo",
        config=config,
        store=store,
        services=services,
        cancel=threading.Event(),
        deadline=float("inf"),
    )


def all_steps(config: Deployment) -> dict[str, ArmStep]:
    return {s.id: s for s in (*phase1_steps(config), *phase2_steps(config))}


def fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return document


def as_observed(model: type, document: Mapping[str, Any]) -> dict[str, Any]:
    """The document as the step sees it: deserialised by the SDK model, then back to its REST shape."""
    if hasattr(model, "_attribute_map"):  # msrest models (msi, authorization)
        return to_rest(model.deserialize(dict(document)))  # type: ignore[attr-defined]
    return to_rest(model(copy.deepcopy(dict(document))))


def edited(document: Mapping[str, Any], edits: Edits) -> dict[str, Any]:
    out = copy.deepcopy(dict(document))
    for path, value in edits.items():
        parent: Any = out
        for key in path[:-1]:
            parent = _child(parent, key)
        if value is ABSENT:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copy.deepcopy(value)
    return out


def _child(parent: Any, key: str) -> Any:
    if isinstance(parent, list):  # a named list: the item of that name
        return next(item for item in parent if item["name"] == key)
    return parent.setdefault(key, {})


@dataclass
class Planner:
    monkeypatch: pytest.MonkeyPatch
    config: Deployment = field(default_factory=Deployment)

    def prepare(self, case: str, edits: Edits | None = None) -> tuple[ArmStep, StepContext]:
        """The case's step, observing its fixture (with `edits`), and a context to plan it in."""
        spec = CASES[case]
        step = all_steps(self.config)[spec.step_id]
        live = as_observed(spec.model, edited(fixture(spec.fixture), edits or {}))
        self.monkeypatch.setattr(step, "observe", lambda ctx: live)
        return step, context(self.config)

    def plan(self, case: str, edits: Edits | None = None) -> Change:
        step, ctx = self.prepare(case, edits)
        return step.plan(ctx)[0]


@pytest.fixture
def planner(monkeypatch: pytest.MonkeyPatch) -> Planner:
    return Planner(monkeypatch)


def by_what(items: tuple[Any, ...]) -> list[Any]:
    return [pytest.param(item, id=f"{item.case}: {item.what}") for item in items]


# -- the fixtures plan as no-op ------------------------------------------------------------------------
def test_every_step_of_phases_1_2_has_a_kind_and_every_kind_a_fixture() -> None:
    steps = all_steps(Deployment())
    kinds = {s.kind.split("#")[0] for s in steps.values()}
    assert "*" not in kinds
    covered = {steps[c.step_id].kind.split("#")[0] for c in CASES.values()}
    assert kinds == covered
    assert kinds <= set(RULES)


@pytest.mark.parametrize("case", list(CASES))
def test_a_live_resource_in_azure_shapes_plans_as_noop(planner: Planner, case: str) -> None:
    change = planner.plan(case)
    assert change.field_paths() == []
    assert change.action is Action.NOOP


@pytest.mark.parametrize("variant", by_what(SPELLINGS))
def test_another_spelling_of_the_same_value_plans_as_noop(planner: Planner, variant: Variant) -> None:
    change = planner.plan(variant.case, variant.edits)
    assert change.field_paths() == []
    assert change.action is Action.NOOP


@pytest.mark.parametrize("drift", by_what(DRIFTS))
def test_a_real_change_shows_as_exactly_its_field(planner: Planner, drift: Drift) -> None:
    change = planner.plan(drift.case, drift.edits)
    assert change.field_paths() == [drift.field]
    assert change.replace is drift.replaces


def test_authorized_ranges_are_a_set_of_networks(planner: Planner) -> None:
    planner.config = Deployment(api_access=ApiAccess(authorized_ranges=["198.51.100.0/24", "192.0.2.10"]))
    live_ranges = ["192.0.2.10/32", OPERATOR_IP, "198.51.100.0/24"]
    ranges = ("properties", "apiServerAccessProfile", "authorizedIPRanges")
    assert planner.plan("cluster", {ranges: live_ranges}).is_noop
    assert planner.plan("cluster", {ranges: live_ranges[:2]}).field_paths() == [".".join(ranges)]


def test_the_system_pool_refuses_a_real_size_change_but_not_a_spelling(planner: Planner) -> None:
    assert planner.plan("system-pool", {("properties", "vmSize"): "STANDARD_D2S_V3"}).is_noop
    with pytest.raises(CloudError) as refused:
        planner.plan("system-pool", {("properties", "vmSize"): "Standard_D4s_v3"})
    assert refused.value.code == "SystemPoolImmutable"


def test_a_new_resource_lists_every_field_it_will_get() -> None:
    desired = {"properties": {"enableAutoScaling": False, "scaleSetPriority": "Spot"}}
    paths = [
        c.path for c in diff(desired, None, kind="Microsoft.ContainerService/managedClusters/agentPools")
    ]
    assert paths == ["properties.enableAutoScaling", "properties.scaleSetPriority"]


def test_undeclared_fields_stay_case_sensitive() -> None:
    kind = "Microsoft.ContainerService/managedClusters"
    assert [c.path for c in diff({"tags": {"tier": "Two"}}, {"tags": {"tier": "two"}}, kind=kind)] == [
        "tags.tier"
    ]
    assert [c.path for c in diff({"name": "aks-app1"}, {"name": "AKS-APP1"}, kind=kind)] == ["name"]


# -- the tables ----------------------------------------------------------------------------------------
def test_every_rule_says_why_and_each_path_is_declared_once() -> None:
    for kind, rules in RULES.items():
        assert all(r.reason for r in rules), kind
        paths = [r.path for r in rules]
        assert len(paths) == len(set(paths)), kind


COMPARISONS: tuple[tuple[Compare, Any, Any, bool], ...] = (
    (Compare.ENUM, "Standard", "standard", True),
    (Compare.ENUM, "Standard", "Basic", False),
    (
        Compare.RESOURCE_ID,
        "/subscriptions/s/resourceGroups/RG/x",
        "/subscriptions/S/resourcegroups/rg/x/",
        True,
    ),
    (
        Compare.ROLE_DEFINITION,
        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ABC",
        "/providers/Microsoft.Authorization/roleDefinitions/abc",
        True,
    ),
    (
        Compare.ROLE_DEFINITION,
        "/providers/Microsoft.Authorization/roleDefinitions/abc",
        "/providers/Microsoft.Authorization/roleDefinitions/abd",
        False,
    ),
    (Compare.CIDR, "10.1.0.0/16", "10.1.7.9/16", True),
    (Compare.CIDR, "10.1.0.0/16", "10.1.0.0/17", False),
    (Compare.CIDR, "fd00::/64", "fd00:0:0:0::/64", True),
    (Compare.CIDR_SET, ["1.2.3.4/32", "10.0.0.0/8"], ["10.0.0.0/8", "1.2.3.4"], True),
    (Compare.CIDR_SET, ["1.2.3.4/32"], ["1.2.3.4/32", "5.6.7.8/32"], False),
    (Compare.ADDRESS_PREFIX, "VirtualNetwork", "virtualnetwork", True),
    (Compare.ADDRESS_PREFIX, "10.2.0.0/16", "10.2.0.0/16", True),
    (Compare.ADDRESS_PREFIX, "Internet", "10.2.0.0/16", False),
    (Compare.IP, "172.16.0.10", "172.16.0.10", True),
    (Compare.IP, "172.16.0.10", "172.16.0.11", False),
    (Compare.LOCATION, "koreacentral", "Korea Central", True),
    (Compare.SET, ["80", "443"], ["443", "80"], True),
    (Compare.EXACT, "Demo", "demo", False),
)


@pytest.mark.parametrize(("compare", "desired", "observed", "expected"), COMPARISONS)
def test_values_compare_by_their_meaning(
    compare: Compare, desired: Any, observed: Any, expected: bool
) -> None:
    assert same(compare, desired, observed) is expected


# -- merge: one spelling of an ID-keyed map ------------------------------------------------------------
def test_merge_keeps_one_spelling_of_an_identity() -> None:
    live = {
        "identity": {
            "type": "UserAssigned",
            "userAssignedIdentities": {
                IDENTITY_ID.replace("resourceGroups", "resourcegroups"): {
                    "principalId": PRINCIPAL,
                    "clientId": "c",
                }
            },
        }
    }
    desired = {"identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY_ID: {}}}}
    merged = merge(live, desired)["identity"]["userAssignedIdentities"]
    assert merged == {IDENTITY_ID: {"principalId": PRINCIPAL, "clientId": "c"}}


def test_merge_keeps_distinct_ids_and_case_sensitive_keys_apart() -> None:
    other = IDENTITY_ID.replace("id-aks-app1-cp", "id-other")
    merged = merge(
        {"ids": {other: {}}, "tags": {"Env": "a"}}, {"ids": {IDENTITY_ID: {}}, "tags": {"env": "b"}}
    )
    assert set(merged["ids"]) == {other, IDENTITY_ID}
    assert merged["tags"] == {"Env": "a", "env": "b"}


def test_an_update_of_a_cluster_carries_one_identity(planner: Planner) -> None:
    step, ctx = planner.prepare("cluster", {("tags", "tier"): "1"})
    change, observed = step.plan(ctx)
    assert change.field_paths() == ["tags.tier"]
    body = step.body(ctx, change, observed)
    assert [k.lower() for k in body["identity"]["userAssignedIdentities"]] == [IDENTITY_ID.lower()]


def test_merge_drops_the_plural_form_of_a_field_the_overlay_sets() -> None:
    live = {"properties": {"addressPrefixes": ["10.2.0.0/16"], "delegations": []}}
    merged = merge(live, {"properties": {"addressPrefix": "10.2.0.0/16"}})
    assert merged == {"properties": {"addressPrefix": "10.2.0.0/16", "delegations": []}}


def test_an_update_of_a_subnet_carries_one_address_prefix(planner: Planner) -> None:
    other_nsg: Edits = {
        ("properties", "networkSecurityGroup", "id"): f"{NETWORK}/networkSecurityGroups/nsg-other"
    }
    step, ctx = planner.prepare("subnet-app1", other_nsg)
    change, observed = step.plan(ctx)
    assert change.field_paths() == ["properties.networkSecurityGroup.id"]
    body = step.body(ctx, change, observed)["properties"]
    assert (body["addressPrefix"], "addressPrefixes" in body) == ("10.2.0.0/16", False)
    assert body["networkSecurityGroup"]["id"].endswith("/nsg-aks-demo-app1")


def test_an_empty_singular_beside_its_plural_form_is_read_from_the_plural() -> None:
    kind = "Microsoft.Network/virtualNetworks/subnets"
    live = {"properties": {"addressPrefix": "", "addressPrefixes": ["10.2.0.0/16"]}}
    assert diff({"properties": {"addressPrefix": "10.2.0.0/16"}}, live, kind=kind) == []
