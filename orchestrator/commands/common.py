"""What every command shares: error handling (the one place errors become exit codes), building the
App, and rendering results as text or the JSON document."""

from __future__ import annotations

import functools
import logging
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orchestrator import errors
from orchestrator.cli import CliState

if TYPE_CHECKING:  # the engine and its pydantic models load only when a command runs
    from orchestrator.engine.results import PhaseResult


F = TypeVar("F", bound=Callable[..., Any])


def handled(fn: F) -> F:
    """Run a command and return its exit code. Whatever it raises is reported (text, or the JSON
    document with --output json) and mapped by `errors.exit_code_for`; a command that printed no JSON
    document of its own still leaves one on stdout with --output json."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> int:
        ctx = click.get_current_context()
        state = ctx.find_object(CliState)
        assert state is not None
        command = ctx.info_name or fn.__name__
        try:
            code = int(fn(state, *args, **kwargs) or 0)
        except (SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # every failure becomes a message and an exit code
            return report_error(state, exc, command=command)
        if state.json and not state.emitted:
            emit_document(state, {"command": command, "config": str(state.config_path), "exit_code": code})
        return code

    return wrapper  # type: ignore[return-value]


def report_error(state: CliState, exc: BaseException, *, command: str | None = None) -> int:
    from rich.markup import escape

    exit_code = errors.exit_code_for(exc)
    lines = errors.describe(exc)
    if exit_code == errors.EXIT_INTERRUPTED:  # whatever was interrupted, `resume` continues it
        lines = [f"interrupted; to continue: {continue_command(state, None, verb='resume')}"]
    if state.json and not state.emitted:
        error = type(exc).__name__
        emit_document(state, {"command": command, "error": error, "messages": lines, "exit_code": exit_code})
    for line in lines:
        state.stderr.print(f"[red]error:[/red] {escape(line)}", highlight=False, markup=True, soft_wrap=True)
    return exit_code


def emit_document(state: CliState, document: dict[str, Any]) -> None:
    """Print the command's JSON document on stdout: once, whatever happens after."""
    from orchestrator.output import emit_json

    if state.emitted:
        logging.getLogger("orchestrate").debug("a second JSON document was not printed: %s", document)
        return
    state.emitted = True
    emit_json(sys.stdout, document)


def make_app(state: CliState, command: str) -> Any:
    from orchestrator.app import App, AppOptions
    from orchestrator.config import load_config
    from orchestrator.output import ProgressReporter

    if not state.config_path.exists():
        raise errors.UsageError(f"{state.config_path} not found; run `orchestrate init` to write one")
    config = load_config(state.config_path)
    reporter = ProgressReporter(state.stderr, verbose=state.verbose)
    options = AppOptions(state.config_path, state.state_path, state.cloud)
    return App(options, config, state.registry_factory(), state.services_factory, reporter, command)


def _document(
    app: Any, command: str, phases: list[PhaseResult], statuses: dict[int, str], code: int, **extra: Any
) -> dict[str, Any]:
    from orchestrator.output import change_totals, phase_document

    return {
        "command": command,
        "deployment": app.config.name,
        "phases": [phase_document(p, statuses.get(p.number, "planned")) for p in phases],
        "changes": change_totals(phases),
        "api_requests": app.counts.snapshot(),
        "duration_s": round(app.elapsed(), 3),
        "exit_code": code,
        **extra,
    }


def statuses(app: Any, phases: list[PhaseResult]) -> dict[int, str]:
    """Each phase's status from the state; actions outside the phases (number 0) from their result."""
    return {
        p.number: app.store.phase(p.number).status.value if p.number else ("failed" if p.failed else "done")
        for p in phases
    }


def continue_command(state: CliState, next_phase: int | None, *, verb: str = "run") -> str:
    """The command that goes on from here, with the global options this one was given."""
    words = ["orchestrate"]
    if state.config_path != Path("deployment.yaml"):
        words += ["--config", str(state.config_path)]
    if state.state_path is not None:
        words += ["--state", str(state.state_path)]
    if state.cloud != "azure":
        words += ["--cloud", state.cloud]
    words += [verb] + (["--phase", str(next_phase)] if next_phase else [])
    return shlex.join(words)


# -- shared rendering -----------------------------------------------------------------------------
def emit(
    state: CliState,
    app: Any,
    command: str,
    phases: list[PhaseResult],
    code: int,
    *,
    plan: bool = False,
    **extra: Any,
) -> None:
    from orchestrator.output import render_plan

    if state.json:
        doc = _document(
            app,
            command,
            phases,
            {} if plan else statuses(app, phases),
            code,
            **{k: v for k, v in extra.items() if v is not None},
        )
        emit_document(state, doc)
        return
    render_plan(state.stdout, phases, applied=not plan)
    if extra.get("cost"):
        cost = extra["cost"]
        state.stdout.print(
            f"Monthly estimate: ${cost['before_monthly']:.2f} -> ${cost['after_monthly']:.2f}"
            f" ({cost['delta_monthly']:+.2f}); `orchestrate cost` itemises it."
        )
    counts = app.counts.snapshot()
    state.stdout.print(
        f"API requests: Azure {counts['azure']['read']} read / {counts['azure']['write']} write;"
        f" Kubernetes {counts['kubernetes']['read']} read / {counts['kubernetes']['write']} write."
        f" {app.elapsed():.1f}s",
        highlight=False,
    )
