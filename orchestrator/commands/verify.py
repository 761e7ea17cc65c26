"""verify: run a phase's checks again, now, against what is live, without installing anything."""

from __future__ import annotations

from typing import Any

import click

from orchestrator import errors
from orchestrator.cli import CliState
from orchestrator.commands.common import emit_document, handled, make_app


@click.command()
@click.option("--phase", type=int, default=None, help="Verify only this phase (default: every phase run).")
@handled
def verify(state: CliState, phase: int | None) -> int:
    """Check that what the phases built still works (nodes, Cilium, the mesh, the Gateways), probing
    the mesh afresh. Installs and repairs nothing; the mesh probe Job is the only object it writes."""
    with make_app(state, "verify") as app:
        numbers = [phase] if phase else app.session.verifiable()
        if not numbers:
            raise errors.UsageError("no phase with checks has been run yet; run `orchestrate run` first")
        checked = [app.session.verify(n) for n in numbers]
        code = errors.exit_code_of(*(result for result, _ in checked))
        document = _document(app, checked, code)
        if state.json:
            emit_document(state, document)
        else:
            _render(state, document)
        return code


def _document(app: Any, checked: list[tuple[Any, dict[str, str]]], code: int) -> dict[str, Any]:
    phases = []
    for result, evidence in checked:
        checks = [
            {
                "id": s.step_id,
                "title": s.title,
                "passed": s.outcome.value == "done",
                "status": s.outcome.value,
                "evidence": evidence.get(s.step_id, ""),
            }
            for s in result.steps
        ]
        phases.append({"number": result.number, "name": result.name, "checks": checks})
    return {
        "command": "verify",
        "deployment": app.config.name,
        "phases": phases,
        "passed": code == 0,
        "api_requests": app.counts.snapshot(),
        "duration_s": round(app.elapsed(), 3),
        "exit_code": code,
    }


def _lines(evidence: str, width: int = 160) -> list[str]:
    """Long evidence (several causes joined by "; ") one cause per line."""
    if len(evidence) <= width:
        return [evidence] if evidence else []
    return [part for part in evidence.split("; ") if part]


def _render(state: CliState, document: dict[str, Any]) -> None:
    from rich.markup import escape

    for phase in document["phases"]:
        state.stdout.print(f"\n[bold]Phase {phase['number']}: {escape(phase['name'])}[/bold]")
        for check in phase["checks"]:
            mark = "[green]pass[/green]" if check["passed"] else "[red]FAIL[/red]"
            state.stdout.print(f"  {mark}  {escape(check['title'])}", highlight=False)
            for line in _lines(check["evidence"]):
                state.stdout.print(f"        {escape(line)}", highlight=False, soft_wrap=True)
    failed = sum(1 for p in document["phases"] for c in p["checks"] if not c["passed"])
    total = sum(len(p["checks"]) for p in document["phases"])
    verdict = "all checks passed" if not failed else f"{failed} of {total} checks failed"
    state.stdout.print(f"\nVerify: {verdict}. {document['duration_s']:.1f}s", highlight=False)
