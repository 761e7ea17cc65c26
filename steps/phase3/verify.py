"""Verification steps: what must hold after Cilium and the mesh are installed, checked on the live
clusters with evidence (what was seen) recorded in the step's outputs. None of it holds a secret.

A check returns (holds, what it saw); it raises `VerificationFailed` when waiting cannot help (a
failed Job). A wait that runs out of time fails with the last thing it saw, so the message names the
cause (a peer's load balancer without an IP, a Gateway not Programmed, ...)."""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.engine.change import Action, Change, FieldChange
from orchestrator.engine.graph import StepId
from orchestrator.engine.step import Document, Outputs
from orchestrator.errors import NotFound, OrchestrateError, StepTimeout
from orchestrator.kube.errors import call_kube
from steps.kube import WaitStep

if TYPE_CHECKING:
    from orchestrator.config.model import Deployment
    from orchestrator.engine.context import StepContext

Check = Callable[["StepContext"], tuple[bool, str]]
VERIFY_GRACE_S = 30.0  # `orchestrate verify`: how long a check that does not hold yet may settle


class VerificationFailed(OrchestrateError):
    """The cluster reached a state that waiting will not fix; the message says what was seen."""


class VerifyStep(WaitStep):
    def observe(self, ctx: StepContext) -> Document | None:
        try:
            return super().observe(ctx)
        except VerificationFailed as exc:  # a plan shows what is wrong; the apply fails on it
            return {"ready": False, "seen": str(exc)}

    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        """What was seen is the evidence, shown whether the check holds (no-op) or not (to wait for)."""
        observed = self.observe(ctx) or {}
        seen = str(observed.get("seen") or "")
        if observed.get("ready"):
            return Change.noop(seen), observed
        field = FieldChange("ready", False, True)
        return Change(Action.UPDATE, (field,), reason=seen, desired={"ready": True}), observed

    def standalone(self) -> VerifyStep:
        """This check on its own, for `orchestrate verify` (which runs no other step): it checks what
        is live now, giving a condition at most VERIFY_GRACE_S to settle."""
        twin = copy.copy(self)
        twin.depends_on = ()
        twin.timeout_s = min(self.timeout_s, VERIFY_GRACE_S)
        return twin

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        last = {"seen": str((observed or {}).get("seen") or "")}

        def holds() -> bool:
            ok, last["seen"] = self.check(ctx)
            return ok

        try:
            ctx.wait_until(self.title, holds, interval=1.0)
        except StepTimeout as exc:
            raise VerificationFailed(
                f"{self.title}: not reached within {self.timeout_s:.0f}s; last seen: {last['seen']}"
            ) from exc
        return {"ready": True, "seen": last["seen"]}


def _get(
    ctx: StepContext, cluster: str, api_version: str, kind: str, namespace: str | None, name: str
) -> dict[str, Any] | None:
    from kubernetes.dynamic.exceptions import ResourceNotFoundError

    dyn = ctx.kube().dynamic(cluster)
    try:
        resource = call_kube(lambda: dyn.resources.get(api_version=api_version, kind=kind))
    except ResourceNotFoundError:  # the kind is not served (yet): its CRD comes with this phase
        return None
    try:
        found = call_kube(lambda: resource.get(name=name, namespace=namespace))
    except NotFound:
        return None
    body: dict[str, Any] = found.to_dict()
    return body


def _condition(obj: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return dict(cond)
    return None


def _true(obj: Mapping[str, Any], kind: str) -> bool:
    cond = _condition(obj, kind)
    return bool(cond and cond.get("status") == "True")


def _node_ready(node: Any) -> bool:
    conditions = (node.status.conditions if node.status else None) or []
    return any(c.type == "Ready" and c.status == "True" for c in conditions)


# -- the checks ----------------------------------------------------------------------------------
def nodes_ready(cluster: str) -> Check:
    def check(ctx: StepContext) -> tuple[bool, str]:
        from kubernetes import client

        nodes = call_kube(lambda: client.CoreV1Api(ctx.kube().api(cluster)).list_node().items)
        not_ready = [str(n.metadata.name if n.metadata else "?") for n in nodes if not _node_ready(n)]
        seen = f"{len(nodes) - len(not_ready)}/{len(nodes)} nodes Ready"
        if not_ready:
            seen += f" (NotReady: {', '.join(sorted(not_ready))})"
        return bool(nodes) and not not_ready, seen

    return check


def rollout(cluster: str, kind: str, namespace: str, name: str) -> Check:
    from steps.release import Readiness

    wait = Readiness.rollout(kind, namespace, name)  # type: ignore[arg-type]

    def check(ctx: StepContext) -> tuple[bool, str]:
        ok, seen = wait.check(_get(ctx, cluster, wait.api_version, kind, namespace, name))
        return ok, f"{kind} {namespace}/{name}: {seen}"

    return check


def all_of(*checks: Check) -> Check:
    def check(ctx: StepContext) -> tuple[bool, str]:
        results = [c(ctx) for c in checks]
        return all(ok for ok, _ in results), "; ".join(seen for _, seen in results)

    return check


def internal_ip(cluster: str, namespace: str, name: str, subnet: str, expected: str) -> Check:
    """The Service has an internal load-balancer IP in `subnet`, and it is the fixed one the peers use."""

    def check(ctx: StepContext) -> tuple[bool, str]:
        svc = _get(ctx, cluster, "v1", "Service", namespace, name)
        if svc is None:
            return False, f"Service {namespace}/{name} does not exist"
        ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        ips = [str(i.get("ip")) for i in ingress if i.get("ip")]
        if not ips:
            seen = f"Service {namespace}/{name} has no load-balancer IP yet (expected {expected} in {subnet})"
            return False, seen + _latest_warning(ctx, cluster, namespace, name)
        inside = [ip for ip in ips if ipaddress.IPv4Address(ip) in ipaddress.IPv4Network(subnet)]
        seen = f"Service {namespace}/{name} at {', '.join(ips)}"
        if not inside:
            return False, f"{seen}: not in the mesh subnet {subnet}"
        if expected not in ips:
            return False, f"{seen}: the peers dial {expected}; the fixed IP is not the one assigned"
        return True, f"{seen} (internal, in {subnet})"

    return check


def _latest_warning(ctx: StepContext, cluster: str, namespace: str, name: str) -> str:
    """The newest Warning event of the Service (the cloud provider says there why it has no IP)."""
    from kubernetes import client

    core = client.CoreV1Api(ctx.kube().api(cluster))
    selector = f"involvedObject.kind=Service,involvedObject.name={name},type=Warning"
    events = call_kube(lambda: core.list_namespaced_event(namespace, field_selector=selector).items)
    if not events:
        return ""
    latest = max(events, key=lambda e: str(e.last_timestamp or e.event_time or e.metadata.creation_timestamp))
    return f"; last event: {latest.reason}: {latest.message}"


def gateway_programmed(cluster: str, namespace: str, gateway: str, route: str) -> Check:
    def check(ctx: StepContext) -> tuple[bool, str]:
        api = "gateway.networking.k8s.io/v1"
        gw = _get(ctx, cluster, api, "Gateway", namespace, gateway)
        rt = _get(ctx, cluster, api, "HTTPRoute", namespace, route)
        if gw is None or rt is None:
            return False, f"Gateway {namespace}/{gateway} or HTTPRoute {namespace}/{route} does not exist"
        addresses = [str(a.get("value")) for a in (gw.get("status") or {}).get("addresses") or []]
        programmed = _true(gw, "Programmed")
        parents = (rt.get("status") or {}).get("parents") or []
        accepted = any(  # a route's status holds one entry per parent, with the conditions inline
            c.get("type") == "Accepted" and c.get("status") == "True"
            for p in parents
            for c in p.get("conditions") or []
        )
        cond = _condition(gw, "Programmed") or {}
        seen = (
            f"Gateway {namespace}/{gateway}: Programmed={programmed}"
            f"{'' if programmed else ' (' + str(cond.get('reason') or 'no condition') + ')'},"
            f" addresses {addresses or 'none'}; HTTPRoute {namespace}/{route}: Accepted={accepted}"
        )
        return programmed and bool(addresses) and accepted, seen

    return check


def mesh_agrees(config: Deployment) -> Check:
    """Every cluster's mesh settings agree with every other's, and the NSGs let the mesh through
    (`steps.phase3.meshcheck`). A disagreement fails at once: waiting does not repair a setting."""
    from steps.phase3.meshcheck import NO_IP_YET, diagnose

    def check(ctx: StepContext) -> tuple[bool, str]:
        problems = diagnose(ctx, config)
        pending = [p for p in problems if p.endswith(NO_IP_YET)]
        if problems and len(pending) < len(problems):
            raise VerificationFailed("Cluster Mesh would not connect: " + "; ".join(problems))
        if problems:
            return False, "; ".join(problems)
        names = ", ".join(c.name for c in config.clusters)
        return True, (
            f"{names}: cluster names and IDs unique, one cilium-ca, every peer listed at its"
            " clustermesh-apiserver address, NSGs allow TCP 2379 and UDP 8472"
        )

    return check


def verify(
    step_id: StepId, title: str, check: Check, depends_on: tuple[StepId, ...], timeout_s: float = 600.0
) -> VerifyStep:
    return VerifyStep(step_id, phase=3, title=title, check=check, depends_on=depends_on, timeout_s=timeout_s)
