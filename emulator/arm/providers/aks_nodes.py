"""The node side of an AKS cluster: node resource group, one VMSS per pool, its VMs, quota and Nodes.

`reconcile_pool` makes a pool's VMSS hold `count` instances (0 while the cluster is stopped): new VMs
consume vCPU quota first (Spot pools: `lowPriorityCores`; others: the size's family and `cores`) and
register their Node in the cluster's KubeCluster; removed VMs release quota and delete their Node
(through the VM type's `on_removed`, so every path - scale-down, eviction, pool or cluster delete,
resource group delete - does the same). Per-VMSS bookkeeping lives in the `aks_vmss` extras.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.providers import aks_common as c
from emulator.arm.providers.aks_defaults import kubelet_identity_id
from emulator.arm.providers.aks_kube import update_kube
from emulator.arm.providers.aks_rules import is_spot
from emulator.arm.providers.compute import sku_family, sku_vcpus
from emulator.arm.quota import LOW_PRIORITY, TOTAL
from emulator.arm.store import Resource
from emulator.k8s import KubeCluster

VMSS_EXTRAS = "aks_vmss"  # vmss id (lower) -> {"cluster", "pool", "family", "vcpus", "next"}
_QUOTA_LABELS = {LOW_PRIORITY: "LowPriorityCores", TOTAL: "Total Regional Cores"}
MSG_AKS_QUOTA = (
    "Operation could not be completed as it results in exceeding approved {label} quota. Additional "
    "details - Deployment Model: Resource Manager, Location: {location}, Current Limit: {limit}, "
    "Current Usage: {usage}, Additional Required: {need}, (Minimum) New Limit Required: {total}."
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def node_rg_id(cluster: Resource) -> str:
    sub = cluster.id.split("/")[2]
    return f"/subscriptions/{sub}/resourceGroups/{cluster.body['properties']['nodeResourceGroup']}"


def ensure_node_rg(backend: Backend, cluster: Resource) -> None:
    """The MC_ resource group (managedBy the cluster) and the kubelet identity inside it."""
    rg_id = node_rg_id(cluster)
    location = str(cluster.body.get("location"))
    if backend.get(rg_id) is None:
        tags = {
            "aks-managed-cluster-name": cluster.body["name"],
            "aks-managed-cluster-rg": cluster.id.split("/")[4],
        }
        body = {
            "id": rg_id,
            "name": rg_id.rsplit("/", 1)[1],
            "type": c.RG,
            "location": location,
            "managedBy": cluster.id,
            "tags": tags,
            "properties": {"provisioningState": "Succeeded"},
        }
        backend.save(Resource(rg_id, c.RG, body))
    sub, node_rg = cluster.id.split("/")[2], rg_id.rsplit("/", 1)[1]
    rid = kubelet_identity_id(sub, node_rg, cluster.body["name"])
    if backend.get(rid) is None:
        props = {
            "tenantId": backend.tenant_id,
            "principalId": backend.guid(rid, "principalId"),
            "clientId": backend.guid(rid, "clientId"),
            "isolationScope": "None",
        }
        name = rid.rsplit("/", 1)[1]
        body = {
            "id": rid,
            "name": name,
            "type": c.IDENTITY,
            "location": location,
            "tags": {},
            "properties": props,
        }
        backend.save(Resource(rid, c.IDENTITY, body))


def remove_node_rg(backend: Backend, cluster: Resource) -> None:
    backend.remove(node_rg_id(cluster))
    section = backend.extras(VMSS_EXTRAS)
    for key in [k for k, v in section.items() if v.get("cluster", "").lower() == cluster.id.lower()]:
        del section[key]
    backend.touch()


def vmss_id(cluster: Resource, pool: str) -> str:
    name = c.vmss_name(cluster.id, pool)
    return f"{node_rg_id(cluster)}/providers/{c.VMSS}/{name}"


# --- quota --------------------------------------------------------------------------------------------
def consume(backend: Backend, family: str, n: int) -> None:
    """Take vCPUs, answering AKS's QuotaExceeded wording when the limit would be exceeded."""
    if n <= 0:
        return
    quota = backend.quota
    for name in [family] if family == LOW_PRIORITY else [family, TOTAL]:
        limit, usage = quota.limits.get(name, 0), quota.usage.get(name, 0)
        if usage + n > limit:
            label = _QUOTA_LABELS.get(name, f"{name} Cores")
            message = MSG_AKS_QUOTA.format(
                label=label, location=quota.location, limit=limit, usage=usage, need=n, total=usage + n
            )
            raise e.QuotaExceeded(message)
    backend.consume_cores(family, n)


# --- pools --------------------------------------------------------------------------------------------
def reconcile_pool(backend: Backend, cluster: Resource, pool: Resource) -> None:
    """Make the pool's VMSS match its count (0 when the cluster is stopped). Raises QuotaExceeded."""
    ensure_node_rg(backend, cluster)
    p = pool.body["properties"]
    running = str(cluster.body["properties"].get("powerState", {}).get("code", "Running")) == "Running"
    target = int(p.get("count") or 0) if running else 0
    vmss = _ensure_vmss(backend, cluster, pool)
    vms = backend.children(vmss.id, c.VM)
    for vm in sorted(vms, key=lambda r: int(r.body["name"]))[target:][::-1]:
        backend.remove(vm.id)
    missing = target - len(vms)
    if missing > 0:
        entry = backend.extras(VMSS_EXTRAS)[vmss.id.lower()]
        consume(backend, str(entry["family"]), missing * int(entry["vcpus"]))
        for _ in range(missing):
            _add_vm(backend, cluster, pool, vmss)
    vmss.body["sku"]["capacity"] = target
    backend.save(vmss)


def remove_pool_vmss(backend: Backend, cluster: Resource, pool_name: str) -> None:
    vid = vmss_id(cluster, pool_name)
    backend.remove(vid)
    backend.extras(VMSS_EXTRAS).pop(vid.lower(), None)
    backend.touch()


def _ensure_vmss(backend: Backend, cluster: Resource, pool: Resource) -> Resource:
    vid = vmss_id(cluster, pool.body["name"])
    p = pool.body["properties"]
    size = str(p.get("vmSize"))
    section = backend.extras(VMSS_EXTRAS)
    if vid.lower() not in section:
        family = LOW_PRIORITY if is_spot(p) else sku_family(size)
        section[vid.lower()] = {
            "cluster": cluster.id,
            "pool": pool.body["name"],
            "family": family,
            "vcpus": sku_vcpus(size),
            "next": 0,
        }
        backend.touch()
    existing = backend.get(vid)
    body = _vmss_body(backend, cluster, pool, vid, existing)
    resource = Resource(vid, c.VMSS, body)
    backend.save(resource)
    return resource


def _vmss_body(
    backend: Backend, cluster: Resource, pool: Resource, vid: str, existing: Resource | None
) -> dict[str, Any]:
    p = pool.body["properties"]
    name = vid.rsplit("/", 1)[1]
    profile: dict[str, Any] = {
        "osProfile": {
            "computerNamePrefix": name,
            "adminUsername": "azureuser",
            "linuxConfiguration": {"disablePasswordAuthentication": True, "provisionVMAgent": True},
        },
        "storageProfile": {"osDisk": _os_disk(p)},
        "networkProfile": {"networkInterfaceConfigurations": [_nic(name, p)]},
        "priority": "Spot" if is_spot(p) else "Regular",
    }
    if is_spot(p):
        profile["evictionPolicy"] = p.get("scaleSetEvictionPolicy", "Delete")
        profile["billingProfile"] = {"maxPrice": p.get("spotMaxPrice", -1)}
    old = existing.body if existing else {}
    return {
        "id": vid,
        "name": name,
        "type": c.VMSS,
        "location": cluster.body.get("location"),
        "tags": {
            "aks-managed-poolName": pool.body["name"],
            "aks-managed-orchestrator": f"Kubernetes:{p.get('currentOrchestratorVersion')}",
            "aks-managed-resourceNameSuffix": c.pool_digits(cluster.id, pool.body["name"]),
        },
        "sku": {
            "name": p.get("vmSize"),
            "tier": "Standard",
            "capacity": old.get("sku", {}).get("capacity", 0),
        },
        "zones": p.get("availabilityZones") or [],
        "properties": {
            "singlePlacementGroup": False,
            "orchestrationMode": "Uniform",
            "upgradePolicy": {"mode": "Manual"},
            "overprovision": False,
            "uniqueId": backend.guid(vid.lower(), "uniqueId"),
            "timeCreated": old.get("properties", {}).get("timeCreated", _now()),
            "virtualMachineProfile": profile,
            "provisioningState": "Succeeded",
        },
    }


def _os_disk(p: dict[str, Any]) -> dict[str, Any]:
    ephemeral = str(p.get("osDiskType")).lower() == "ephemeral"
    disk: dict[str, Any] = {
        "createOption": "FromImage",
        "caching": "ReadOnly" if ephemeral else "ReadWrite",
        "osType": "Linux",
        "diskSizeGB": p.get("osDiskSizeGB"),
        "managedDisk": {"storageAccountType": "Standard_LRS" if ephemeral else "Premium_LRS"},
    }
    if ephemeral:
        disk["diffDiskSettings"] = {"option": "Local", "placement": "CacheDisk"}
    return disk


def _nic(name: str, p: dict[str, Any]) -> dict[str, Any]:
    ipconfig: dict[str, Any] = {"name": "ipconfig1", "properties": {"primary": True}}
    if p.get("vnetSubnetID"):
        ipconfig["properties"]["subnet"] = {"id": p["vnetSubnetID"]}
    return {
        "name": name,
        "properties": {"primary": True, "enableIPForwarding": True, "ipConfigurations": [ipconfig]},
    }


def _add_vm(backend: Backend, cluster: Resource, pool: Resource, vmss: Resource) -> Resource:
    entry = backend.extras(VMSS_EXTRAS)[vmss.id.lower()]
    iid = int(entry["next"])
    entry["next"] = iid + 1
    p = pool.body["properties"]
    node = c.computer_name(vmss.body["name"], iid)
    vid = f"{vmss.id}/virtualMachines/{iid}"
    profile = vmss.body["properties"]["virtualMachineProfile"]
    os_disk = {
        **profile["storageProfile"]["osDisk"],
        "name": f"{vmss.body['name']}_{iid}_{backend.guid(vid)[:8]}",
    }
    body = {
        "id": vid,
        "name": str(iid),
        "type": c.VM,
        "location": vmss.body["location"],
        "instanceId": str(iid),
        "sku": {"name": p.get("vmSize"), "tier": "Standard"},
        "tags": dict(vmss.body.get("tags") or {}),
        "zones": vmss.body.get("zones") or [],
        "properties": {
            "latestModelApplied": True,
            "vmId": backend.guid(vid.lower(), "vmId"),
            "hardwareProfile": {"vmSize": p.get("vmSize")},
            "osProfile": {**profile["osProfile"], "computerName": node},
            "storageProfile": {"osDisk": os_disk},
            "networkProfile": {"networkInterfaces": [{"id": f"{vid}/networkInterfaces/{vmss.body['name']}"}]},
            "provisioningState": "Succeeded",
            "timeCreated": _now(),
        },
    }
    vm = Resource(vid, c.VM, body)
    backend.save(vm)
    update_kube(backend, cluster.id, lambda kube: _add_node(kube, node, pool, f"azure://{vid}"))
    return vm


def _add_node(kube: KubeCluster, node: str, pool: Resource, provider_id: str) -> None:
    """One Node per VM; its providerID is the VM's ARM ID, as on real AKS (`azure:///subscriptions/...`)."""
    p = pool.body["properties"]
    kube.add_node(
        node,
        pool=pool.body["name"],
        mode=str(p.get("mode", "User")),
        spot=is_spot(p),
        vm_size=str(p.get("vmSize")),
        labels={str(k): str(v) for k, v in (p.get("nodeLabels") or {}).items()},
        taints=[_taint(t) for t in p.get("nodeTaints") or []],
        provider_id=provider_id,
    )


def _taint(spec: str) -> dict[str, str]:
    """'key=value:Effect' (value optional) -> a Node taint."""
    head, _, effect = spec.partition(":")
    key, _, value = head.partition("=")
    taint = {"key": key, "effect": effect or "NoSchedule"}
    if value:
        taint["value"] = value
    return taint


def vm_removed(backend: Backend, vm: Resource) -> None:
    """on_removed of a VMSS VM: release its vCPUs and delete its Node (pods are rescheduled)."""
    entry = backend.extras(VMSS_EXTRAS).get(vm.id.rsplit("/virtualMachines/", 1)[0].lower())
    if entry is None:
        return
    backend.release_cores(str(entry["family"]), int(entry["vcpus"]))
    node = str(vm.body.get("properties", {}).get("osProfile", {}).get("computerName", ""))
    update_kube(backend, str(entry["cluster"]), lambda kube: kube.remove_node(node))


def vm_owner(backend: Backend, vm: Resource) -> tuple[Resource, Resource] | None:
    """(cluster, pool) a VMSS VM belongs to."""
    entry = backend.extras(VMSS_EXTRAS).get(vm.id.rsplit("/virtualMachines/", 1)[0].lower())
    if entry is None:
        return None
    cluster = backend.get(str(entry["cluster"]))
    pool = backend.get(f"{entry['cluster']}/agentPools/{entry['pool']}")
    if cluster is None or pool is None:
        return None
    return cluster, pool
