"""The mesh probe: a Job annotated ``mesh.orchestrate.io/probe: "<namespace>/<service>[,...]"`` calls
each global Service in turn (``curl --fail-early``); its pod exits 0 only when the modelled network
would carry every call, else with the first failing call's code and message.

The call succeeds when the Service exists in the probe's cluster and is global
(``service.cilium.io/global: "true"``) and either has ready backends there, or the mesh links this
cluster to a peer where the same Service has ready backends (``mesh.link``). Otherwise the pod fails
with curl's exit code and a message naming each peer and each broken condition; the Job follows
(``backoffLimit``), its Failed condition carrying that message.
"""

from __future__ import annotations

from typing import Any

from .cloudview import CloudView, view_of
from .extensions import ControllerContext
from .kubelet import EXIT_CODE, PROBE, TERMINATION
from .mesh import Network, health_warnings, id_conflicts, link, subnet_of
from .meshfacts import BUCKETS, GLOBAL, ContextSource, MeshFacts, Source, collect, ready_backends

Obj = dict[str, Any]
CURL_RESOLVE, CURL_CONNECT = 6, 7
COMPONENT = "mesh-probe"


def _networks(view: CloudView, ids: list[str]) -> dict[str, Network | None]:
    return {cid: subnet_of(view, view.cluster_subnet(cid)) for cid in ids}


def _peers(view: CloudView, own_id: str) -> list[tuple[MeshFacts, Source]]:
    found: list[tuple[MeshFacts, Source]] = []
    for key, cid in sorted(view.clusters().items(), key=lambda kv: kv[1]):
        if cid.lower() == own_id.lower():
            continue
        peer = view.peer(key, BUCKETS)
        if peer is not None:
            found.append((collect(peer, cid), peer))
    return found


def verdicts(view: CloudView | None, own: Source, own_id: str, targets: str) -> tuple[int, str]:
    """(exit code, message) of one curl over every target in order, stopping at the first failure."""
    answered = []
    for target in [t.strip() for t in targets.split(",") if t.strip()]:
        code, message = verdict(view, own, own_id, target)
        if code:
            return code, message
        answered.append(message)
    return 0, "; ".join(answered)


def verdict(view: CloudView | None, own: Source, own_id: str, target: str) -> tuple[int, str]:
    """(exit code, message) of ``curl http://<service>.<namespace>.svc.cluster.local`` from here."""
    namespace, _, name = target.partition("/")
    host = f"{name}.{namespace}.svc.cluster.local"
    me = collect(own, own_id)
    svc = own.get("services", namespace, name)
    if not name or svc is None:
        return CURL_RESOLVE, f"Could not resolve host: {host} (no Service {target} in {me.name or own_id})"
    if ready_backends(own, namespace, name):
        return 0, f"{host} answered by a backend in {me.name}"
    if (svc["metadata"].get("annotations") or {}).get(GLOBAL) != "true":
        return (
            CURL_CONNECT,
            f'Service {target} in {me.name} is not global ({GLOBAL}: "true") and has no backends',
        )
    if view is None:
        return CURL_CONNECT, f"{host}: no backend in {me.name} and no other cluster is known"
    peers = _peers(view, own_id)
    nets = _networks(view, [own_id, *[f.cluster_id for f, _ in peers]])
    reasons = []
    conflicts = id_conflicts(me, [f for f, _ in peers])
    for facts, src in peers:
        problems = [*link(view, me, facts, nets), *conflicts.get(facts.cluster_id, [])]
        backends = ready_backends(src, namespace, name)
        if not problems and backends:
            warnings = "; ".join([*health_warnings(me, facts, nets), *health_warnings(facts, me, nets)])
            note = f" (cilium-health would report: {warnings})" if warnings else ""
            return (
                0,
                f"{host} answered by {facts.name} ({backends} ready backend(s)) through Cluster Mesh{note}",
            )
        causes = problems or [f"no ready backend of global Service {target}"]
        reasons.append(f"peer {facts.name or facts.cluster_id}: {'; '.join(causes)}")
    detail = " | ".join(reasons) or "no peer cluster"
    return CURL_CONNECT, f"Failed to connect to {host} from {me.name}: {detail}"


class MeshProbeModel:
    """Gives each running probe pod its exit code (once), from ``verdict``."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def __call__(self, ctx: ControllerContext) -> None:
        for job in ctx.list("batch/v1", "Job"):
            target = (job["metadata"].get("annotations") or {}).get(PROBE)
            if target:
                self._job(ctx, job, str(target))

    def _job(self, ctx: ControllerContext, job: Obj, target: str) -> None:
        uid = job["metadata"]["uid"]
        for pod in ctx.list("v1", "Pod", job["metadata"]["namespace"]):
            owners = {r.get("uid") for r in pod["metadata"].get("ownerReferences") or []}
            annotations = pod["metadata"].setdefault("annotations", {})
            if uid not in owners or EXIT_CODE in annotations or pod["status"].get("phase") != "Running":
                continue
            own_id = str(self.config.get("clusterId", ""))
            code, message = verdicts(view_of(self.config), ContextSource(ctx), own_id, target)
            annotations[EXIT_CODE], annotations[TERMINATION] = str(code), message
            ctx.replace(pod)
            reason = "ProbeSucceeded" if code == 0 else "ProbeFailed"
            ctx.record(job, reason, message, component=COMPONENT, warning=code != 0)
