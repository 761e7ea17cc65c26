"""`orchestrate render`: every Kubernetes object the product would apply, as plain YAML, one folder
per cluster and release. No write to Azure or Kubernetes; charts render with each cluster's
configured Kubernetes version, so no live cluster is needed."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import click

from orchestrator import errors
from orchestrator.cli import CliState
from orchestrator.commands.common import emit_document, handled, make_app


@click.command()
@click.option("--phase", type=int, default=None, help="Render only this phase.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    required=True,
    help="Write DIR/<cluster>/<release>/.",
)
@handled
def render(state: CliState, phase: int | None, directory: Path) -> int:
    """Write the objects the product would apply, per cluster and release, without applying them."""
    with make_app(state, "render") as app:
        numbers = [phase] if phase is not None else app.registry.numbers()
        if phase is not None and phase not in app.registry:
            raise errors.UsageError(f"there is no phase {phase}; phases are {app.registry.numbers()}")
        written = [entry for n in numbers for entry in _render_phase(app, n, directory)]
    for entry in written:
        state.stdout.print(
            f"wrote {entry['dir']} ({entry['objects']} objects{_chart_note(entry)})",
            highlight=False,
            markup=False,
        )
    if state.json:
        emit_document(
            state,
            {
                "command": "render",
                "deployment": app.config.name,
                "dir": str(directory),
                "written": written,
                "api_requests": app.counts.snapshot(),
                "exit_code": 0,
            },
        )
    return 0


def _chart_note(entry: dict[str, Any]) -> str:
    return f", {entry['chart']} {entry['version']}" if entry.get("chart") else ""


def _render_phase(app: Any, number: int, directory: Path) -> list[dict[str, Any]]:
    from orchestrator.charts.export import write_release
    from orchestrator.engine.context import StepContext
    from steps.kube import AppliesObjects, KubeObjectStep
    from steps.release import ChartRelease
    from steps.release_render import plain_objects, release_objects

    phase = app.registry.get(number)
    if not phase.available:
        return []
    steps = phase.steps(app.config)
    out: list[dict[str, Any]] = []
    for step in steps:
        if isinstance(step, ChartRelease):
            ctx = StepContext(
                step_id=step.id,
                deployment=app.config.name,
                config=app.config,
                store=app.store,
                services=app.services,
                cancel=threading.Event(),
                deadline=float("inf"),
            )
            rendered, objects = release_objects(step, ctx)
            files = write_release(directory, step.cluster, step.release, objects)
            out.append(_entry(step, directory / step.cluster / step.release, files, rendered))
    plain = [s for s in steps if isinstance(s, KubeObjectStep)]
    plain += [o for s in steps if isinstance(s, AppliesObjects) for o in s.kube_objects()]
    for cluster, objects in plain_objects(plain, app.config.name).items():
        files = write_release(directory, cluster, f"phase{number}-objects", objects)
        out.append(_entry(None, directory / cluster / f"phase{number}-objects", files, None, cluster=cluster))
    return out


def _entry(
    step: Any, folder: Path, files: list[Path], rendered: Any, cluster: str | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "cluster": step.cluster if step is not None else cluster,
        "release": step.release if step is not None else None,
        "step": step.id if step is not None else None,
        "dir": str(folder),
        "objects": len(files),
        "files": [f.name for f in files],
    }
    if rendered is not None:
        entry.update(chart=rendered.chart, version=rendered.version, digest=rendered.digest)
    return entry
