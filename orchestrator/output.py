"""Turn results into what people and scripts read: rich text with live progress, or one JSON document.

Text goes to stdout; progress and logs to stderr. With `--output json` stdout carries exactly one JSON
document and everything else goes to stderr. Colour follows rich's own rules (NO_COLOR, non-TTY).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orchestrator.engine.change import OBJECT_CREATED, Action, FieldChange
from orchestrator.engine.results import Outcome, PhaseResult, StepResult
from orchestrator.engine.runner import Mode
from orchestrator.engine.step import Step
from orchestrator.secret import display_default, ensure_no_secrets
from state.redact import redact, scrub
from state.schema import StateDocument

_ACTION_STYLE = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "bold red",
    Action.DELETE: "red",
    Action.NOOP: "dim",
}
_ACTION_MARK = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "-/+",
    Action.DELETE: "-",
    Action.NOOP: "=",
}


class ProgressReporter:
    """Step events as short lines on stderr; thread-safe (steps run concurrently)."""

    def __init__(self, console: Console, *, verbose: bool = False) -> None:
        self.console = console
        self.verbose = verbose
        self._lock = threading.Lock()

    def step_started(self, step: Step, mode: Mode) -> None:
        if self.verbose:
            with self._lock:
                self.console.print(f"[dim]… {step.id}: {mode.value}[/dim]")

    def step_progress(self, step_id: str, message: str) -> None:
        if self.verbose:
            with self._lock:
                self.console.print(f"[dim]  {step_id}: {message}[/dim]")

    def step_finished(self, result: StepResult) -> None:
        with self._lock:
            self.console.print(_step_line(result), highlight=False)


def _step_line(result: StepResult) -> str:
    mark, style = _ACTION_MARK[result.action], _ACTION_STYLE[result.action]
    status = {Outcome.DONE: "", Outcome.PLANNED: ""}.get(result.outcome, f" [{result.outcome.value}]")
    line = f"[{style}]{mark} {result.step_id}[/{style}] {result.action.value}{_detail(result)}{status} {result.duration_s:.1f}s"
    if result.blockers:
        line += f"\n    [red]kept: holds {', '.join(result.blockers)} (not this deployment's)[/red]"
    return line + (f"\n    [red]{escape(scrub(result.error))}[/red]" if result.error else "")


def _detail(result: StepResult) -> str:
    if result.action is Action.REPLACE:
        return f" [bold red](destroys and re-creates; forced by {', '.join(result.forces_replacement)})[/bold red]"
    if result.action is not Action.UPDATE:
        return ""
    return f" ({', '.join(f.path for f in result.fields[:4])}{'…' if len(result.fields) > 4 else ''})"


def _shown_fields(step: StepResult) -> tuple[FieldChange, ...]:
    """Every changed field; for a create only whole objects (a release's), not every field of it."""
    if step.action is not Action.CREATE:
        return step.fields
    return tuple(f for f in step.fields if f.after == OBJECT_CREATED)


def render_plan(console: Console, phases: Sequence[PhaseResult], *, applied: bool = False) -> None:
    replacing = [s for p in phases for s in p.steps if s.action is Action.REPLACE]
    if replacing:
        console.print("\n[bold red]Replacements (each destroys a resource and creates it again):[/bold red]")
        for step in replacing:
            console.print(
                f"  -/+ {step.step_id}: forced by {', '.join(step.forces_replacement)}", highlight=False
            )
    for phase in phases:
        heading = f"Phase {phase.number}: {phase.name}" if phase.number else phase.name.capitalize()
        console.print(f"\n[bold]{heading}[/bold]")
        if not phase.available:
            console.print("  (not available in this version)")
            continue
        if not phase.steps:
            console.print("  (no steps)")
        for step in phase.steps:
            console.print(f"  {_step_line(step)}", highlight=False)
            if step.reason and step.action in (Action.CREATE, Action.UPDATE):
                console.print(f"      {step.reason}", highlight=False, markup=False)
            for change in _shown_fields(step):
                console.print(f"      {change.describe()}", highlight=False, markup=False)
    totals = change_totals(phases)
    verb = "Applied" if applied else "Plan"
    replaced = f" ({totals['replace']} to replace)" if totals["replace"] else ""
    console.print(
        f"\n{verb}: {totals['create']} to create, {totals['update']} to update, {totals['delete']} to delete"
        f"{replaced}, {totals['noop']} unchanged."
    )


def render_status(
    console: Console, doc: StateDocument | None, names: dict[int, str], available: set[int] | None = None
) -> None:
    if doc is None:
        console.print("No state yet: nothing has been run for this deployment.")
        return
    table = Table(title=f"Deployment {doc.deployment} ({doc.cloud})")
    for column in ("phase", "status", "steps done", "last action"):
        table.add_column(column)
    for number, name in names.items():
        record = doc.phases.get(str(number))
        steps = [s for s in doc.steps.values() if s.phase == number]
        done = sum(1 for s in steps if s.status == "done")
        actions = sorted({s.action for s in steps if s.action})
        status = record.status.value if record else "pending"
        if available is not None and number not in available:
            status = "not in this version"
        table.add_row(f"{number}. {name}", status, f"{done}/{len(steps)}", ", ".join(actions))
    console.print(table)


def change_totals(phases: Sequence[PhaseResult]) -> dict[str, int]:
    """Changes by action; a replacement counts as a delete plus a create, and in `replace`."""
    totals = {a.value: 0 for a in (Action.CREATE, Action.UPDATE, Action.DELETE, Action.REPLACE, Action.NOOP)}
    for phase in phases:
        for step in phase.steps:
            if step.outcome is Outcome.BLOCKED:
                continue
            totals[step.action.value] += 1
            if step.action is Action.REPLACE:
                totals[Action.CREATE.value] += 1
                totals[Action.DELETE.value] += 1
    return totals


def phase_document(phase: PhaseResult, status: str) -> dict[str, Any]:
    return {
        "number": phase.number,
        "name": phase.name,
        "status": status,
        "steps": [
            {
                "id": s.step_id,
                "action": s.action.value,
                "status": s.outcome.value,
                "duration_s": round(s.duration_s, 3),
                "changes": [f.path for f in s.fields],
                **({"summary": s.reason} if s.reason and s.action in (Action.CREATE, Action.UPDATE) else {}),
                **({"forces_replacement": list(s.forces_replacement)} if s.action is Action.REPLACE else {}),
                **({"blocked_by": list(s.blockers)} if s.blockers else {}),
                **({"error": s.error} if s.error else {}),
            }
            for s in phase.steps
        ],
    }


def emit_json(stream: IO[str], document: dict[str, Any]) -> None:
    ensure_no_secrets(document, "JSON output")  # a Secret is a bug: refused, never printed
    text = json.dumps(redact(document), indent=2, sort_keys=False, default=display_default)
    stream.write(text + "\n")  # redacted too: an error message may quote a credential
    stream.flush()
