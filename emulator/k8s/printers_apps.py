"""Server-side printing of workload, batch, policy, RBAC, storage and networking kinds."""

from __future__ import annotations

from typing import Any

from .durations import human, parse_time, since
from .printers import AGE, NAME, Column, Printer, age, containers, format_labels, format_selector, name
from .store import Obj

WIDE = 1
_CONTAINERS = Column("Containers", priority=WIDE, description="Container names of the template.")
_IMAGES = Column("Images", priority=WIDE, description="Container images of the template.")
_SELECTOR = Column("Selector", priority=WIDE, description="Label selector.")


def _status(obj: Obj) -> Obj:
    return obj.get("status") or {}


def _spec(obj: Obj) -> Obj:
    return obj.get("spec") or {}


def _template_spec(obj: Obj) -> Obj:
    return (_spec(obj).get("template") or {}).get("spec") or {}


def _deployment(dep: Obj, now: float) -> list[Any]:
    status = _status(dep)
    ready = f"{status.get('readyReplicas', 0)}/{_spec(dep).get('replicas', 0)}"
    return [
        name(dep),
        ready,
        int(status.get("updatedReplicas", 0)),
        int(status.get("availableReplicas", 0)),
        age(dep, now),
        *containers(_template_spec(dep)),
        format_selector(_spec(dep).get("selector")),
    ]


def _replicaset(rs: Obj, now: float) -> list[Any]:
    status = _status(rs)
    return [
        name(rs),
        int(_spec(rs).get("replicas", 0)),
        int(status.get("replicas", 0)),
        int(status.get("readyReplicas", 0)),
        age(rs, now),
        *containers(_template_spec(rs)),
        format_selector(_spec(rs).get("selector")),
    ]


def _daemonset(ds: Obj, now: float) -> list[Any]:
    status = _status(ds)
    counts = [
        int(status.get(k, 0))
        for k in (
            "desiredNumberScheduled",
            "currentNumberScheduled",
            "numberReady",
            "updatedNumberScheduled",
            "numberAvailable",
        )
    ]
    return [
        name(ds),
        *counts,
        format_labels(_template_spec(ds).get("nodeSelector")),
        age(ds, now),
        *containers(_template_spec(ds)),
        format_selector(_spec(ds).get("selector")),
    ]


def _statefulset(sts: Obj, now: float) -> list[Any]:
    ready = f"{_status(sts).get('readyReplicas', 0)}/{_spec(sts).get('replicas', 0)}"
    return [name(sts), ready, age(sts, now), *containers(_template_spec(sts))]


def _job_condition(job: Obj, kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True" for c in _status(job).get("conditions") or []
    )


def _job_state(job: Obj) -> str:
    if _job_condition(job, "Complete"):
        return "Complete"
    if _job_condition(job, "Failed"):
        return "Failed"
    if job["metadata"].get("deletionTimestamp"):
        return "Terminating"
    if _job_condition(job, "Suspended"):
        return "Suspended"
    if _job_condition(job, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def _job(job: Obj, now: float) -> list[Any]:
    spec, status = _spec(job), _status(job)
    succeeded = int(status.get("succeeded", 0))
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    started, finished = parse_time(status.get("startTime", "")), parse_time(status.get("completionTime", ""))
    took = "" if started is None else human((finished if finished is not None else now) - started)
    return [
        name(job),
        _job_state(job),
        completions,
        took,
        age(job, now),
        *containers(_template_spec(job)),
        format_selector(spec.get("selector")),
    ]


def _cronjob(cj: Obj, now: float) -> list[Any]:
    spec, status = _spec(cj), _status(cj)
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    last = status.get("lastScheduleTime")
    return [
        name(cj),
        spec.get("schedule", ""),
        spec.get("timeZone") or "<none>",
        bool(spec.get("suspend", False)),
        len(status.get("active") or []),
        since(last, now) if last else "<none>",
        age(cj, now),
        *containers((job_spec.get("template") or {}).get("spec")),
        format_selector(job_spec.get("selector")),
    ]


def _pdb(pdb: Obj, now: float) -> list[Any]:
    spec = _spec(pdb)
    return [
        name(pdb),
        str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
        str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A",
        int(_status(pdb).get("disruptionsAllowed", 0)),
        age(pdb, now),
    ]


def _subjects(binding: Obj) -> list[str]:
    users, groups, accounts = [], [], []
    for subject in binding.get("subjects") or []:
        kind, who = subject.get("kind"), subject.get("name", "")
        if kind == "User":
            users.append(who)
        elif kind == "Group":
            groups.append(who)
        elif kind == "ServiceAccount":
            accounts.append(f"{subject.get('namespace', '')}/{who}")
    return [", ".join(users), ", ".join(groups), ", ".join(accounts)]


def _binding(binding: Obj, now: float) -> list[Any]:
    ref = binding.get("roleRef") or {}
    return [
        name(binding),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        age(binding, now),
        *_subjects(binding),
    ]


def _storage_class(sc: Obj, now: float) -> list[Any]:
    shown = name(sc)
    annotations = sc["metadata"].get("annotations") or {}
    if "true" in (
        annotations.get("storageclass.kubernetes.io/is-default-class"),
        annotations.get("storageclass.beta.kubernetes.io/is-default-class"),
    ):
        shown += " (default)"
    return [
        shown,
        sc.get("provisioner", ""),
        sc.get("reclaimPolicy", "Delete"),
        sc.get("volumeBindingMode", "Immediate"),
        str(bool(sc.get("allowVolumeExpansion", False))).lower(),
        age(sc, now),
    ]


def _ingress(ing: Obj, now: float) -> list[Any]:
    spec = _spec(ing)
    hosts = [r["host"] for r in spec.get("rules") or [] if r.get("host")]
    lb = [
        i.get("ip") or i.get("hostname")
        for i in (_status(ing).get("loadBalancer") or {}).get("ingress") or []
    ]
    return [
        name(ing),
        spec.get("ingressClassName") or "<none>",
        ",".join(hosts) or "*",
        ",".join(str(x) for x in lb if x),
        "80, 443" if spec.get("tls") else "80",
        age(ing, now),
    ]


DEPLOYMENT = Printer(
    (
        NAME,
        Column("Ready", description="Ready pods / desired."),
        Column("Up-to-date", description="Pods of the current template."),
        Column("Available", description="Available pods."),
        AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ),
    _deployment,
)

REPLICA_SET = Printer(
    (
        NAME,
        Column("Desired", "integer", description="Desired pods."),
        Column("Current", "integer", description="Created pods."),
        Column("Ready", "integer", description="Ready pods."),
        AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ),
    _replicaset,
)

DAEMON_SET = Printer(
    (
        NAME,
        Column("Desired", "integer", description="Nodes that should run the pod."),
        Column("Current", "integer", description="Nodes running the pod."),
        Column("Ready", "integer", description="Nodes with a ready pod."),
        Column("Up-to-date", "integer", description="Nodes with the current template."),
        Column("Available", "integer", description="Nodes with an available pod."),
        Column("Node Selector", description="Node selector of the template."),
        AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ),
    _daemonset,
)

STATEFUL_SET = Printer(
    (NAME, Column("Ready", description="Ready pods / desired."), AGE, _CONTAINERS, _IMAGES),
    _statefulset,
)

JOB = Printer(
    (
        NAME,
        Column("Status", description="Job state."),
        Column("Completions", description="Succeeded / wanted completions."),
        Column("Duration", description="Time the job took (so far)."),
        AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ),
    _job,
)

CRON_JOB = Printer(
    (
        NAME,
        Column("Schedule", description="Cron schedule."),
        Column("Timezone", description="Time zone of the schedule."),
        Column("Suspend", "boolean", description="Whether new runs are suspended."),
        Column("Active", "integer", description="Running jobs."),
        Column("Last Schedule", description="Time since the last run was scheduled."),
        AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ),
    _cronjob,
)

BINDING = Printer(
    (
        NAME,
        Column("Role", description="Referenced role."),
        AGE,
        Column("Users", priority=WIDE, description="User subjects."),
        Column("Groups", priority=WIDE, description="Group subjects."),
        Column("ServiceAccounts", priority=WIDE, description="ServiceAccount subjects."),
    ),
    _binding,
)

POD_DISRUPTION_BUDGET = Printer(
    (
        NAME,
        Column("Min Available", description="Pods that must stay available."),
        Column("Max Unavailable", description="Pods that may be unavailable."),
        Column("Allowed Disruptions", "integer", description="Evictions allowed now."),
        AGE,
    ),
    _pdb,
)

STORAGE_CLASS = Printer(
    (
        NAME,
        Column("Provisioner", description="Volume provisioner."),
        Column("ReclaimPolicy", description="Reclaim policy of new volumes."),
        Column("VolumeBindingMode", description="When volumes are bound."),
        Column("AllowVolumeExpansion", description="Whether claims may grow."),
        AGE,
    ),
    _storage_class,
)

INGRESS = Printer(
    (
        NAME,
        Column("Class", description="Ingress class."),
        Column("Hosts", description="Hosts of the rules."),
        Column("Address", description="Load-balancer addresses."),
        Column("Ports", description="Ports served."),
        AGE,
    ),
    _ingress,
)

NETWORK_POLICY = Printer(
    (NAME, Column("Pod-Selector", description="Selected pods."), AGE),
    lambda o, now: [name(o), format_selector(_spec(o).get("podSelector")), age(o, now)],
)

PRIORITY_CLASS = Printer(
    (
        NAME,
        Column("Value", "integer", description="Priority."),
        Column("Global-Default", "boolean", description="Default for pods without a class."),
        AGE,
        Column("PreemptionPolicy", description="Whether pods of this class preempt others."),
    ),
    lambda o, now: [
        name(o),
        int(o.get("value", 0)),
        bool(o.get("globalDefault", False)),
        age(o, now),
        o.get("preemptionPolicy", "PreemptLowerPriority"),
    ],
)


def apps_printers() -> dict[str, Printer]:
    return {
        "Deployment": DEPLOYMENT,
        "ReplicaSet": REPLICA_SET,
        "DaemonSet": DAEMON_SET,
        "StatefulSet": STATEFUL_SET,
        "Job": JOB,
        "CronJob": CRON_JOB,
        "PodDisruptionBudget": POD_DISRUPTION_BUDGET,
        "RoleBinding": BINDING,
        "ClusterRoleBinding": BINDING,
        "StorageClass": STORAGE_CLASS,
        "Ingress": INGRESS,
        "NetworkPolicy": NETWORK_POLICY,
        "PriorityClass": PRIORITY_CLASS,
    }
