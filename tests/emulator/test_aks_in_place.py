"""What AKS refuses to change on an existing cluster, with AKS's codes: network profile, DNS prefix,
node resource group, and more than one control-plane identity. Re-spellings are not changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aks_testkit import AksEnv, cluster, make_env
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerservice.models import ManagedCluster, ManagedClusterIdentity

from emulator import LocalCloud, Settings


@pytest.fixture
def env(make_client: Callable[..., Any], rg: str, local_cloud: LocalCloud) -> AksEnv:
    local_cloud.set_settings(Settings(quotas={"lowPriorityCores": 10}))
    environment = make_env(make_client, rg)
    environment.aks.managed_clusters.begin_create_or_update(rg, "aks1", cluster(environment)).result()
    return environment


def _put(env: AksEnv, edit: Callable[[ManagedCluster], None]) -> ManagedCluster:
    mc = env.aks.managed_clusters.get(env.rg, "aks1")
    edit(mc)
    result: ManagedCluster = env.aks.managed_clusters.begin_create_or_update(env.rg, "aks1", mc).result()
    return result


def _refused(env: AksEnv, edit: Callable[[ManagedCluster], None]) -> HttpResponseError:
    with pytest.raises(HttpResponseError) as exc:
        _put(env, edit)
    return exc.value


CHANGES: dict[str, tuple[Callable[[ManagedCluster], None], str]] = {
    "pod CIDR": (
        lambda mc: setattr(mc.network_profile, "pod_cidr", "192.168.64.0/20"),
        "networkProfile.podCidr",
    ),
    "pod CIDRs (plural)": (
        lambda mc: setattr(mc.network_profile, "pod_cidrs", ["192.168.64.0/20"]),
        "networkProfile.podCidr",
    ),
    "service CIDR": (
        lambda mc: setattr(mc.network_profile, "service_cidr", "172.17.0.0/16"),
        "networkProfile.serviceCidr",
    ),
    "network plugin": (
        lambda mc: setattr(mc.network_profile, "network_plugin", "kubenet"),
        "networkProfile.networkPlugin",
    ),
    "DNS prefix": (lambda mc: setattr(mc, "dns_prefix", "other"), "dnsPrefix"),
    "node resource group": (lambda mc: setattr(mc, "node_resource_group", "MC_other"), "nodeResourceGroup"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_in_place_change_is_refused_with_property_change_not_allowed(env: AksEnv, change: str) -> None:
    edit, field = CHANGES[change]
    err = _refused(env, edit)
    assert (err.status_code, err.error.code) == (400, "PropertyChangeNotAllowed")
    assert err.error.message == f"Changing property '{field}' is not allowed."
    assert err.error.target == field
    assert env.aks.managed_clusters.get(env.rg, "aks1").provisioning_state == "Succeeded"


def test_respellings_and_omissions_are_not_changes(env: AksEnv) -> None:
    def respell(mc: ManagedCluster) -> None:
        net = mc.network_profile
        net.load_balancer_sku, net.network_plugin = "STANDARD", "None"
        net.pod_cidr, net.pod_cidrs, net.service_cidrs = "192.168.0.0/20", None, None
        mc.dns_prefix = mc.dns_prefix.upper()
        mc.node_resource_group = None

    mc = _put(env, respell)
    assert mc.network_profile.pod_cidrs == ["192.168.0.0/20"] and mc.node_resource_group.startswith("MC_")


def test_more_than_one_control_plane_identity_is_refused(env: AksEnv) -> None:
    def two_keys(mc: ManagedCluster) -> None:
        key = next(iter(mc.identity.user_assigned_identities))
        both = {key: {}, key.replace("/resourcegroups/", "/resourceGroups/"): {}}  # the same identity, twice
        mc.identity = ManagedClusterIdentity(type="UserAssigned", user_assigned_identities=both)

    err = _refused(env, two_keys)
    assert (err.status_code, err.error.code) == (400, "BadRequest")
    assert "is 2, while expected value is 1" in str(err.error.message)
