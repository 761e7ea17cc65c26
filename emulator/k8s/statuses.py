"""Status writers: ReplicaSets, Deployments, DaemonSets, StatefulSets, Jobs and PodDisruptionBudgets."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from .conditions import condition_true, set_condition
from .disruption import compute_status
from .objects import Objects
from .store import Obj
from .workloads import (
    HASH_LABEL,
    REVISION_LABEL,
    WorkloadControllers,
    active,
    job_failed,
    owned,
    template_hash,
)


def _ready(pods: list[Obj]) -> int:
    return sum(1 for p in pods if condition_true(p, "Ready"))


@dataclass(frozen=True)
class Progress:
    available: bool
    done: bool
    replica_set: str


def _deployment_conditions(
    conditions: list[Obj], progress: Progress, rs_conditions: list[Obj], now: str
) -> list[Obj]:
    """Available, Progressing, and the first ReplicaFailure of the deployment's ReplicaSets."""
    if progress.available:
        available = ("True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
    else:
        available = ("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
    conditions = set_condition(conditions, "Available", *available, now=now, update_time=True)
    name = progress.replica_set
    if progress.done:
        progressing = ("True", "NewReplicaSetAvailable", f'ReplicaSet "{name}" has successfully progressed.')
    else:
        progressing = ("True", "ReplicaSetUpdated", f'ReplicaSet "{name}" is progressing.')
    conditions = set_condition(conditions, "Progressing", *progressing, now=now, update_time=True)
    conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
    return conditions + [c for c in rs_conditions if c.get("type") == "ReplicaFailure"][:1]


def max_unavailable(spec: Obj, replicas: int) -> int:
    """The rolling-update budget as the deployment controller computes it (percent rounds down)."""
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate" or replicas == 0:
        return 0
    rolling = strategy.get("rollingUpdate") or {}
    unavailable = _resolve(rolling.get("maxUnavailable", "25%"), replicas, round_up=False)
    surge = _resolve(rolling.get("maxSurge", "25%"), replicas, round_up=True)
    if unavailable == 0 and surge == 0:
        unavailable = 1
    return min(unavailable, replicas)


def _resolve(value: object, total: int, *, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        scaled = total * int(value[:-1]) / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return int(str(value))


class StatusWriters:
    def __init__(self, objects: Objects) -> None:
        self.objects = objects
        self.store = objects.store

    def run(self) -> None:
        pods = [p for p in self.store.items("pods") if active(p)]
        for rs in self.store.items("replicasets.apps"):
            self._save("replicasets.apps", rs, self._replicaset(rs, pods))
        for dep in self.store.items("deployments.apps"):
            self._save("deployments.apps", dep, self._deployment(dep, pods))
        nodes = self.store.items("nodes")
        for ds in self.store.items("daemonsets.apps"):
            self._save("daemonsets.apps", ds, self._daemonset(ds, pods, nodes))
        for sts in self.store.items("statefulsets.apps"):
            self._save("statefulsets.apps", sts, self._statefulset(sts, pods))
        for job in self.store.items("jobs.batch"):
            self._save("jobs.batch", job, self._job(job))
        now = self.store.now()
        for pdb in self.store.items("poddisruptionbudgets.policy"):
            self._save("poddisruptionbudgets.policy", pdb, compute_status(pdb, pods, now))

    def _save(self, key: str, obj: Obj, status: Obj) -> None:
        if obj.get("status") != status:
            updated = copy.deepcopy(obj)
            updated["status"] = status
            self.store.update(key, updated)

    def _replicaset(self, rs: Obj, pods: list[Obj]) -> Obj:
        mine = owned(pods, rs)
        ready = _ready(mine)
        status: Obj = {
            "replicas": len(mine),
            "fullyLabeledReplicas": len(mine),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": rs["metadata"]["generation"],
            "conditions": (rs.get("status") or {}).get("conditions"),
        }
        return {k: v for k, v in status.items() if v or k == "replicas"}

    def _deployment(self, dep: Obj, pods: list[Obj]) -> Obj:
        sets = owned(self.store.items("replicasets.apps", dep["metadata"]["namespace"]), dep)
        mine = [p for rs in sets for p in owned(pods, rs)]
        pod_hash = template_hash(dep["spec"]["template"])
        updated = [p for p in mine if p["metadata"].get("labels", {}).get(HASH_LABEL) == pod_hash]
        ready = _ready(mine)
        wanted = int(dep["spec"].get("replicas", 1))
        status = dict(dep.get("status") or {})
        progress = Progress(
            available=ready >= wanted - max_unavailable(dep["spec"], wanted),
            done=len(updated) == wanted and _ready(updated) == wanted,
            replica_set=f"{dep['metadata']['name']}-{pod_hash}",
        )
        failures = [c for rs in sets for c in (rs.get("status") or {}).get("conditions") or []]
        status.update(
            replicas=len(mine),
            updatedReplicas=len(updated),
            readyReplicas=ready,
            availableReplicas=ready,
            unavailableReplicas=max(0, wanted - ready),
            observedGeneration=dep["metadata"]["generation"],
            conditions=_deployment_conditions(
                status.get("conditions") or [], progress, failures, self.store.now()
            ),
        )
        return {k: v for k, v in status.items() if v or k in ("replicas", "conditions", "observedGeneration")}

    def _daemonset(self, ds: Obj, pods: list[Obj], nodes: list[Obj]) -> Obj:
        eligible = {n["metadata"]["name"] for n in nodes if WorkloadControllers.daemon_eligible(ds, n)}
        mine = [p for p in owned(pods, ds) if p["spec"].get("nodeName") in eligible]
        revision = template_hash(ds["spec"]["template"])
        ready = _ready(mine)
        status: Obj = {
            "currentNumberScheduled": len(mine),
            "desiredNumberScheduled": len(eligible),
            "numberMisscheduled": 0,
            "numberReady": ready,
            "numberAvailable": ready,
            "numberUnavailable": len(eligible) - ready,
            "updatedNumberScheduled": sum(
                1 for p in mine if p["metadata"].get("labels", {}).get(REVISION_LABEL) == revision
            ),
            "observedGeneration": ds["metadata"]["generation"],
        }
        return {k: v for k, v in status.items() if v or not k.startswith(("numberA", "numberU", "updated"))}

    def _statefulset(self, sts: Obj, pods: list[Obj]) -> Obj:
        mine = owned(pods, sts)
        revision = f"{sts['metadata']['name']}-{template_hash(sts['spec']['template'])}"
        ready = _ready(mine)
        updated = sum(1 for p in mine if p["metadata"].get("labels", {}).get(REVISION_LABEL) == revision)
        return {
            "replicas": len(mine),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "currentReplicas": updated,
            "updatedReplicas": updated,
            "currentRevision": revision,
            "updateRevision": revision,
            "collisionCount": 0,
            "observedGeneration": sts["metadata"]["generation"],
        }

    def _job(self, job: Obj) -> Obj:
        mine = owned(self.store.items("pods", job["metadata"]["namespace"]), job)
        succeeded = sum(1 for p in mine if p["status"].get("phase") == "Succeeded")
        running = sum(1 for p in mine if active(p))
        status = dict(job.get("status") or {})
        now = self.store.now()
        status.setdefault("startTime", now)
        failed = [p for p in mine if p["status"].get("phase") == "Failed"]
        status.update(active=running, succeeded=succeeded, ready=_ready(mine), failed=len(failed))
        if job_failed(job, mine):
            status["conditions"] = _failed_conditions(status.get("conditions") or [], failed, now)
            return {k: v for k, v in status.items() if v or k in ("succeeded", "failed")}
        if succeeded >= int(job["spec"].get("completions", 1)):
            status.setdefault("completionTime", now)
            conditions = status.get("conditions") or []
            conditions = set_condition(
                conditions, "SuccessCriteriaMet", "True", "CompletionsReached", "", now=now
            )
            status["conditions"] = set_condition(
                conditions, "Complete", "True", "CompletionsReached", "", now=now
            )
        return {k: v for k, v in status.items() if v or k == "succeeded"}


def _failed_conditions(conditions: list[Obj], failed: list[Obj], now: str) -> list[Obj]:
    """FailureTarget and Failed (BackoffLimitExceeded), with the last pod's termination message."""
    message = "Job has reached the specified backoff limit"
    last = failed[-1]["status"].get("containerStatuses") or [] if failed else []
    detail = next((c["state"]["terminated"].get("message") for c in last if "terminated" in c["state"]), None)
    text = f"{message}: {detail}" if detail else message
    conditions = set_condition(conditions, "FailureTarget", "True", "BackoffLimitExceeded", text, now=now)
    return set_condition(conditions, "Failed", "True", "BackoffLimitExceeded", text, now=now)
