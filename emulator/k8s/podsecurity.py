"""Pod Security Admission (enforce mode) for the ``baseline`` and ``restricted`` levels (main checks).

A namespace label ``pod-security.kubernetes.io/enforce: baseline|restricted`` makes pod creation fail
with 403 Forbidden, worded like the real admission plugin. ``warn``/``audit`` labels are not modelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import KubeError

Obj = dict[str, Any]
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
BASELINE_CAPS = {
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
}
RESTRICTED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}


def _containers(spec: Obj) -> Iterator[Obj]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(field) or []


def _ctx(container: Obj) -> Obj:
    return container.get("securityContext") or {}


def _baseline(spec: Obj) -> list[str]:
    problems = []
    hosts = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k)]
    if hosts:
        problems.append(f"host namespaces ({', '.join(hosts)})")
    for c in _containers(spec):
        name, ctx = c.get("name", ""), _ctx(c)
        if ctx.get("privileged"):
            problems.append(f'privileged (container "{name}" must not set securityContext.privileged=true)')
        added = set((ctx.get("capabilities") or {}).get("add") or []) - BASELINE_CAPS
        if added:
            problems.append(f'non-default capabilities (container "{name}" must not include {sorted(added)})')
        ports = [p["hostPort"] for p in c.get("ports") or [] if p.get("hostPort")]
        if ports:
            problems.append(f'hostPort (container "{name}" uses hostPort {", ".join(map(str, ports))})')
    host_paths = [v.get("name", "") for v in spec.get("volumes") or [] if "hostPath" in v]
    if host_paths:
        problems.append(f"hostPath volumes ({', '.join(host_paths)})")
    return problems


def _restricted(spec: Obj) -> list[str]:
    problems = []
    pod_ctx = spec.get("securityContext") or {}
    seccomp_ok = (pod_ctx.get("seccompProfile") or {}).get("type") in ("RuntimeDefault", "Localhost")
    for c in _containers(spec):
        name, ctx = c.get("name", ""), _ctx(c)
        if ctx.get("allowPrivilegeEscalation") is not False:
            problems.append(
                f'allowPrivilegeEscalation != false (container "{name}" must set '
                "securityContext.allowPrivilegeEscalation=false)"
            )
        caps = ctx.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []) or set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
            problems.append(
                f'unrestricted capabilities (container "{name}" must set securityContext.capabilities.drop=["ALL"])'
            )
        if not (
            ctx.get("runAsNonRoot") or (pod_ctx.get("runAsNonRoot") and ctx.get("runAsNonRoot") is not False)
        ):
            problems.append(
                f'runAsNonRoot != true (pod or container "{name}" must set securityContext.runAsNonRoot=true)'
            )
        container_seccomp = (ctx.get("seccompProfile") or {}).get("type")
        if not (
            container_seccomp in ("RuntimeDefault", "Localhost") or (seccomp_ok and not container_seccomp)
        ):
            problems.append(
                f'seccompProfile (pod or container "{name}" must set securityContext.seccompProfile.type to '
                '"RuntimeDefault" or "Localhost")'
            )
    bad_volumes = [
        v.get("name", "") for v in spec.get("volumes") or [] if not (set(v) - {"name"}) <= RESTRICTED_VOLUMES
    ]
    if bad_volumes:
        problems.append(f"restricted volume types ({', '.join(bad_volumes)})")
    return problems


def check_pod(pod: Obj, namespace: Obj | None) -> None:
    """Raise 403 when the namespace enforces a level the pod violates."""
    labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
    level = labels.get(ENFORCE_LABEL, "privileged")
    if level not in ("baseline", "restricted"):
        return
    spec = pod.get("spec") or {}
    problems = _baseline(spec) + (_restricted(spec) if level == "restricted" else [])
    if problems:
        meta = pod.get("metadata") or {}
        name = meta.get("name") or meta.get("generateName", "")
        raise KubeError(
            403,
            f'pods "{name}" is forbidden: violates PodSecurity "{level}:latest": {", ".join(problems)}',
            "Forbidden",
        )
