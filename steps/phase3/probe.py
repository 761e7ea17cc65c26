"""The mesh probe: a Job on the platform cluster that calls the global Service whose backends run only
on the application clusters, so it succeeds only through Cluster Mesh. The Job is
`manifests/demo/probe` (annotated `mesh.orchestrate.io/probe: <namespace>/<service>`).

The step keeps one successful probe: a re-run reads the finished Job and writes nothing. A failed Job
fails the step with the Job's reason, the probe container's last words and the product's own
diagnosis of the mesh (`steps.phase3.meshcheck`: what is wrong, read from the live clusters and NSGs);
the next run deletes it and probes again (after the cause is repaired). `orchestrate verify` probes
afresh (`fresh=True`); so does the next run after `kubectl delete job -n demo mesh-probe`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from orchestrator.engine.change import Action, Change, FieldChange
from orchestrator.engine.graph import StepId
from orchestrator.engine.step import Document, Outputs, Step
from orchestrator.errors import NotFound, OrchestrateError
from orchestrator.kube.errors import call_kube
from steps.kube import KubeObjectStep
from steps.phase3 import paths
from steps.phase3.kustomize import kustomize
from steps.phase3.verify import VerificationFailed

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

PROBE_ANNOTATION = "mesh.orchestrate.io/probe"
Diagnosis = Callable[["StepContext"], list[str]]


def job_state(job: dict[str, Any]) -> tuple[str, str]:
    """("succeeded" | "failed" | "running", the reason the Job gives)."""
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("status") != "True":
            continue
        if cond.get("type") in ("Complete", "SuccessCriteriaMet"):
            return "succeeded", str(cond.get("message") or "complete")
        if cond.get("type") in ("Failed", "FailureTarget"):
            return "failed", f"{cond.get('reason') or 'Failed'}: {cond.get('message') or ''}".strip(": ")
    return "running", "running"


class ProbeStep(Step):
    kind = "batch/v1/Job"
    default_timeout_s = 420.0

    def __init__(
        self,
        step_id: StepId,
        *,
        cluster: str,
        depends_on: tuple[StepId, ...],
        diagnose: Diagnosis | None = None,
        fresh: bool = False,
    ) -> None:
        super().__init__(step_id, phase=3, title=f"mesh probe Job on {cluster}", depends_on=depends_on)
        self.cluster = cluster
        self.diagnose = diagnose
        self.fresh = fresh  # probe again even after a success (what `orchestrate verify` asks)

    def _job(self) -> KubeObjectStep:
        import yaml

        manifest = yaml.safe_load(kustomize(paths.manifests_dir() / "demo" / "probe"))
        # Background: its pods go with it (the API's default for a Job would orphan them).
        return KubeObjectStep(
            self.id, phase=3, cluster=self.cluster, manifest=manifest, propagation="Background"
        )

    def kube_objects(self) -> list[KubeObjectStep]:
        return [self._job()]

    def standalone(self) -> ProbeStep:
        """A fresh probe on its own, for `orchestrate verify`."""
        return ProbeStep(self.id, cluster=self.cluster, depends_on=(), diagnose=self.diagnose, fresh=True)

    def observe(self, ctx: StepContext) -> Document | None:
        job = self._job().observe(ctx)
        if job is None:
            return None
        state, reason = job_state(dict(job))
        meta = job.get("metadata") or {}
        return {
            "state": state,
            "reason": reason,
            "labels": meta.get("labels") or {},
            "target": (meta.get("annotations") or {}).get(PROBE_ANNOTATION),
        }

    def desired(self, ctx: StepContext) -> Document:
        return {"state": "succeeded"}

    def plan(self, ctx: StepContext) -> tuple[Change, Document | None]:
        observed = self.observe(ctx)
        if observed is None:
            return Change(Action.CREATE, (FieldChange("state", None, "succeeded"),), desired={}), None
        if self.fresh:
            field = FieldChange("state", observed["state"], "succeeded")
            return Change(Action.UPDATE, (field,), reason="probe afresh", desired={}), observed
        if observed["state"] == "succeeded":
            return Change.noop(f"probed {observed['target']}: {observed['reason']}"), observed
        why = "probe again" if observed["state"] == "failed" else "wait for the running probe"
        field = FieldChange("state", observed["state"], "succeeded")
        return Change(Action.UPDATE, (field,), reason=f"{why} ({observed['reason']})", desired={}), observed

    def apply(self, ctx: StepContext, change: Change, observed: Document | None) -> Outputs:
        job = self._job()
        if observed is not None and (self.fresh or observed["state"] == "failed"):
            job.delete(ctx, {})
            ctx.wait_until(
                "the previous probe Job is deleted", lambda: job.observe(ctx) is None, interval=0.5
            )
            observed = None
        if observed is None:
            job.apply(ctx, Change(Action.CREATE, desired=job.desired(ctx)), None)
        ctx.wait_until(self.title, lambda: self._finished(ctx, job), interval=1.0)
        final = self.observe(ctx) or {}
        reason = str(final.get("reason"))
        seen = f"{reason}{self._last_words(ctx, already=reason)}"
        if final.get("state") != "succeeded":
            raise VerificationFailed(
                f"the mesh probe from {self.cluster} to {final.get('target')} failed: {seen}"
                f"{self._diagnosis(ctx)}"
            )
        return self.outputs({**final, "reason": seen})  # what the probe saw

    def _finished(self, ctx: StepContext, job: KubeObjectStep) -> bool:
        live = job.observe(ctx)
        return live is not None and job_state(dict(live))[0] != "running"

    def _last_words(self, ctx: StepContext, already: str = "") -> str:
        """The probe container's termination message (curl's error), if the cluster kept one and the
        Job's own reason (`already`) does not say it yet."""
        from kubernetes import client

        core = client.CoreV1Api(ctx.kube().api(self.cluster))
        try:
            pods = call_kube(
                lambda: core.list_namespaced_pod("demo", label_selector="job-name=mesh-probe").items
            )
        except NotFound:
            return ""
        for pod in pods:
            for status in (pod.status.container_statuses or []) if pod.status else []:
                term = status.state.terminated if status.state else None
                if term is not None and (term.message or term.reason):
                    name = pod.metadata.name if pod.metadata else "?"
                    message = "" if (term.message or "").strip() in already else term.message
                    return f"; pod {name}: {term.reason or ''} {message or ''}".rstrip()
        return ""

    def _diagnosis(self, ctx: StepContext) -> str:
        if self.diagnose is None:
            return ""
        try:
            problems = self.diagnose(ctx)
        except OrchestrateError as exc:  # a read that failed must not hide the probe's own result
            return f"; the mesh could not be diagnosed: {exc}"
        if not problems:
            return "; diagnosis: names, IDs, CA, peer addresses and NSG rules all agree"
        return "; diagnosis: " + "; ".join(problems)

    def outputs(self, observed: Document) -> Outputs:
        return {
            "cluster": self.cluster,
            "target": observed.get("target"),
            "result": observed.get("state"),
            "evidence": observed.get("reason"),
        }

    def owned(self, ctx: StepContext, observed: Document) -> bool:
        from steps.kube import OWNER_LABEL

        return bool((observed.get("labels") or {}).get(OWNER_LABEL) == ctx.deployment)

    def delete(self, ctx: StepContext, observed: Document) -> None:
        job = self._job()
        if job.observe(ctx) is not None:
            job.delete(ctx, {})
