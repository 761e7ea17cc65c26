"""Admission: validation of required fields and defaulting, so stored objects parse in the typed client."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from .errors import KubeError, invalid
from .selectors import from_label_selector, matches

Obj = dict[str, Any]
_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
WORKLOADS = ("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet")


def _require(obj: Obj, path: str) -> None:
    current: Any = obj
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    if current in (None, "", [], {}):
        kind, name = obj.get("kind", "object"), obj["metadata"].get("name", "")
        raise invalid(kind, name, f"{path}: Required value")


def validate_name(kind: str, name: str, strict: bool) -> None:
    if not name:
        raise invalid(kind, name, "metadata.name: Required value: name or generateName is required")
    if len(name) > 253 or (strict and not _NAME_RE.match(name)):
        raise invalid(
            kind, name, f"metadata.name: Invalid value: {name!r}: must be a lowercase RFC 1123 name"
        )


def _pod_spec(spec: Obj) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
    for container in spec.get("containers") or []:
        container.setdefault("imagePullPolicy", "IfNotPresent")
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        container.setdefault("resources", {})
        for port in container.get("ports") or []:
            port.setdefault("protocol", "TCP")


def _pod(obj: Obj) -> None:
    _require(obj, "spec.containers")
    _pod_spec(obj["spec"])
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def _workload(obj: Obj) -> None:
    _require(obj, "spec.selector")
    _require(obj, "spec.template")
    spec = obj["spec"]
    template = spec["template"]
    labels = (template.get("metadata") or {}).get("labels") or {}
    reqs = from_label_selector(spec["selector"])
    if not reqs or not matches(reqs, labels):
        kind, name = obj["kind"], obj["metadata"]["name"]
        raise invalid(kind, name, "spec.template.metadata.labels: Invalid value: `selector` does not match")
    _require(obj, "spec.template.spec.containers")
    _pod_spec(template["spec"])
    if obj["kind"] != "DaemonSet":
        spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    if obj["kind"] == "Deployment":
        spec.setdefault("strategy", {"type": "RollingUpdate"})
        if spec["strategy"].get("type", "RollingUpdate") == "RollingUpdate":
            rolling = spec["strategy"].setdefault("rollingUpdate", {})
            for field in ("maxUnavailable", "maxSurge"):
                rolling.setdefault(field, "25%")
                _int_or_percent(obj, f"spec.strategy.rollingUpdate.{field}", rolling[field])
        spec.setdefault("progressDeadlineSeconds", 600)
    if obj["kind"] == "StatefulSet":
        spec.setdefault("podManagementPolicy", "OrderedReady")
        spec.setdefault("serviceName", "")
        retention = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
        retention.setdefault("whenDeleted", "Retain")
        retention.setdefault("whenScaled", "Retain")
    if obj["kind"] in ("DaemonSet", "StatefulSet"):
        _update_strategy(obj)
    status = obj.setdefault("status", {})
    if obj["kind"] == "DaemonSet":
        for key in ("currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady"):
            status.setdefault(key, 0)
    else:
        status.setdefault("replicas", 0)


def _update_strategy(obj: Obj) -> None:
    """``spec.updateStrategy`` as the apiserver defaults it (``kubectl rollout status`` needs the type)."""
    strategy = obj["spec"].setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] != "RollingUpdate":
        return
    rolling = strategy.setdefault("rollingUpdate", {})
    if obj["kind"] == "StatefulSet":
        rolling.setdefault("partition", 0)
        return
    rolling.setdefault("maxUnavailable", 1)
    rolling.setdefault("maxSurge", 0)
    for field in ("maxUnavailable", "maxSurge"):
        _int_or_percent(obj, f"spec.updateStrategy.rollingUpdate.{field}", rolling[field])


_INT_OR_PERCENT = re.compile(r"^\d+%?$")


def _int_or_percent(obj: Obj, path: str, value: Any) -> None:
    if isinstance(value, bool) or not (
        (isinstance(value, int) and value >= 0) or (isinstance(value, str) and _INT_OR_PERCENT.match(value))
    ):
        raise invalid(
            obj["kind"],
            obj["metadata"]["name"],
            f"{path}: Invalid value: {value!r}: must be an integer or percentage",
        )


def _service(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    for port in spec.get("ports") or []:
        if "port" not in port:
            raise invalid("Service", obj["metadata"]["name"], "spec.ports.port: Required value")
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port["port"])
    obj.setdefault("status", {}).setdefault("loadBalancer", {})


def _namespace(obj: Obj) -> None:
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj.setdefault("status", {}).setdefault("phase", "Active")
    obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]


def _crd(obj: Obj) -> None:
    for path in ("spec.group", "spec.names.kind", "spec.names.plural", "spec.scope", "spec.versions"):
        _require(obj, path)
    spec = obj["spec"]
    expected = f"{spec['names']['plural']}.{spec['group']}"
    if obj["metadata"]["name"] != expected:
        raise invalid(
            "CustomResourceDefinition", obj["metadata"]["name"], f"metadata.name: must be {expected!r}"
        )
    if sum(1 for v in spec["versions"] if v.get("storage")) != 1:
        raise invalid(
            "CustomResourceDefinition", obj["metadata"]["name"], "spec.versions: exactly one storage"
        )
    names = spec["names"]
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", names["kind"] + "List")
    status = obj.setdefault("status", {})
    status["acceptedNames"] = dict(names)
    status["storedVersions"] = [v["name"] for v in spec["versions"] if v.get("storage")]
    status["conditions"] = [
        {"type": t, "status": "True", "reason": r, "message": m}
        for t, r, m in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        )
    ]


def _simple(required: tuple[str, ...]) -> Callable[[Obj], None]:
    def check(obj: Obj) -> None:
        for path in required:
            _require(obj, path)

    return check


def _job(obj: Obj) -> None:
    _require(obj, "spec.template.spec.containers")
    spec = obj["spec"]
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    template = spec["template"]
    labels = template.setdefault("metadata", {}).setdefault("labels", {})
    labels.setdefault("job-name", obj["metadata"]["name"])
    spec.setdefault("selector", {"matchLabels": {"job-name": obj["metadata"]["name"]}})
    _pod_spec(template["spec"])
    template["spec"]["restartPolicy"] = template["spec"].get("restartPolicy", "Never")
    obj.setdefault("status", {})


def _pdb(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if "minAvailable" in spec and "maxUnavailable" in spec:
        raise invalid("PodDisruptionBudget", obj["metadata"]["name"], "spec: minAvailable and maxUnavailable")
    for field in ("minAvailable", "maxUnavailable"):
        if field in spec:
            _int_or_percent(obj, f"spec.{field}", spec[field])
    obj.setdefault("status", {})


def _secret(obj: Obj) -> None:
    """Base64-check ``data`` and fold ``stringData`` into it, as the apiserver does."""
    data = dict(obj.get("data") or {})
    for key, value in data.items():
        try:
            base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KubeError(400, f"illegal base64 data in Secret key {key!r}", "BadRequest") from exc
    for key, value in (obj.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    if data:
        obj["data"] = data
    obj.setdefault("type", "Opaque")


def _node(obj: Obj) -> None:
    obj.setdefault("spec", {})
    obj.setdefault("status", {})


ADMIT: dict[str, Callable[[Obj], None]] = {
    "Node": _node,
    "Secret": _secret,
    "Pod": _pod,
    "Service": _service,
    "Namespace": _namespace,
    "CustomResourceDefinition": _crd,
    "Job": _job,
    "PodDisruptionBudget": _pdb,
    "CronJob": _simple(("spec.schedule", "spec.jobTemplate.spec.template.spec.containers")),
    "RoleBinding": _simple(("roleRef.kind", "roleRef.name")),
    "ClusterRoleBinding": _simple(("roleRef.kind", "roleRef.name")),
    "StorageClass": _simple(("provisioner",)),
    "PersistentVolumeClaim": _simple(("spec.accessModes", "spec.resources.requests.storage")),
    "PersistentVolume": _simple(("spec.accessModes", "spec.capacity.storage")),
    **dict.fromkeys(WORKLOADS, _workload),
}


IMMUTABLE: dict[str, tuple[str, ...]] = {
    "StorageClass": ("provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"),
    "Deployment": ("spec.selector",),
    "ReplicaSet": ("spec.selector",),
    "DaemonSet": ("spec.selector",),
    "StatefulSet": ("spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"),
    "Job": ("spec.selector", "spec.template"),
    "Service": ("spec.clusterIP",),
    "PersistentVolumeClaim": ("spec.storageClassName", "spec.accessModes", "spec.volumeName"),
}


def _at(obj: Obj, path: str) -> Any:
    current: Any = obj
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    return current


def check_immutable(old: Obj, new: Obj) -> None:
    """422 when an update changes a field the real apiserver refuses to change."""
    kind, name = new.get("kind", ""), new["metadata"].get("name", "")
    paths = IMMUTABLE.get(kind, ())
    if old.get("immutable") and kind in ("Secret", "ConfigMap"):
        paths = ("data", "binaryData", "stringData")
    for path in paths:
        before, after = _at(old, path), _at(new, path)
        if before is not None and before != after and not (path == "spec.volumeName" and not before):
            raise invalid(kind, name, f"{path}: Forbidden: field is immutable")


def admit(obj: Obj) -> None:
    """Validate and default ``obj`` in place (raises 422 Invalid)."""
    hook = ADMIT.get(obj.get("kind", ""))
    if hook is not None:
        hook(obj)
