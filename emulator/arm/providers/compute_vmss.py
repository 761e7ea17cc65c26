"""Microsoft.Compute scale sets and their VMs, as AKS creates them in the node resource group.

Read: VMSS get/list, VMSS VM get/list. Writes: VM `begin_delete` (202 + Azure-AsyncOperation/Location)
and `POST .../virtualMachines/{id}/simulateEviction` (204; Spot VMs only, otherwise 409
OperationNotAllowed). An evicted (policy Delete) or deleted VM is gone at once (eviction) or when the
delete completes: its Node leaves the cluster (pods are rescheduled), its vCPUs are released, the pool
count drops; an autoscaled pool left below minCount gets a replacement node after ~90 s (scaled by
time_scale, i.e. on the next request with time_scale 0). Policy Deallocate keeps the VM (deallocated,
still counted against quota) but removes its Node. Scale sets themselves are written only by AKS.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.arm import errors as e
from emulator.arm.backend import Backend
from emulator.arm.http import Request, Response
from emulator.arm.providers import aks_common as c
from emulator.arm.providers import aks_kube, aks_nodes, aks_ops
from emulator.arm.registry import Ctx, Lro, Registry, ResourceType
from emulator.arm.store import Operation, Resource

_MODELS = "azure.mgmt.compute.models"
_INSTANCE_VIEW = (
    r"(?P<vm>/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/virtualMachineScaleSets/"
    r"[^/]+/virtualMachines/[^/]+)/instanceView"
)
VM_DELETE_S = 60.0


def _refuse_write(ctx: Ctx, body: dict[str, Any]) -> None:
    raise e.conflict("OperationNotAllowed", c.MSG_VMSS_READ_ONLY.format(id=ctx.resource_id))


def _refuse_delete(ctx: Ctx, resource: Resource) -> None:
    raise e.conflict("OperationNotAllowed", c.MSG_VMSS_READ_ONLY.format(id=resource.id))


def _vm_gone(backend: Backend, vm: Resource) -> None:
    """After a VM left for good: the pool count drops and the autoscaler may replace it."""
    owner = aks_nodes.vm_owner(backend, vm)
    if owner is None:
        return
    _cluster, pool = owner
    p = pool.body["properties"]
    p["count"] = max(0, int(p.get("count", 0)) - 1)
    backend.save(pool)
    vmss = backend.get(vm.id.rsplit("/virtualMachines/", 1)[0])
    if vmss is not None:
        vmss.body["sku"]["capacity"] = p["count"]
        backend.save(vmss)
    aks_ops.schedule_replacement(backend, pool)


def _vm_settled(backend: Backend, vm: Resource, op: Operation) -> None:
    if op.kind == "delete" and op.status == "Succeeded":
        _vm_gone(backend, vm)


def _simulate_eviction(ctx: Ctx, vm: Resource) -> Response:
    vmss = ctx.backend.get(vm.id.rsplit("/virtualMachines/", 1)[0])
    profile = vmss.body["properties"]["virtualMachineProfile"] if vmss else {}
    if str(profile.get("priority", "Regular")).lower() != "spot":
        raise e.conflict("OperationNotAllowed", c.MSG_NOT_SPOT.format(vm=vm.id))
    if str(profile.get("evictionPolicy", "Delete")).lower() == "deallocate":
        _deallocate(ctx.backend, vm)
    else:
        ctx.backend.remove(vm.id)
        _vm_gone(ctx.backend, vm)
    return Response(204)


def _deallocate(backend: Backend, vm: Resource) -> None:
    props = vm.body.setdefault("properties", {})
    props["instanceView"] = {"statuses": [{"code": "PowerState/deallocated", "level": "Info"}]}
    backend.save(vm)
    owner = aks_nodes.vm_owner(backend, vm)
    node = str(props.get("osProfile", {}).get("computerName", ""))
    if owner is not None:
        aks_kube.update_kube(backend, owner[0].id, lambda kube: kube.remove_node(node))


def _instance_view(backend: Backend, request: Request, m: re.Match[str]) -> Response:
    vm = backend.get(m["vm"])
    if vm is None:
        raise e.not_found(c.VM, m["vm"].rsplit("/", 1)[1], m["vm"].split("/")[4])
    props = vm.body.get("properties", {})
    statuses = (props.get("instanceView") or {}).get("statuses") or [
        {"code": "PowerState/running", "level": "Info", "displayStatus": "VM running"}
    ]
    provisioning = {
        "code": "ProvisioningState/succeeded",
        "level": "Info",
        "displayStatus": "Provisioning succeeded",
    }
    body = {
        "computerName": props.get("osProfile", {}).get("computerName"),
        "osName": "ubuntu",
        "osVersion": "22.04",
        "statuses": [provisioning, *statuses],
    }
    return Response(200, body)


def register(reg: Registry) -> None:
    reg.route("GET", _INSTANCE_VIEW, _instance_view, c.VM)
    reg.add(
        ResourceType(
            c.VMSS,
            model=f"{_MODELS}:VirtualMachineScaleSet",
            validate=_refuse_write,
            on_delete=_refuse_delete,
        )
    )
    reg.add(
        ResourceType(
            c.VM,
            model=f"{_MODELS}:VirtualMachineScaleSetVM",
            validate=_refuse_write,
            delete_lro=Lro.ASYNC_OPERATION,
            location_header=True,
            delete_code=202,
            delete_missing_code=204,
            delete_duration_s=VM_DELETE_S,
            on_removed=aks_nodes.vm_removed,
            on_settled=_vm_settled,
            actions={"simulateeviction": _simulate_eviction},
        )
    )
