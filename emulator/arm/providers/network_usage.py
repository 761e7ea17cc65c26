"""Who uses a subnet: the NIC IP configurations of scale-set VMs in it (what a subnet GET lists as
`ipConfigurations`, and what blocks deleting it), and other resources that reference it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulator.arm.backend import Backend
from emulator.arm.routing import scope_parts
from emulator.arm.store import Resource

VMSS = "Microsoft.Compute/virtualMachineScaleSets"
VM = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"


def ip_configurations(backend: Backend, subnet_id: str) -> list[str]:
    """IDs of the IP configurations in this subnet, as a subnet GET shows them."""
    return [
        f"{vm.id}/networkInterfaces/{nic}/ipConfigurations/{ipc}"
        for vm, nic, ipc in _nics(backend, subnet_id)
    ]


def first_user(backend: Backend, subnet_id: str, user_types: tuple[str, ...]) -> str | None:
    """What an `InUseSubnetCannotBeDeleted` answer names: a NIC IP configuration (in Network's own
    spelling of a scale-set NIC) or else another resource that references the subnet."""
    for vm, nic, ipc in _nics(backend, subnet_id):
        return _network_spelling(vm, nic, ipc)
    users = backend.referencing(subnet_id, user_types)
    return users[0].id if users else None


def _nics(backend: Backend, subnet_id: str) -> Iterator[tuple[Resource, str, str]]:
    wanted = subnet_id.lower()
    for vmss in backend.of_type(VMSS):
        for nic, ipc in _configs_in(vmss.body, wanted):
            for vm in backend.children(vmss.id, VM):
                yield vm, nic, ipc


def _configs_in(vmss_body: dict[str, Any], subnet_id: str) -> Iterator[tuple[str, str]]:
    profile = (vmss_body.get("properties") or {}).get("virtualMachineProfile") or {}
    for nic in (profile.get("networkProfile") or {}).get("networkInterfaceConfigurations") or []:
        for ipc in (nic.get("properties") or {}).get("ipConfigurations") or []:
            ref = str(((ipc.get("properties") or {}).get("subnet") or {}).get("id", ""))
            if ref.lower() == subnet_id:
                yield str(nic.get("name")), str(ipc.get("name"))


def _network_spelling(vm: Resource, nic: str, ipc: str) -> str:
    sub, rg = scope_parts(vm.id)
    path = vm.id.split("/providers/", 1)[1].replace("/", "|")
    return (
        f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/"
        f"|providers|{path}|networkInterfaces|{nic}/ipConfigurations/{ipc}"
    )
