"""Node objects as AKS creates them for VMSS instances (labels, taints, capacity, conditions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Obj = dict[str, Any]

# vm size -> (vCPU, memory GiB)
VM_SIZES: dict[str, tuple[int, int]] = {
    "standard_d2s_v3": (2, 8),
    "standard_d4s_v3": (4, 16),
    "standard_d8s_v3": (8, 32),
    "standard_d2s_v5": (2, 8),
    "standard_d4s_v5": (4, 16),
    "standard_d2as_v5": (2, 8),
    "standard_d4as_v5": (4, 16),
    "standard_ds2_v2": (2, 7),
    "standard_b2s": (2, 4),
    "standard_b2ms": (2, 8),
}
DEFAULT_SIZE = (2, 8)
MAX_PODS = 110
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
SPOT_KEY = "kubernetes.azure.com/scalesetpriority"


def _allocatable(cpus: int, mem_gib: int) -> tuple[str, str]:
    """AKS reservations: cpu per core count, memory min(20MB*maxPods+50MB, 25%) + 100Mi eviction."""
    cpu_reserved = {1: 60, 2: 100, 4: 140, 8: 180}.get(cpus, 60 + 20 * cpus)
    mem_ki = mem_gib * 1024 * 1024
    reserve_ki = min((20 * MAX_PODS + 50) * 1000, mem_ki // 4) + 100 * 1024
    return f"{cpus * 1000 - cpu_reserved}m", f"{mem_ki - reserve_ki}Ki"


def node_labels(
    name: str,
    *,
    pool: str,
    mode: str,
    spot: bool,
    vm_size: str,
    location: str,
    node_resource_group: str,
    extra: Mapping[str, str],
) -> dict[str, str]:
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": vm_size,
        "beta.kubernetes.io/instance-type": vm_size,
        "topology.kubernetes.io/region": location,
        "topology.kubernetes.io/zone": "0",
        "failure-domain.beta.kubernetes.io/region": location,
        "failure-domain.beta.kubernetes.io/zone": "0",
        "agentpool": pool,
        "kubernetes.azure.com/agentpool": pool,
        "kubernetes.azure.com/mode": mode.lower(),
        "kubernetes.azure.com/role": "agent",
        "kubernetes.azure.com/os-sku": "Ubuntu",
        "kubernetes.azure.com/cluster": node_resource_group,
        "node.kubernetes.io/exclude-from-external-load-balancers": "false",
    }
    if spot:
        labels[SPOT_KEY] = "spot"
    labels.update(extra)
    return labels


def build_node(
    name: str,
    *,
    pool: str,
    mode: str,
    spot: bool,
    vm_size: str,
    location: str,
    node_resource_group: str,
    address: str,
    provider_id: str,
    kubelet_version: str,
    labels: Mapping[str, str],
    taints: Sequence[Mapping[str, str]],
) -> Obj:
    cpus, mem = VM_SIZES.get(vm_size.lower(), DEFAULT_SIZE)
    cpu_alloc, mem_alloc = _allocatable(cpus, mem)
    node_taints = [dict(t) for t in taints]
    if spot and not any(t.get("key") == SPOT_KEY for t in node_taints):
        node_taints.append({"key": SPOT_KEY, "value": "spot", "effect": "NoSchedule"})
    capacity = {"cpu": str(cpus), "memory": f"{mem * 1024 * 1024}Ki", "pods": str(MAX_PODS)}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": node_labels(
                name,
                pool=pool,
                mode=mode,
                spot=spot,
                vm_size=vm_size,
                location=location,
                node_resource_group=node_resource_group,
                extra=labels,
            ),
        },
        "spec": {"providerID": provider_id, "taints": node_taints},
        "status": {
            "capacity": capacity,
            "allocatable": {"cpu": cpu_alloc, "memory": mem_alloc, "pods": str(MAX_PODS)},
            "addresses": [{"type": "InternalIP", "address": address}, {"type": "Hostname", "address": name}],
            "nodeInfo": _node_info(name, kubelet_version),
            "conditions": [],
            "phase": "Running",
        },
    }


def _node_info(name: str, kubelet_version: str) -> dict[str, str]:
    return {
        "architecture": "amd64",
        "bootID": f"boot-{name}",
        "containerRuntimeVersion": "containerd://1.7.27-1",
        "kernelVersion": "5.15.0-1089-azure",
        "kubeProxyVersion": f"v{kubelet_version}",
        "kubeletVersion": f"v{kubelet_version}",
        "machineID": f"machine-{name}",
        "operatingSystem": "linux",
        "osImage": "Ubuntu 22.04.5 LTS",
        "systemUUID": f"uuid-{name}",
    }


def _condition(kind: str, status: str, reason: str, message: str, now: str) -> Obj:
    return {
        "type": kind,
        "status": status,
        "reason": reason,
        "message": message,
        "lastHeartbeatTime": now,
        "lastTransitionTime": now,
    }


def set_ready(node: Obj, ready: bool, now: str) -> None:
    """Set the Ready condition and the not-ready taint; keeps timestamps when nothing changed."""
    status = node["status"]
    current = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    wanted = "True" if ready else "False"
    if current is None or current.get("status") != wanted:
        if ready:
            ready_cond = _condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now)
        else:
            ready_cond = _condition(
                "Ready",
                "False",
                "NetworkPluginNotReady",
                "container runtime network not ready: NetworkReady=false "
                "reason:NetworkPluginNotReady message:Network plugin returns error: "
                "cni plugin not initialized",
                now,
            )
        pressure = [
            _condition(k, "False", f"KubeletHas{r}", f"kubelet has {m}", now)
            for k, r, m in (
                ("MemoryPressure", "SufficientMemory", "sufficient memory available"),
                ("DiskPressure", "NoDiskPressure", "no disk pressure"),
                ("PIDPressure", "SufficientPID", "sufficient PID available"),
            )
        ]
        status["conditions"] = [*pressure, ready_cond]
    taints = node["spec"].get("taints") or []
    has_taint = any(t.get("key") == NOT_READY_TAINT for t in taints)
    if ready:
        taints = [t for t in taints if t.get("key") != NOT_READY_TAINT]
    elif not has_taint:
        taints = [*taints, {"key": NOT_READY_TAINT, "effect": "NoSchedule", "timeAdded": now}]
    node["spec"]["taints"] = taints


def is_ready(node: Obj) -> bool:
    conditions = node.get("status", {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
