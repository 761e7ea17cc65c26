"""Server-side printing of core/v1 kinds (Pod, Node, Service, Event, PVC, ...): columns and cells."""

from __future__ import annotations

from typing import Any

from .durations import since
from .printers import AGE, DEFAULT, NAME, Column, Printer, age, condition_status, format_labels, name, simple
from .store import Obj


def _container_reason(status: Obj) -> str | None:
    state = status.get("state") or {}
    if (state.get("waiting") or {}).get("reason"):
        return str(state["waiting"]["reason"])
    terminated = state.get("terminated")
    if terminated is not None:
        if terminated.get("reason"):
            return str(terminated["reason"])
        if terminated.get("signal"):
            return f"Signal:{terminated['signal']}"
        return f"ExitCode:{terminated.get('exitCode', 0)}"
    return None


def pod_status(pod: Obj) -> tuple[str, int, int]:
    """(STATUS, ready containers, restarts) as the pod printer computes them."""
    status = pod.get("status") or {}
    reason = str(status.get("reason") or status.get("phase") or "Pending")
    ready = restarts = 0
    has_running = False
    for container in reversed(status.get("containerStatuses") or []):
        restarts += int(container.get("restartCount", 0))
        found = _container_reason(container)
        if found is not None:
            reason = found
        elif container.get("ready") and "running" in (container.get("state") or {}):
            has_running = True
            ready += 1
    if reason == "Completed" and has_running:
        reason = "Running" if condition_status(pod, "Ready") == "True" else "NotReady"
    if pod["metadata"].get("deletionTimestamp") and status.get("phase") not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return reason, ready, restarts


def _pod(pod: Obj, now: float) -> list[Any]:
    reason, ready, restarts = pod_status(pod)
    status = pod.get("status") or {}
    total = len((pod.get("spec") or {}).get("containers") or [])
    ips = status.get("podIPs") or []
    gates = (pod.get("spec") or {}).get("readinessGates") or []
    gate_text = "<none>"
    if gates:
        passed = sum(1 for g in gates if condition_status(pod, g.get("conditionType", "")) == "True")
        gate_text = f"{passed}/{len(gates)}"
    return [
        name(pod),
        f"{ready}/{total}",
        reason,
        str(restarts),
        age(pod, now),
        ips[0].get("ip") if ips else "<none>",
        (pod.get("spec") or {}).get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        gate_text,
    ]


def _node_address(node: Obj, kind: str) -> str:
    addresses = (node.get("status") or {}).get("addresses") or []
    return next((str(a["address"]) for a in addresses if a.get("type") == kind), "<none>")


def node_roles(node: Obj) -> str:
    roles = set()
    for key, value in (node["metadata"].get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/") and key.split("/", 1)[1]:
            roles.add(key.split("/", 1)[1])
        elif key == "kubernetes.io/role" and value:
            roles.add(str(value))
    return ",".join(sorted(roles)) or "<none>"


def _node(node: Obj, now: float) -> list[Any]:
    ready = condition_status(node, "Ready")
    states = ["Unknown" if ready is None else "Ready" if ready == "True" else "NotReady"]
    if (node.get("spec") or {}).get("unschedulable"):
        states.append("SchedulingDisabled")
    info = (node.get("status") or {}).get("nodeInfo") or {}
    return [
        name(node),
        ",".join(states),
        node_roles(node),
        age(node, now),
        info.get("kubeletVersion", ""),
        _node_address(node, "InternalIP"),
        _node_address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def _external_ip(svc: Obj) -> str:
    spec, status = svc.get("spec") or {}, svc.get("status") or {}
    external = list(spec.get("externalIPs") or [])
    kind = spec.get("type", "ClusterIP")
    if kind == "ExternalName":
        return str(spec.get("externalName", ""))
    if kind != "LoadBalancer":
        return ",".join(external) or "<none>"
    ingress = [
        i.get("ip") or i.get("hostname") for i in (status.get("loadBalancer") or {}).get("ingress") or []
    ]
    found = [str(i) for i in ingress if i] + external
    return ",".join(found) or "<pending>"


def _ports(svc: Obj) -> str:
    pieces = []
    for port in (svc.get("spec") or {}).get("ports") or []:
        protocol = port.get("protocol", "TCP")
        node_port = f":{port['nodePort']}" if port.get("nodePort") else ""
        pieces.append(f"{port.get('port')}{node_port}/{protocol}")
    return ",".join(pieces) or "<none>"


def _service(svc: Obj, now: float) -> list[Any]:
    spec = svc.get("spec") or {}
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [
        name(svc),
        spec.get("type", "ClusterIP"),
        cluster_ips[0] if cluster_ips else "<none>",
        _external_ip(svc),
        _ports(svc),
        age(svc, now),
        format_labels(spec.get("selector")),
    ]


def _event(event: Obj, now: float) -> list[Any]:
    involved = event.get("involvedObject") or {}
    first = since(event.get("firstTimestamp") or event.get("eventTime"), now)
    last = since(event["lastTimestamp"], now) if event.get("lastTimestamp") else first
    target = str(involved.get("kind", "")).lower()
    if involved.get("name"):
        target = f"{target}/{involved['name']}"
    source = event.get("source") or {}
    origin = source.get("component") or event.get("reportingComponent") or ""
    if source.get("host"):
        origin = f"{origin}, {source['host']}"
    return [
        last,
        event.get("type", ""),
        event.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        origin,
        str(event.get("message", "")).strip(),
        first,
        int(event.get("count") or 1),
        name(event),
    ]


def _access_modes(modes: list[str] | None) -> str:
    short = {
        "ReadWriteOnce": "RWO",
        "ReadOnlyMany": "ROX",
        "ReadWriteMany": "RWX",
        "ReadWriteOncePod": "RWOP",
    }
    return ",".join(short.get(m, m) for m in modes or [])


def _pvc(pvc: Obj, now: float) -> list[Any]:
    spec, status = pvc.get("spec") or {}, pvc.get("status") or {}
    phase = "Terminating" if pvc["metadata"].get("deletionTimestamp") else status.get("phase", "")
    bound = bool(spec.get("volumeName"))
    return [
        name(pvc),
        phase,
        spec.get("volumeName", ""),
        (status.get("capacity") or {}).get("storage", "") if bound else "",
        _access_modes(status.get("accessModes")) if bound else "",
        spec.get("storageClassName", ""),
        spec.get("volumeAttributesClassName") or "<unset>",
        age(pvc, now),
        spec.get("volumeMode") or "<unset>",
    ]


def _pv(pv: Obj, now: float) -> list[Any]:
    spec, status = pv.get("spec") or {}, pv.get("status") or {}
    claim = spec.get("claimRef") or {}
    return [
        name(pv),
        (spec.get("capacity") or {}).get("storage", ""),
        _access_modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", ""),
        "Terminating" if pv["metadata"].get("deletionTimestamp") else status.get("phase", ""),
        f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else "",
        spec.get("storageClassName", ""),
        spec.get("volumeAttributesClassName") or "<unset>",
        status.get("reason", ""),
        age(pv, now),
        spec.get("volumeMode") or "<unset>",
    ]


def _endpoints(ep: Obj, now: float) -> list[Any]:
    found = []
    for subset in ep.get("subsets") or []:
        ports = subset.get("ports") or [{}]
        for port in ports:
            for address in subset.get("addresses") or []:
                found.append(f"{address['ip']}:{port['port']}" if "port" in port else address["ip"])
    text = ",".join(found[:3]) + (f" + {len(found) - 3} more..." if len(found) > 3 else "")
    return [name(ep), text or "<none>", age(ep, now)]


def _endpoint_slice(eps: Obj, now: float) -> list[Any]:
    ports = [str(p.get("port", p.get("name", "*"))) for p in eps.get("ports") or []]
    addresses = [a for e in eps.get("endpoints") or [] for a in e.get("addresses") or []]

    def listed(values: list[str]) -> str:
        text = ",".join(values[:3]) + (f" + {len(values) - 3} more..." if len(values) > 3 else "")
        return text or "<unset>"

    return [name(eps), eps.get("addressType", ""), listed(ports), listed(addresses), age(eps, now)]


def _quota(quota: Obj, now: float) -> list[Any]:
    hard = (quota.get("status") or {}).get("hard") or (quota.get("spec") or {}).get("hard") or {}
    used = (quota.get("status") or {}).get("used") or {}
    requests: list[str] = []
    limits: list[str] = []
    for key in sorted(hard):
        text = f"{key}: {used.get(key, '0')}/{hard[key]}"
        (limits if key.startswith("limits.") else requests).append(text)
    return [name(quota), age(quota, now), ", ".join(requests), ", ".join(limits)]


WIDE = 1

POD = Printer(
    (
        NAME,
        Column("Ready", description="Ready containers / containers."),
        Column("Status", description="Aggregate status of the pod's containers."),
        Column("Restarts", description="Container restarts."),
        AGE,
        Column("IP", priority=WIDE, description="Pod IP."),
        Column("Node", priority=WIDE, description="Node the pod is bound to."),
        Column("Nominated Node", priority=WIDE, description="Node nominated by preemption."),
        Column("Readiness Gates", priority=WIDE, description="Readiness gates passed."),
    ),
    _pod,
)

NODE = Printer(
    (
        NAME,
        Column("Status", description="Node readiness and schedulability."),
        Column("Roles", description="Roles from node-role labels."),
        AGE,
        Column("Version", description="Kubelet version."),
        Column("Internal-IP", priority=WIDE, description="First InternalIP address."),
        Column("External-IP", priority=WIDE, description="First ExternalIP address."),
        Column("OS-Image", priority=WIDE, description="Operating system image."),
        Column("Kernel-Version", priority=WIDE, description="Kernel version."),
        Column("Container-Runtime", priority=WIDE, description="Container runtime version."),
    ),
    _node,
)

SERVICE = Printer(
    (
        NAME,
        Column("Type", description="Service type."),
        Column("Cluster-IP", description="Cluster IP."),
        Column("External-IP", description="Load-balancer ingress or external IPs."),
        Column("Port(s)", description="Service ports."),
        AGE,
        Column("Selector", priority=WIDE, description="Pod selector."),
    ),
    _service,
)

NAMESPACE = Printer(
    (NAME, Column("Status", description="Namespace phase."), AGE),
    simple(lambda o: (o.get("status") or {}).get("phase", "")),
)

CONFIG_MAP = Printer(
    (NAME, Column("Data", description="Number of keys."), AGE),
    simple(lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {})),
)

SECRET = Printer(
    (NAME, Column("Type", description="Secret type."), Column("Data", description="Keys."), AGE),
    simple(lambda o: o.get("type", ""), lambda o: len(o.get("data") or {})),
)

SERVICE_ACCOUNT = Printer(
    (NAME, Column("Secrets", description="Referenced secrets."), AGE),
    simple(lambda o: len(o.get("secrets") or [])),
)

EVENT = Printer(
    (
        Column("Last Seen", description="Time since the last occurrence."),
        Column("Type", description="Normal or Warning."),
        Column("Reason", description="Short machine-readable reason."),
        Column("Object", description="The object the event is about."),
        Column("Subobject", priority=WIDE, description="Field path within the object."),
        Column("Source", priority=WIDE, description="Reporting component."),
        Column("Message", description="Human-readable description."),
        Column("First Seen", priority=WIDE, description="Time since the first occurrence."),
        Column("Count", priority=WIDE, description="Occurrences."),
        Column("Name", priority=WIDE, format="name", description="Event name."),
    ),
    _event,
)

PERSISTENT_VOLUME_CLAIM = Printer(
    (
        NAME,
        Column("Status", description="Claim phase."),
        Column("Volume", description="Bound volume."),
        Column("Capacity", description="Actual capacity."),
        Column("Access Modes", description="Actual access modes."),
        Column("StorageClass", description="Storage class."),
        Column("VolumeAttributesClass", description="Volume attributes class."),
        AGE,
        Column("VolumeMode", priority=WIDE, description="Filesystem or Block."),
    ),
    _pvc,
)

PERSISTENT_VOLUME = Printer(
    (
        NAME,
        Column("Capacity", description="Capacity."),
        Column("Access Modes", description="Access modes."),
        Column("Reclaim Policy", description="What happens on release."),
        Column("Status", description="Volume phase."),
        Column("Claim", description="Bound claim."),
        Column("StorageClass", description="Storage class."),
        Column("VolumeAttributesClass", description="Volume attributes class."),
        Column("Reason", description="Failure reason."),
        AGE,
        Column("VolumeMode", priority=WIDE, description="Filesystem or Block."),
    ),
    _pv,
)

ENDPOINTS = Printer((NAME, Column("Endpoints", description="Ready addresses."), AGE), _endpoints)

ENDPOINT_SLICE = Printer(
    (
        NAME,
        Column("AddressType", description="IPv4, IPv6 or FQDN."),
        Column("Ports", description="Ports."),
        Column("Endpoints", description="Addresses."),
        AGE,
    ),
    _endpoint_slice,
)

LIMIT_RANGE = DEFAULT

RESOURCE_QUOTA = Printer(
    (
        NAME,
        AGE,
        Column("Request", description="Requests used/hard."),
        Column("Limit", description="Limits."),
    ),
    _quota,
)

LEASE = Printer(
    (NAME, Column("Holder", description="Current holder."), AGE),
    simple(lambda o: (o.get("spec") or {}).get("holderIdentity", "")),
)


def core_printers() -> dict[str, Printer]:
    return {
        "Pod": POD,
        "Node": NODE,
        "Service": SERVICE,
        "Namespace": NAMESPACE,
        "ConfigMap": CONFIG_MAP,
        "Secret": SECRET,
        "ServiceAccount": SERVICE_ACCOUNT,
        "Event": EVENT,
        "PersistentVolumeClaim": PERSISTENT_VOLUME_CLAIM,
        "PersistentVolume": PERSISTENT_VOLUME,
        "Endpoints": ENDPOINTS,
        "EndpointSlice": ENDPOINT_SLICE,
        "LimitRange": LIMIT_RANGE,
        "ResourceQuota": RESOURCE_QUOTA,
        "Lease": LEASE,
    }
