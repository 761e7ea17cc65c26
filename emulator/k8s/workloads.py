"""Workload controllers: Deployment -> ReplicaSet -> Pods, DaemonSet, StatefulSet and Job pods."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from .conditions import set_condition
from .errors import KubeError
from .events import record
from .objects import Objects
from .scheduler import node_matches, untolerated_taints
from .store import Obj

MANAGER = "kube-controller-manager"
HASH_LABEL = "pod-template-hash"
REVISION_LABEL = "controller-revision-hash"
DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)


def template_hash(template: Any) -> str:
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    return "".join(c for c in digest if c in "bcdf0123456789")[:10]


def owner_ref(owner: Obj) -> Obj:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def owned(objs: list[Obj], owner: Obj) -> list[Obj]:
    uid = owner["metadata"]["uid"]
    return [o for o in objs if any(r.get("uid") == uid for r in o["metadata"].get("ownerReferences") or [])]


def job_failed(job: Obj, pods: list[Obj]) -> bool:
    """More pods failed than ``backoffLimit`` (default 6) allows: the Job is Failed, no new pod."""
    failed = sum(1 for p in pods if p.get("status", {}).get("phase") == "Failed")
    return failed > int(job["spec"].get("backoffLimit", 6))


def active(pod: Obj) -> bool:
    return pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")


class WorkloadControllers:
    """Creates and deletes pods (and ReplicaSets) so that controllers match their specs."""

    def __init__(self, objects: Objects) -> None:
        self.objects = objects
        self.pods_rt = objects.rt("pods")

    def run(self) -> None:
        for deployment in self.objects.store.items("deployments.apps"):
            self._deployment(deployment)
        for rs in self.objects.store.items("replicasets.apps"):
            self._replicaset(rs)
        nodes = self.objects.store.items("nodes")
        for ds in self.objects.store.items("daemonsets.apps"):
            self._daemonset(ds, nodes)
        for sts in self.objects.store.items("statefulsets.apps"):
            self._statefulset(sts)
        for job in self.objects.store.items("jobs.batch"):
            self._job(job)

    def _pods(self, ns: str) -> list[Obj]:
        return self.objects.store.items("pods", ns)

    def _new_pod(self, owner: Obj, name: str, template: Obj, labels: dict[str, str]) -> str | None:
        """Create a pod for ``owner`` (``name`` ending in "-" is a generateName prefix).

        Returns the API error message when the pod was refused (the caller reports FailedCreate).
        """
        meta = copy.deepcopy(template.get("metadata") or {})
        meta["labels"] = {**(meta.get("labels") or {}), **labels}
        meta["generateName" if name.endswith("-") else "name"] = name
        meta["ownerReferences"] = [owner_ref(owner)]
        meta.pop("namespace", None)
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": copy.deepcopy(template["spec"])}
        try:
            created = self.objects.create(self.pods_rt, owner["metadata"]["namespace"], pod, None)
        except KubeError as err:  # e.g. Pod Security admission
            return err.message
        text = f"Created pod: {created['metadata']['name']}"
        record(
            self.objects.store,
            owner,
            "SuccessfulCreate",
            text,
            component=f"{owner['kind'].lower()}-controller",
        )
        return None

    def _delete_pod(self, pod: Obj) -> None:
        self.objects.delete(self.pods_rt, pod["metadata"]["namespace"], pod["metadata"]["name"])

    # -- Deployment / ReplicaSet ----------------------------------------------------------------
    def _deployment(self, dep: Obj) -> None:
        spec = dep["spec"]
        if spec.get("paused"):
            return
        rs_rt = self.objects.rt("replicasets.apps")
        ns = dep["metadata"]["namespace"]
        pod_hash = template_hash(spec["template"])
        name = f"{dep['metadata']['name']}-{pod_hash}"
        replicas = int(spec.get("replicas", 1))
        for rs in owned(self.objects.store.items("replicasets.apps", ns), dep):
            if rs["metadata"]["name"] != name and rs["spec"].get("replicas", 0) != 0:
                scaled = copy.deepcopy(rs)
                scaled["spec"]["replicas"] = 0
                self.objects.update(rs_rt, scaled, None)
        current = self.objects.find(rs_rt, ns, name)
        if current is None:
            template = copy.deepcopy(spec["template"])
            template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = pod_hash
            selector = copy.deepcopy(spec["selector"])
            selector.setdefault("matchLabels", {})[HASH_LABEL] = pod_hash
            revision = str(
                int(dep["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", 0)) + 1
            )
            rs = {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": name,
                    "labels": dict(template["metadata"]["labels"]),
                    "annotations": {"deployment.kubernetes.io/revision": revision},
                    "ownerReferences": [owner_ref(dep)],
                },
                "spec": {"replicas": replicas, "selector": selector, "template": template},
            }
            self.objects.create(rs_rt, ns, rs, None)
            self._set_revision(dep, revision)
        elif current["spec"].get("replicas") != replicas:
            scaled = copy.deepcopy(current)
            scaled["spec"]["replicas"] = replicas
            self.objects.update(rs_rt, scaled, None)

    def _set_revision(self, dep: Obj, revision: str) -> None:
        updated = copy.deepcopy(dep)
        updated["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = revision
        self.objects.store.update("deployments.apps", updated)

    def _replicaset(self, rs: Obj) -> None:
        ns = rs["metadata"]["namespace"]
        pods = [p for p in owned(self._pods(ns), rs) if active(p)]
        wanted = int(rs["spec"].get("replicas", 1))
        failure = None
        for _ in range(wanted - len(pods)):
            failure = self._new_pod(rs, f"{rs['metadata']['name']}-", rs["spec"]["template"], {}) or failure
        self._replica_failure(rs, failure)
        if len(pods) > wanted:
            pods.sort(key=lambda p: (bool(p["spec"].get("nodeName")), p["metadata"]["creationTimestamp"]))
            for pod in pods[: len(pods) - wanted]:
                self._delete_pod(pod)

    def _replica_failure(self, rs: Obj, message: str | None) -> None:
        """Keep the ReplicaFailure condition in line with the last pod creation attempt."""
        conditions = [
            c for c in rs.get("status", {}).get("conditions") or [] if c.get("type") != "ReplicaFailure"
        ]
        if message is not None:
            conditions = set_condition(
                conditions, "ReplicaFailure", "True", "FailedCreate", message, now=self.objects.store.now()
            )
        if conditions != (rs.get("status", {}).get("conditions") or []):
            updated = copy.deepcopy(rs)
            updated.setdefault("status", {})["conditions"] = conditions
            if not conditions:
                updated["status"].pop("conditions")
            self.objects.store.update("replicasets.apps", updated)
            if message is not None:
                text = f"Error creating: {message}"
                record(
                    self.objects.store,
                    rs,
                    "FailedCreate",
                    text,
                    component="replicaset-controller",
                    warning=True,
                )

    # -- DaemonSet ------------------------------------------------------------------------------
    @staticmethod
    def daemon_pod_spec(template_spec: Obj) -> Obj:
        spec = copy.deepcopy(template_spec)
        tolerations = spec.setdefault("tolerations", [])
        extra = list(DAEMON_TOLERATIONS)
        if spec.get("hostNetwork"):
            extra.append(("node.kubernetes.io/network-unavailable", "NoSchedule"))
        for key, effect in extra:
            if not any(t.get("key") == key and t.get("effect") == effect for t in tolerations):
                tolerations.append({"key": key, "operator": "Exists", "effect": effect})
        return spec

    @classmethod
    def daemon_eligible(cls, ds: Obj, node: Obj) -> bool:
        spec = cls.daemon_pod_spec(ds["spec"]["template"]["spec"])
        return node_matches(spec, node) and not untolerated_taints(spec, node)

    def _daemonset(self, ds: Obj, nodes: list[Obj]) -> None:
        revision = template_hash(ds["spec"]["template"])
        pods = [p for p in owned(self._pods(ds["metadata"]["namespace"]), ds) if active(p)]
        by_node: dict[str, Obj] = {}
        for pod in pods:
            node = pod["spec"].get("nodeName", "")
            stale = pod["metadata"].get("labels", {}).get(REVISION_LABEL) != revision
            if node in by_node or stale:
                self._delete_pod(pod)
            else:
                by_node[node] = pod
        eligible = {n["metadata"]["name"] for n in nodes if self.daemon_eligible(ds, n)}
        for node, pod in by_node.items():
            if node not in eligible:
                self._delete_pod(pod)
        template = copy.deepcopy(ds["spec"]["template"])
        template["spec"] = self.daemon_pod_spec(template["spec"])
        for node in sorted(eligible - by_node.keys()):
            template["spec"]["nodeName"] = node
            self._new_pod(ds, f"{ds['metadata']['name']}-", template, {REVISION_LABEL: revision})

    # -- StatefulSet ----------------------------------------------------------------------------
    def _statefulset(self, sts: Obj) -> None:
        ns, base = sts["metadata"]["namespace"], sts["metadata"]["name"]
        revision = template_hash(sts["spec"]["template"])
        replicas = int(sts["spec"].get("replicas", 1))
        pods = {p["metadata"]["name"]: p for p in owned(self._pods(ns), sts)}
        for name, pod in pods.items():
            ordinal = name.rsplit("-", 1)[-1]
            stale = pod["metadata"].get("labels", {}).get(REVISION_LABEL) != f"{base}-{revision}"
            if not ordinal.isdigit() or int(ordinal) >= replicas or stale:
                self._delete_pod(pod)
        existing = {p["metadata"]["name"] for p in owned(self._pods(ns), sts)}
        for index in range(replicas):
            name = f"{base}-{index}"
            if name in existing:
                continue
            self._claims(sts, index)
            template = copy.deepcopy(sts["spec"]["template"])
            template["spec"]["hostname"] = name
            claims = {
                t["metadata"]["name"]: {"claimName": f"{t['metadata']['name']}-{base}-{index}"}
                for t in sts["spec"].get("volumeClaimTemplates") or []
            }
            volumes = [v for v in template["spec"].get("volumes") or [] if v.get("name") not in claims]
            volumes += [{"name": n, "persistentVolumeClaim": claim} for n, claim in claims.items()]
            if volumes:
                template["spec"]["volumes"] = volumes
            if sts["spec"].get("serviceName"):
                template["spec"]["subdomain"] = sts["spec"]["serviceName"]
            labels = {
                REVISION_LABEL: f"{base}-{revision}",
                "statefulset.kubernetes.io/pod-name": name,
                "apps.kubernetes.io/pod-index": str(index),
            }
            self._new_pod(sts, name, template, labels)

    def _claims(self, sts: Obj, index: int) -> None:
        pvc_rt = self.objects.rt("persistentvolumeclaims")
        ns, base = sts["metadata"]["namespace"], sts["metadata"]["name"]
        for template in sts["spec"].get("volumeClaimTemplates") or []:
            name = f"{template['metadata']['name']}-{base}-{index}"
            if self.objects.find(pvc_rt, ns, name) is None:
                claim = {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {
                        "name": name,
                        "labels": dict(sts["spec"]["selector"].get("matchLabels") or {}),
                    },
                    "spec": copy.deepcopy(template.get("spec") or {}),
                }
                self.objects.create(pvc_rt, ns, claim, None)

    # -- Job ------------------------------------------------------------------------------------
    def _job(self, job: Obj) -> None:
        spec = job["spec"]
        if spec.get("suspend"):
            return
        pods = owned(self._pods(job["metadata"]["namespace"]), job)
        succeeded = sum(1 for p in pods if p["status"].get("phase") == "Succeeded")
        running = sum(1 for p in pods if active(p))
        if job_failed(job, pods):
            return
        remaining = int(spec.get("completions", 1)) - succeeded - running
        for _ in range(max(0, min(remaining, int(spec.get("parallelism", 1)) - running))):
            labels = {"batch.kubernetes.io/job-name": job["metadata"]["name"]}
            self._new_pod(job, f"{job['metadata']['name']}-", spec["template"], labels)
