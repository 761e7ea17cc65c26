"""The product's own objects (Gateway, HTTPRoute, the demo workload) as Kustomize overlays under
`manifests/<component>/overlays/<cluster>`, rendered with `kubectl kustomize` and applied exactly like
a chart release: one step per (cluster, component), server-side apply with the field manager
`orchestrate/<component>`, an inventory label, pruning and deletion in reverse order
(`steps.release`). Rendering reads only local files, so it is deterministic and needs no cluster.

Why `kubectl kustomize` rather than a Python library: it is the Kustomize that `kubectl apply -k` runs
(what a reader of these files will use to check them by hand), it is already required from phase 3 on
next to helm, and no maintained Python implementation of Kustomize exists (ADR-0010).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.charts.digest import sha256_of
from orchestrator.charts.objects import parse_render
from orchestrator.charts.render import Render
from orchestrator.engine.graph import StepId
from orchestrator.errors import OrchestrateError
from steps.phase3 import paths
from steps.release import ChartRelease, Readiness

if TYPE_CHECKING:
    from collections.abc import Sequence

    from orchestrator.engine.context import StepContext

INSTALL_HINT = (
    "install kubectl (https://kubernetes.io/docs/tasks/tools/, or `python tools/install_kube_clients.py`"
    " for this checkout's .venv/bin) and put it on PATH"
)


class KustomizeError(OrchestrateError):
    exit_code = 2


def find_kubectl() -> Path | None:
    """`kubectl` on PATH, else next to the running interpreter (a virtualenv's bin)."""
    found = shutil.which("kubectl")
    if found:
        return Path(found)
    candidate = Path(sys.executable).parent / "kubectl"
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def kustomize(overlay: Path, kubectl: Path | None = None) -> str:
    """`kubectl kustomize <overlay>`: the overlay's objects as one YAML stream."""
    binary = kubectl or find_kubectl()
    if binary is None:
        raise KustomizeError(
            f"kubectl is not installed (not on PATH nor beside {sys.executable}); {INSTALL_HINT}"
        )
    if not (overlay / "kustomization.yaml").is_file():
        raise KustomizeError(
            f"no Kustomize overlay at {overlay} (kustomization.yaml); add one for this cluster"
        )
    done = subprocess.run(
        [str(binary), "kustomize", str(overlay)], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise KustomizeError(f"kubectl kustomize {overlay} failed: {done.stderr.strip()[:500]}")
    return done.stdout


def render_overlay(release: str, overlay: Path, namespace: str = "default") -> Render:
    text = kustomize(overlay)
    objects = parse_render(text, namespace=namespace, origin=f"kustomization {overlay}")
    return Render(
        release, f"kustomize:{overlay.parent.parent.name}", "local", sha256_of(text.encode()), tuple(objects)
    )


class KustomizeStep(ChartRelease):
    """Every object of `manifests/<component>/overlays/<cluster>` on `cluster`."""

    def __init__(
        self,
        step_id: StepId,
        *,
        cluster: str,
        component: str,
        overlay: Path | None = None,
        depends_on: tuple[StepId, ...] = (),
        ready: Sequence[Readiness] = (),
    ) -> None:
        super().__init__(
            step_id,
            phase=3,
            cluster=cluster,
            release=component,
            namespace="default",
            title=f"kustomization {component} on {cluster}",
            depends_on=depends_on,
            ready=ready,
            reads=(),
        )
        self.overlay = overlay

    def render(self, ctx: StepContext) -> Render:
        overlay = self.overlay or paths.kustomize_overlay(self.release, self.cluster)
        return render_overlay(self.release, overlay, self.namespace)
