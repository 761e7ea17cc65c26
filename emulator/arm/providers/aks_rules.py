"""AKS request rules: each refused the way the real service answers (HTTP status + error code).

Synchronous (answered on the PUT): pool names, Spot system pools, maxSurge on Spot, ephemeral OS disk
fit, autoscaler bounds, SystemPoolSkuTooLow, SKU availability, Kubernetes versions, immutable pool
fields, MustDefineAtLeastOneSystemPool, service/pod CIDR overlaps, dnsServiceIP, the control-plane
identity's permission on a BYO subnet. Asynchronous rules (quota, capacity) fail the LRO instead.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.providers import aks_common as c
from emulator.arm.providers.authorization import BUILTIN_ROLES, role_effective
from emulator.arm.providers.compute import SKUS, sku_restricted

_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
_NETWORK_ROLES = {"Owner", "Contributor", "Network Contributor"}
# Pool fields AKS refuses to change after creation (BadRequest "... is immutable").
_IMMUTABLE = {
    "scaleSetPriority": "ScaleSetPriority",
    "scaleSetEvictionPolicy": "ScaleSetEvictionPolicy",
    "spotMaxPrice": "SpotMaxPrice",
}
_FIXED = ("osDiskSizeGB", "osDiskType", "vmSize", "osType")  # PropertyChangeNotAllowed
_ABSENT_MEANS = {"scaleSetPriority": "Regular"}  # AKS leaves it out on Regular pools
_KEPT_WHEN_OMITTED = (*_IMMUTABLE, *_FIXED, "vnetSubnetID", "osSKU", "maxPods", "mode")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def merge_pool_update(given: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """On an update, fields the request omits that cannot change keep their current value, and an
    autoscaled pool keeps its live count (clamped to the new minCount/maxCount)."""
    if current is None:
        return dict(given)
    merged = dict(given)
    for key in _KEPT_WHEN_OMITTED:
        if key not in merged and key in current:
            merged[key] = current[key]
    if current.get("enableAutoScaling") and merged.get("enableAutoScaling"):
        # the cluster autoscaler owns the live count: a PUT does not move it (only min/max clamp it)
        low = int(merged.get("minCount") or 0)
        high = int(merged.get("maxCount") or low)
        merged["count"] = min(max(int(current.get("count", low)), low), max(low, high))
    return merged


def is_spot(pool: dict[str, Any]) -> bool:
    return str(pool.get("scaleSetPriority") or "Regular").lower() == "spot"


def check_pool(backend: Backend, name: str, pool: dict[str, Any], current: dict[str, Any] | None) -> None:
    """Every per-pool rule; `current` is the stored pool on an update."""
    if not _POOL_NAME.match(name):
        raise c.invalid_parameter("agentPoolProfile.name", c.MSG_POOL_NAME.format(name=name))
    _check_spot(name, pool)
    _check_autoscale(pool)
    _check_size(backend, name, pool)
    _check_os_disk(pool)
    if pool.get("orchestratorVersion"):
        c.resolve_version(str(pool["orchestratorVersion"]))
    if current is not None:
        _check_immutable(pool, current)


def _check_spot(name: str, pool: dict[str, Any]) -> None:
    if not is_spot(pool):
        return
    if str(pool.get("mode", "")).lower() == "system":
        raise c.invalid_parameter("agentPoolProfile.mode", c.MSG_SPOT_SYSTEM.format(name=name))
    if (pool.get("upgradeSettings") or {}).get("maxSurge"):
        err = c.invalid_parameter("agentPoolProfile.upgrade.maxSurge", c.MSG_SPOT_SURGE)
        raise err


def _check_autoscale(pool: dict[str, Any]) -> None:
    if not pool.get("enableAutoScaling"):
        return
    low, high, count = pool.get("minCount"), pool.get("maxCount"), pool.get("count", 1)
    if not isinstance(low, int) or not isinstance(high, int) or low > high or low < 0:
        raise c.invalid_parameter("agentPoolProfile.minCount", c.MSG_AUTOSCALE_BOUNDS)
    if not low <= count <= high:
        raise c.invalid_parameter(
            "agentPoolProfile.count", c.MSG_AUTOSCALE_RANGE.format(count=count, min=low, max=high)
        )


def _check_size(backend: Backend, name: str, pool: dict[str, Any]) -> None:
    size = str(pool.get("vmSize") or c.DEFAULT_VM_SIZE)
    facts = c.vm_facts(size)
    if str(pool.get("mode", "")).lower() == "system" and (facts.vcpus < 2 or facts.memory_gb < 4):
        raise e.bad_request("SystemPoolSkuTooLow", c.MSG_SYSTEM_SKU.format(name=name))
    if sku_restricted(backend, size):
        sizes = ",".join(s.name for s in SKUS.values() if not sku_restricted(backend, s.name))
        raise e.bad_request(
            "SkuNotAvailable",
            c.MSG_SKU_NOT_ALLOWED.format(name=name, location=backend.settings.location, sizes=sizes),
        )


def _check_os_disk(pool: dict[str, Any]) -> None:
    if str(pool.get("osDiskType") or "").lower() != "ephemeral":
        return
    size = str(pool.get("vmSize") or c.DEFAULT_VM_SIZE)
    facts = c.vm_facts(size)
    disk = int(pool.get("osDiskSizeGB") or c.DEFAULT_OS_DISK_GB)
    if facts.cache_gb == 0:
        raise c.invalid_parameter("agentPoolProfile.osDiskType", c.MSG_EPHEMERAL_UNSUPPORTED.format(vm=size))
    if disk > facts.cache_gb:
        detail = c.MSG_EPHEMERAL_TOO_BIG.format(size=disk, vm=size, cache=facts.cache_gb)
        raise c.invalid_parameter("agentPoolProfile.osDiskSizeGB", detail)


def _changed(given: Any, now: Any) -> bool:
    if given is None or now is None:
        return False
    numbers = (int, float)
    if isinstance(given, numbers) and isinstance(now, numbers):
        return float(given) != float(now)
    return str(given).lower() != str(now).lower()


def _check_immutable(pool: dict[str, Any], current: dict[str, Any]) -> None:
    for key, label in _IMMUTABLE.items():
        default = _ABSENT_MEANS.get(key)
        given, now = pool.get(key, default), current.get(key, default)
        if _changed(given, now):
            raise e.bad_request("BadRequest", c.MSG_IMMUTABLE.format(field=label, given=given, current=now))
    for key in _FIXED:
        if _changed(pool.get(key), current.get(key)):
            raise e.bad_request("PropertyChangeNotAllowed", c.MSG_CHANGE_NOT_ALLOWED.format(field=key))


def check_system_pool(pools: list[dict[str, Any]]) -> None:
    if not any(str(p.get("mode", "")).lower() == "system" for p in pools):
        raise e.bad_request("MustDefineAtLeastOneSystemPool", c.MSG_NO_SYSTEM_POOL)


# --- network --------------------------------------------------------------------------------------
def _net(value: Any, target: str) -> Network:
    try:
        return ipaddress.ip_network(str(value), strict=True)
    except ValueError as exc:
        raise c.invalid_parameter(target, f"'{value}' is not a valid CIDR") from exc


def check_network(backend: Backend, network: dict[str, Any], pools: list[dict[str, Any]]) -> None:
    service = _net(network.get("serviceCidr") or "10.0.0.0/16", "networkProfile.serviceCIDR")
    dns = network.get("dnsServiceIP")
    if dns is not None:
        ip = ipaddress.ip_address(str(dns))
        if ip not in service or ip == service.network_address:
            raise c.invalid_parameter(
                "networkProfile.dnsServiceIP", c.MSG_DNS_IP.format(ip=dns, cidr=service)
            )
    pod = _net(network["podCidr"], "networkProfile.podCIDR") if network.get("podCidr") else None
    for vnet in _vnets(backend, pools):
        _check_against_vnet(backend, vnet, service, pod)


def _vnets(backend: Backend, pools: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for pool in pools:
        subnet_id = str(pool.get("vnetSubnetID") or "")
        if not subnet_id:
            continue
        if backend.get(subnet_id) is None:
            detail = c.MSG_SUBNET_NOT_FOUND.format(subnet=subnet_id, name=pool.get("name", ""))
            raise c.invalid_parameter("agentPoolProfile.vnetSubnetID", detail)
        vnet = subnet_id.rsplit("/subnets/", 1)[0]
        if vnet.lower() not in {v.lower() for v in out}:
            out.append(vnet)
    return out


def _check_against_vnet(backend: Backend, vnet_id: str, service: Network, pod: Network | None) -> None:
    subnets = backend.children(vnet_id, "Microsoft.Network/virtualNetworks/subnets")
    for subnet in subnets:
        sp = subnet.body.get("properties", {})
        for prefix in sp.get("addressPrefixes") or [sp.get("addressPrefix")]:
            if prefix and _overlap(service, ipaddress.ip_network(str(prefix))):
                raise e.bad_request(
                    "ServiceCidrOverlapExistingSubnetsCidr",
                    c.MSG_SERVICE_CIDR_SUBNET.format(cidr=service, subnet=prefix),
                )
    vnet = backend.get(vnet_id)
    space = (vnet.body.get("properties", {}).get("addressSpace", {}) if vnet else {}).get(
        "addressPrefixes", []
    )
    for prefix in space:
        if pod is not None and _overlap(pod, ipaddress.ip_network(str(prefix))):
            raise e.bad_request(
                "NetworkProfileCIDROverlapVNET", c.MSG_POD_CIDR_VNET.format(cidr=pod, vnet=prefix)
            )


def _overlap(a: Network, b: Network) -> bool:
    return a.version == b.version and a.overlaps(b)


# --- control-plane identity on a BYO subnet ---------------------------------------------------------
def check_subnet_permission(
    backend: Backend, cluster_id: str, identity: dict[str, Any], pools: list[dict[str, Any]]
) -> None:
    """A user-assigned control-plane identity needs a network role on each BYO subnet (or above)."""
    if str(identity.get("type", "")).lower() != "userassigned":
        return
    principals = [_principal(backend, uai) for uai in identity.get("userAssignedIdentities") or {}]
    for pool in pools:
        subnet = str(pool.get("vnetSubnetID") or "")
        if subnet and not any(p and _has_network_role(backend, p, subnet) for p in principals):
            principal = next((p for p in principals if p), "unknown")
            raise e.ArmError(
                403,
                "LinkedAuthorizationFailed",
                c.MSG_LINKED_AUTH.format(principal=principal, cluster=cluster_id, subnet=subnet),
            )


def _principal(backend: Backend, identity_id: str) -> str:
    res = backend.get(identity_id)
    return str(res.body.get("properties", {}).get("principalId", "")) if res else ""


def _has_network_role(backend: Backend, principal: str, subnet_id: str) -> bool:
    target = subnet_id.lower()
    for ra in backend.of_type(c.ROLE_ASSIGNMENT):
        rp = ra.body.get("properties", {})
        scope = str(rp.get("scope", "")).lower().rstrip("/")
        role = BUILTIN_ROLES.get(str(rp.get("roleDefinitionId", "")).rsplit("/", 1)[-1].lower(), "")
        covers = target == scope or target.startswith(scope + "/")
        mine = str(rp.get("principalId", "")).lower() == principal.lower()
        if covers and role in _NETWORK_ROLES and mine and role_effective(backend, ra):
            return True
    return False
