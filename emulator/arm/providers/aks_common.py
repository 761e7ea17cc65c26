"""Shared AKS constants: resource types, error messages, version catalogue, VM size facts, naming.

Kept free of provider logic so the cluster, agent pool, node and compute modules can all import it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from emulator.arm import errors as e
from emulator.arm.providers.compute import SKUS

CLUSTER = "Microsoft.ContainerService/managedClusters"
CLUSTER_ANSWERED_TYPE = "Microsoft.ContainerService/ManagedClusters"  # the `type` AKS answers
POOL = "Microsoft.ContainerService/managedClusters/agentPools"
VMSS = "Microsoft.Compute/virtualMachineScaleSets"
VM = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"
IDENTITY = "Microsoft.ManagedIdentity/userAssignedIdentities"
ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments"
RG = "Microsoft.Resources/resourceGroups"
MODELS = "azure.mgmt.containerservice.models"
KUBE_EXTRAS = "aks_kube"  # cluster id (lower) -> {"key", "cluster": KubeCluster.to_json()}
KUBE_PREFIX = "/k8s/"
SPOT_KEY = "kubernetes.azure.com/scalesetpriority"
SPOT_TAINT = f"{SPOT_KEY}=spot:NoSchedule"
NODE_IMAGE = "AKSUbuntu-2204gen2containerd-202510.03.0"
DEFAULT_VM_SIZE = "Standard_D2s_v3"
DEFAULT_OS_DISK_GB = 128
AKS_DOCS = "Please see https://aka.ms/aks-naming-rules for more details."
PENDING_OP = "See https://aka.ms/aks-pending-operation"

# --- error messages (shaped after real AKS answers) -------------------------------------------------
MSG_INVALID_PARAMETER = "The value of parameter {target} is invalid. Error details: {detail}. " + AKS_DOCS
MSG_POOL_NAME = (
    "Agent pool name '{name}' must start with a lowercase letter, contain only lowercase letters and "
    "numbers, and be at most 12 characters long"
)
MSG_SPOT_SYSTEM = "Spot pools can't be system pools (agent pool '{name}')"
MSG_SPOT_SURGE = "Spot pools can't set max surge"
MSG_EPHEMERAL_TOO_BIG = (
    "OS disk of Ephemeral type with size {size}GB is not allowed for VM size {vm}: the VM cache "
    "size is {cache}GB"
)
MSG_EPHEMERAL_UNSUPPORTED = "VM size {vm} does not support Ephemeral OS disks"
MSG_AUTOSCALE_RANGE = "count {count} must be within [minCount {min}, maxCount {max}] when autoscaling"
MSG_AUTOSCALE_BOUNDS = "minCount and maxCount are required and minCount <= maxCount when autoscaling"
MSG_NO_SYSTEM_POOL = "Must define at least one system pool."
MSG_SYSTEM_SKU = (
    "System node pool must use VM sku with more than 2 cores and 4GB memory. Nodepool name: {name}."
)
MSG_SKU_NOT_ALLOWED = (
    "The VM size of AgentPoolProfile:{name} is not allowed in your subscription in location "
    "'{location}'. The available VM sizes are '{sizes}'"
)
MSG_VERSION = (
    "Version {version} is not supported in this region. Please use [az aks get-versions] command to "
    "get the supported version list in this region. For more information, please check "
    "https://aka.ms/supported-version-list"
)
MSG_DOWNGRADE = (
    "Downgrading Kubernetes version {current} to {wanted} is not allowed. Please see "
    "https://aka.ms/aks-supported-k8s-ver for version details."
)
MSG_SERVICE_CIDR_SUBNET = (
    "The specified service CIDR {cidr} is conflicted with an existing subnet CIDR {subnet}. "
    "Please see https://aka.ms/aks/servicecidroverlap for how to fix the error."
)
MSG_POD_CIDR_VNET = "NetworkProfile CIDR {cidr} overlaps with reserved VNET CIDR {vnet}."
MSG_DNS_IP = "DNSServiceIP {ip} is not within the range of service CIDR {cidr}, or is its first address."
MSG_IN_PROGRESS = (
    "Operation is not allowed because there's an in progress {what} operation: Another operation "
    "({name} - {state}) is in progress, please wait for it to finish before starting a new operation. "
    + PENDING_OP
)
MSG_STOPPED = (
    "Operation is not allowed because the managed cluster '{name}' is stopped. Please start it "
    "before updating it."
)
MSG_LINKED_AUTH = (
    "The client '{principal}' with object id '{principal}' has permission to perform action "
    "'Microsoft.ContainerService/managedClusters/write' on scope '{cluster}'; however, it does not "
    "have permission to perform action(s) 'Microsoft.Network/virtualNetworks/subnets/join/action' on "
    "the linked scope(s) '{subnet}' (respectively) or the linked scope(s) are invalid."
)
MSG_IMMUTABLE = "{field} is immutable. Provided value is {given}, Please use current value {current}."
MSG_CHANGE_NOT_ALLOWED = "Changing property '{field}' is not allowed."
MSG_IDENTITY_COUNT = (
    "The count of user assigned identity specified in identity.userAssignedIdentities is {count}, while "
    "expected value is 1."
)
MSG_LOCAL_ACCOUNTS = (
    "Getting static credential is not allowed because this cluster is set to disable local accounts."
)
MSG_LAST_SYSTEM_POOL = "Cannot delete agent pool '{name}': it is the last system pool of the cluster."
MSG_SUBNET_NOT_FOUND = "Subnet '{subnet}' referenced by agent pool '{name}' was not found."
MSG_NOT_SPOT = "Simulate eviction is only supported for Spot virtual machines ('{vm}' is Regular)."
MSG_SCALE_NOT_AUTOSCALED = "Agent pool '{name}' does not have the cluster autoscaler enabled."
MSG_SCALE_RANGE = "Autoscaler count {count} is outside [minCount {min}, maxCount {max}] of pool '{name}'."
MSG_VMSS_READ_ONLY = "Scale sets in the node resource group are managed by AKS; write '{id}' through AKS."

# --- Kubernetes versions offered in the region ------------------------------------------------------
VERSIONS: dict[str, tuple[str, ...]] = {
    "1.31": ("1.31.10", "1.31.11"),
    "1.32": ("1.32.6", "1.32.7"),
    "1.33": ("1.33.2", "1.33.3"),
    "1.34": ("1.34.0", "1.34.1"),
}
DEFAULT_MINOR = "1.33"


def resolve_version(given: str | None) -> str:
    """The full patch version a requested version runs; raises AgentPoolK8sVersionNotSupported."""
    wanted = (given or DEFAULT_MINOR).strip()
    if wanted in VERSIONS:
        return VERSIONS[wanted][-1]
    minor = ".".join(wanted.split(".")[:2])
    if wanted in VERSIONS.get(minor, ()):
        return wanted
    raise e.bad_request("AgentPoolK8sVersionNotSupported", MSG_VERSION.format(version=wanted))


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


# --- VM sizes -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VmFacts:
    vcpus: int
    memory_gb: float
    cache_gb: int  # 0: no ephemeral OS disk support
    known: bool  # in the compute SKU catalogue (deployable)


# Sizes AKS refuses for system pools; not deployable in the emulator's catalogue.
_SMALL: dict[str, tuple[int, float]] = {
    "standard_ds1_v2": (1, 3.5),
    "standard_d1_v2": (1, 3.5),
    "standard_b1s": (1, 1.0),
    "standard_b1ms": (1, 2.0),
    "standard_a1_v2": (1, 2.0),
    "standard_b2ts_v2": (2, 1.0),
}


def vm_facts(size: str) -> VmFacts:
    sku = SKUS.get(size.lower())
    if sku is not None:
        cache = sku.cached_disk_bytes // (1024**3) if sku.ephemeral_os_disk else 0
        return VmFacts(sku.vcpus, sku.memory_gb, cache, True)
    vcpus, mem = _SMALL.get(size.lower(), (2, 8.0))
    return VmFacts(vcpus, mem, 0, False)


# --- naming -------------------------------------------------------------------------------------------
def invalid_parameter(target: str, detail: str) -> e.ArmError:
    err = e.bad_request("InvalidParameter", MSG_INVALID_PARAMETER.format(target=target, detail=detail))
    err.details = []
    return err


def node_resource_group(rg: str, cluster: str, location: str) -> str:
    return f"MC_{rg}_{cluster}_{location}"


def pool_digits(cluster_id: str, pool: str) -> str:
    """The 8 digits AKS puts in VMSS and node names (stable per cluster and pool)."""
    digest = hashlib.sha256(f"{cluster_id.lower()}|{pool}".encode()).hexdigest()
    return f"{int(digest[:12], 16) % 10**8:08d}"


def vmss_name(cluster_id: str, pool: str) -> str:
    return f"aks-{pool}-{pool_digits(cluster_id, pool)}-vmss"


def computer_name(vmss: str, instance_id: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out, n = "", instance_id
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            break
    return f"{vmss}{out:0>6}"


def props(body: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = body.setdefault("properties", {})
    return section
