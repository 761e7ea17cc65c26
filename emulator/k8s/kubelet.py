"""Scheduler + kubelet model: binds pending pods, sets node readiness (CNI) and pod status.

Modelled, not run: no containers exist. A pod bound to a node is Running and Ready at once when the
node's network is ready (a CNI pod runs there) or the pod uses hostNetwork / is itself a CNI pod;
otherwise it stays Pending in ContainerCreating. Job pods complete (Succeeded) as soon as they run.

What counts as a CNI: a DaemonSet in ``kube-system`` labelled ``k8s-app=cilium`` or annotated
``emulator.orchestrate.io/cni: "true"``. A node becomes Ready once one of its pods is bound to it.

Modelled software can change a pod's fate through annotations on the pod (``cilium.py``, ``probe.py``):
``emulator.orchestrate.io/crash-reason`` keeps it CrashLoopBackOff (not ready; a CNI pod then does not
make its node Ready); a pod of a Job annotated ``mesh.orchestrate.io/probe`` runs until it gets
``emulator.orchestrate.io/exit-code`` (and a termination message), then Succeeds or Fails with it; so
does a pod labelled as one of ``AWAITING_LABELS`` (Cilium's certgen Job).
"""

from __future__ import annotations

import copy
from typing import Any

from .conditions import set_condition
from .events import record
from .network import allocate
from .nodes import is_ready, set_ready
from .objects import Objects
from .scheduler import choose_node
from .store import Obj
from .volumes import claimed_volumes

CNI_ANNOTATION = "emulator.orchestrate.io/cni"
SCHEDULER = "default-scheduler"
# Set by modelled software on a pod (never by the product): the container exits at start with this reason
CRASH = "emulator.orchestrate.io/crash-reason"
# A Job annotated PROBE runs until a model sets EXIT_CODE (and TERMINATION) on its pod (see probe.py)
PROBE = "mesh.orchestrate.io/probe"
EXIT_CODE = "emulator.orchestrate.io/exit-code"
TERMINATION = "emulator.orchestrate.io/termination-message"
# Job pods whose outcome a model decides by their labels (certgen.py: Cilium's certgen)
AWAITING_LABELS = (("k8s-app", "clustermesh-apiserver-generate-certs"),)


def is_cni_daemonset(ds: Obj) -> bool:
    meta = ds["metadata"]
    if meta.get("namespace") != "kube-system":
        return False
    labelled = (meta.get("labels") or {}).get("k8s-app") == "cilium"
    return labelled or (meta.get("annotations") or {}).get(CNI_ANNOTATION) == "true"


def _controller_kind(pod: Obj) -> str:
    refs = pod["metadata"].get("ownerReferences") or []
    return next((r.get("kind", "") for r in refs if r.get("controller")), "")


class Kubelet:
    """Scheduling, node network readiness and pod status for the whole cluster."""

    def __init__(self, objects: Objects, pod_cidr: str) -> None:
        self.objects = objects
        self.store = objects.store
        self.pod_cidr = pod_cidr

    def run(self) -> None:
        cni_uids = {d["metadata"]["uid"] for d in self.store.items("daemonsets.apps") if is_cni_daemonset(d)}
        nodes = {n["metadata"]["name"]: n for n in self.store.items("nodes")}
        pods = self.store.items("pods")
        self._collect_orphans(pods, nodes)
        pods = self.store.items("pods")
        self._node_readiness(nodes, pods, cni_uids)
        nodes = {n["metadata"]["name"]: n for n in self.store.items("nodes")}
        self._schedule(nodes)
        for pod in self.store.items("pods"):
            self._pod_status(pod, nodes, cni_uids)

    def _is_cni_pod(self, pod: Obj, cni_uids: set[str]) -> bool:
        return any(r.get("uid") in cni_uids for r in pod["metadata"].get("ownerReferences") or [])

    def _collect_orphans(self, pods: list[Obj], nodes: dict[str, Obj]) -> None:
        """Pods bound to a node that no longer exists are deleted (pod GC)."""
        for pod in pods:
            node = pod["spec"].get("nodeName")
            if node and node not in nodes:
                self.objects.delete(
                    self.objects.rt("pods"), pod["metadata"]["namespace"], pod["metadata"]["name"]
                )

    def _node_readiness(self, nodes: dict[str, Obj], pods: list[Obj], cni_uids: set[str]) -> None:
        with_cni = {
            p["spec"].get("nodeName")
            for p in pods
            if self._is_cni_pod(p, cni_uids) and not _annotation(p, CRASH)
        }
        now = self.store.now()
        for name, node in nodes.items():
            updated = copy.deepcopy(node)
            set_ready(updated, name in with_cni, now)
            if updated != node:
                stored = self.store.update("nodes", updated)
                if is_ready(stored) != is_ready(node):
                    reason = "NodeReady" if is_ready(stored) else "NodeNotReady"
                    record(
                        self.store,
                        stored,
                        reason,
                        f"Node {name} status is now: {reason}",
                        component="kubelet",
                    )

    def _schedule(self, nodes: dict[str, Obj]) -> None:
        bound: dict[str, list[Obj]] = {}
        pending = []
        for pod in self.store.items("pods"):
            if pod["spec"].get("nodeName"):
                if pod["status"].get("phase") not in ("Succeeded", "Failed"):
                    bound.setdefault(pod["spec"]["nodeName"], []).append(pod)
            else:
                pending.append(pod)
        for pod in pending:
            node, message = choose_node(pod, list(nodes.values()), bound)
            missing = self._missing_claims(pod)
            if missing:
                node, message = None, f'persistentvolumeclaim "{missing[0]}" not found'
            updated = self._bind(pod, node, message)
            if node is not None:
                bound.setdefault(node, []).append(updated)

    def _bind(self, pod: Obj, node: str | None, message: str) -> Obj:
        updated = copy.deepcopy(pod)
        conditions = updated["status"].get("conditions") or []
        now = self.store.now()
        if node is None:
            conditions = set_condition(conditions, "PodScheduled", "False", "Unschedulable", message, now=now)
        else:
            updated["spec"]["nodeName"] = node
            conditions = set_condition(conditions, "PodScheduled", "True", now=now)
        updated["status"]["conditions"] = conditions
        if updated != pod:
            stored = self.store.update("pods", updated)
            if node is None:
                record(self.store, stored, "FailedScheduling", message, component=SCHEDULER, warning=True)
            else:
                ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
                text = f"Successfully assigned {ns}/{name} to {node}"
                record(self.store, stored, "Scheduled", text, component=SCHEDULER)
        return updated

    def _missing_claims(self, pod: Obj) -> list[str]:
        ns = pod["metadata"]["namespace"]
        return [c for c in claimed_volumes(pod) if self.store.get("persistentvolumeclaims", ns, c) is None]

    def _pod_status(self, pod: Obj, nodes: dict[str, Obj], cni_uids: set[str]) -> None:
        node = nodes.get(pod["spec"].get("nodeName") or "")
        phase = pod["status"].get("phase")
        if node is None or phase in ("Succeeded", "Failed"):
            return
        network = is_ready(node) or bool(pod["spec"].get("hostNetwork")) or self._is_cni_pod(pod, cni_uids)
        updated = copy.deepcopy(pod)
        status = updated["status"]
        now = self.store.now()
        status.setdefault("startTime", now)
        status["hostIP"] = _node_ip(node)
        status["hostIPs"] = [{"ip": status["hostIP"]}]
        if network:
            self._assign_ip(updated, status["hostIP"])
        started = network or phase == "Running"  # a running pod keeps running when its node loses the CNI
        status["phase"] = self._phase(pod) if started else "Pending"
        crashing = bool(_annotation(pod, CRASH))
        status["containerStatuses"] = _container_statuses(pod, status["phase"], network and not crashing, now)
        status["conditions"] = _pod_conditions(
            status.get("conditions") or [], status["phase"], network and not crashing, now
        )
        if updated != pod:
            self.store.update("pods", updated)

    def _phase(self, pod: Obj) -> str:
        """A started pod's phase: Job pods end (a probe's when a model gave its exit code)."""
        if _controller_kind(pod) != "Job":
            return "Running"
        code = _annotation(pod, EXIT_CODE)
        if code is None:
            ref = next(r for r in pod["metadata"]["ownerReferences"] if r.get("controller"))
            job = self.store.get("jobs.batch", pod["metadata"]["namespace"], ref["name"]) or {}
            return "Running" if _annotation(job, PROBE) or _awaits_model(pod) else "Succeeded"
        return "Succeeded" if code == "0" else "Failed"

    def _assign_ip(self, pod: Obj, host_ip: str) -> None:
        status = pod["status"]
        if pod["spec"].get("hostNetwork"):
            status["podIP"] = host_ip
        elif not status.get("podIP"):
            used = [p["status"].get("podIP", "") for p in self.store.items("pods")]
            status["podIP"] = allocate(self.pod_cidr, used)
        status["podIPs"] = [{"ip": status["podIP"]}]


def _awaits_model(pod: Obj) -> bool:
    labels = pod["metadata"].get("labels") or {}
    return any(labels.get(k) == v for k, v in AWAITING_LABELS)


def _annotation(obj: Obj, key: str) -> str | None:
    value = (obj.get("metadata", {}).get("annotations") or {}).get(key)
    return str(value) if value is not None else None


def _node_ip(node: Obj) -> str:
    addresses = node["status"].get("addresses") or []
    return next((a["address"] for a in addresses if a.get("type") == "InternalIP"), "")


def _pod_conditions(conditions: list[Obj], phase: str, network: bool, now: str) -> list[Obj]:
    ready = "True" if phase == "Running" and network else "False"
    reasons = {"Succeeded": "PodCompleted", "Pending": "ContainersNotReady"}
    reason = "" if ready == "True" else reasons.get(phase, "NodeNotReady")
    message = "containers with unready status" if phase == "Pending" else ""
    sandbox = "False" if phase == "Pending" else "True"
    conditions = set_condition(conditions, "PodReadyToStartContainers", sandbox, now=now)
    conditions = set_condition(conditions, "Initialized", "True", now=now)
    conditions = set_condition(conditions, "Ready", ready, reason, message, now=now)
    conditions = set_condition(conditions, "ContainersReady", ready, reason, message, now=now)
    return set_condition(conditions, "PodScheduled", "True", now=now)


def _container_statuses(pod: Obj, phase: str, network: bool, now: str) -> list[dict[str, Any]]:
    out = []
    for container in pod["spec"].get("containers") or []:
        previous = next(
            (c for c in pod["status"].get("containerStatuses") or [] if c.get("name") == container["name"]),
            None,
        )
        if phase == "Running":
            started = ((previous or {}).get("state") or {}).get("running", {}).get("startedAt", now)
            state: Obj = {"running": {"startedAt": started}}
        elif phase in ("Succeeded", "Failed"):
            state = {"terminated": _terminated(pod, now)}
        else:
            state = {"waiting": {"reason": "ContainerCreating"}}
        image = container.get("image", "")
        crash = _annotation(pod, CRASH) if phase == "Running" else None
        last: Obj = {}
        if crash:
            state = {"waiting": {"reason": "CrashLoopBackOff", "message": crash}}
            before = ((previous or {}).get("lastState") or {}).get("terminated") or {}
            at = before.get("finishedAt", now) if before.get("message") == crash else now
            last = {"terminated": {"exitCode": 1, "reason": "Error", "message": crash, "finishedAt": at}}
        out.append(
            {
                "name": container["name"],
                "image": image,
                "imageID": f"{image}@sha256:{'0' * 64}" if phase != "Pending" else "",
                "containerID": f"containerd://{pod['metadata']['uid'].replace('-', '')}{container['name']}"
                if phase != "Pending"
                else None,
                "ready": phase == "Running" and network,
                "started": phase == "Running" and not crash,
                "restartCount": 5 if crash else 0,
                "state": state,
                "lastState": last,
            }
        )
    return [{k: v for k, v in c.items() if v is not None} for c in out]


def _terminated(pod: Obj, now: str) -> Obj:
    code = int(_annotation(pod, EXIT_CODE) or 0)
    state: Obj = {
        "exitCode": code,
        "reason": "Completed" if code == 0 else "Error",
        "startedAt": now,
        "finishedAt": now,
    }
    message = _annotation(pod, TERMINATION)
    return {**state, "message": message} if message else state
