"""Commands that work through the phases: init, plan, run, resume, destroy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from orchestrator import errors
from orchestrator.cli import CliState
from orchestrator.commands.common import continue_command, emit, handled, make_app

if TYPE_CHECKING:  # the engine and its pydantic models load only when a command runs
    from orchestrator.engine.phases import Phase
    from orchestrator.engine.results import PhaseResult
    from orchestrator.engine.session import Decision, SessionResult


# -- init -----------------------------------------------------------------------------------------
@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handled
def init(state: CliState, force: bool) -> int:
    """Write a deployment.yaml with the seed's topology as defaults."""
    from orchestrator.config.template import render_default_config

    path = state.config_path
    if path.exists() and not force:
        raise errors.UsageError(f"{path} already exists; pass --force to overwrite it")
    path.write_text(render_default_config(), encoding="utf-8")
    state.stdout.print(f"Wrote {path}. Next: `orchestrate plan`.")
    return 0


# -- plan -----------------------------------------------------------------------------------------
@click.command()
@click.option("--phase", type=int, default=None, help="Plan only this phase.")
@click.option("--strict-budget", is_flag=True, help="Fail when the always-on estimate exceeds the budget.")
@handled
def plan(state: CliState, phase: int | None, strict_budget: bool) -> int:
    """Preflight and show what would change, per step and field, and what it costs. Makes no writes."""
    with make_app(state, "plan") as app:
        verdict = _budget_preflight(state, app, strict_budget)
        numbers = [phase] if phase else app.session.runnable()
        app.session.preflight(numbers)
        results = app.session.plan(numbers)
        code = errors.EXIT_STEP_FAILED if any(p.failed for p in results) else 0
        cost = _cost_delta(app)
        emit(state, app, "plan", results, code, plan=True, cost=cost, budget=verdict)
        return code


def _budget_preflight(state: CliState, app: Any, strict: bool) -> dict[str, Any]:
    from orchestrator.cost import render_verdict_text, verdict_to_json
    from orchestrator.preflight import budget_verdict, enforce_budget

    verdict = budget_verdict(app.config)
    if not verdict.ok:
        render_verdict_text(verdict, state.stderr)
    enforce_budget(verdict, strict=strict)
    return verdict_to_json(verdict)


def _cost_delta(app: Any) -> dict[str, Any]:
    """How this plan moves the monthly bill, from the config of the last successful run."""
    from orchestrator.config.model import Deployment
    from orchestrator.cost import delta_to_json, estimate_delta

    applied = app.store.document.applied_config
    before = Deployment.model_validate(applied) if applied else None
    return delta_to_json(estimate_delta(before, app.config))


# -- run ------------------------------------------------------------------------------------------
@click.command()
@click.option("--phase", type=int, default=None, help="Run only this phase.")
@click.option("--yes", is_flag=True, help="Do not stop for confirmation between phases.")
@click.option("--dry-run", is_flag=True, help="Show what would change; make no writes.")
@click.option("--force", is_flag=True, help="Run --phase N even if an earlier phase is incomplete.")
@click.option("--strict-budget", is_flag=True, help="Fail when the always-on estimate exceeds the budget.")
@handled
def run(
    state: CliState, phase: int | None, yes: bool, dry_run: bool, force: bool, strict_budget: bool
) -> int:
    """Run phase N, or every pending phase in order, asking between phases."""
    from orchestrator.engine.session import SessionResult

    with make_app(state, "run") as app:
        _budget_preflight(state, app, strict_budget)
        if not dry_run:
            app.session.preflight([phase] if phase is not None else app.session.runnable())
        if phase is not None:
            result = app.session.run_phase(phase, force=force, dry_run=dry_run)
            outcome = SessionResult(phases=[result])
        else:
            outcome = app.session.run_all(_confirm(state, yes, app.config), dry_run=dry_run)
        return _finish_run(state, app, "run", outcome, dry_run)


@click.command()
@click.option("--yes", is_flag=True, help="Do not stop for confirmation between phases.")
@handled
def resume(state: CliState, yes: bool) -> int:
    """Finish the interrupted phase from the state file, then go on as `run` would (asking first)."""
    from orchestrator.engine.session import SessionResult

    with make_app(state, "resume") as app:
        if not app.store.exists or not app.session.resumable():
            state.stderr.print("Nothing to resume: no phase was interrupted. Use `orchestrate run`.")
            return _finish_run(state, app, "resume", SessionResult(), False)
        outcome = app.session.run_all(_confirm(state, yes, app.config))
        return _finish_run(state, app, "resume", outcome, False)


def _finish_run(state: CliState, app: Any, command: str, outcome: SessionResult, dry_run: bool) -> int:
    if not dry_run and outcome.phases and not (outcome.failed or outcome.interrupted):
        app.store.set_applied_config(app.config.model_dump(mode="json"))
    if outcome.interrupted:
        code = errors.EXIT_INTERRUPTED
    elif outcome.failed:
        code = errors.EXIT_STEP_FAILED
    elif outcome.stopped_at_confirmation:
        code = errors.EXIT_CONFIRMATION
    else:
        code = errors.EXIT_OK
    emit(
        state,
        app,
        command,
        outcome.phases,
        code,
        plan=dry_run,
        next_command=continue_command(state, None) if code == errors.EXIT_CONFIRMATION else None,
    )
    if code == errors.EXIT_CONFIRMATION:
        state.stderr.print(
            f"Stopped before phase {outcome.next_phase}. To continue: {continue_command(state, None)} --yes",
            highlight=False,
        )
    elif code == errors.EXIT_INTERRUPTED:
        state.stderr.print(
            "Interrupted. To continue: " + continue_command(state, None).replace(" run", " resume")
        )
    elif code == errors.EXIT_STEP_FAILED:
        state.stderr.print("A step failed; fix the cause above and run the same command again (it resumes).")
    return code


def _phase_cost_line(config: Any, phase: int) -> str:
    from orchestrator.cost import estimate

    demo = estimate(config).demo
    adds = sum((i.monthly for i in demo.items if i.phase == phase), start=type(demo.monthly_total)(0))
    return (
        f"Phase {phase} adds about ${adds:.2f}/month; all phases together: ${demo.monthly_total:.2f}/month."
    )


def _confirm(state: CliState, yes: bool, config: Any = None) -> Callable[[PhaseResult, Phase], Decision]:
    from orchestrator.engine.session import Decision
    from orchestrator.output import change_totals

    def ask(done: PhaseResult, upcoming: Phase) -> Decision:
        if yes:
            return Decision.CONTINUE
        if not state.interactive:
            return Decision.STOP
        totals = change_totals([done])
        state.stderr.print(
            f"\nPhase {done.number} ({done.name}) complete: {totals['create']} created, {totals['update']} updated,"
            f" {totals['noop']} unchanged."
        )
        if config is not None:
            state.stderr.print(_phase_cost_line(config, upcoming.number))
        ok = click.confirm(
            f"Continue with phase {upcoming.number} ({upcoming.name})?", default=False, err=True
        )
        return Decision.CONTINUE if ok else Decision.STOP

    return ask


# -- destroy --------------------------------------------------------------------------------------
@click.command()
@click.option("--phase", type=int, default=None, help="Destroy only this phase.")
@click.option("--yes", is_flag=True, help="Do not ask for the deployment name.")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; delete nothing.")
@handled
def destroy(state: CliState, phase: int | None, yes: bool, dry_run: bool) -> int:
    """Tear down in reverse order, only what this deployment owns."""
    with make_app(state, "destroy") as app:
        numbers = [phase] if phase else app.session.destroy_candidates()
        preview = app.session.destroy(numbers, dry_run=True)
        if dry_run:
            emit(state, app, "destroy", preview, 0, plan=True)
            return 0
        if not yes and not _confirm_destroy(state, app, preview):
            emit(state, app, "destroy", preview, errors.EXIT_CONFIRMATION, plan=True)
            return errors.EXIT_CONFIRMATION
        results = app.session.destroy(numbers, dry_run=False)
        code = errors.EXIT_STEP_FAILED if any(p.failed or p.interrupted for p in results) else 0
        emit(state, app, "destroy", results, code)
        return code


def _confirm_destroy(state: CliState, app: Any, preview: list[PhaseResult]) -> bool:
    from orchestrator.output import render_plan

    render_plan(state.stderr, preview)
    if not state.interactive:
        state.stderr.print("Not deleting: no terminal to confirm on. Pass --yes to destroy without asking.")
        return False
    typed = click.prompt(
        f"Type the deployment name ({app.config.name}) to delete these resources",
        err=True,
        default="",
        show_default=False,
    )
    return bool(typed.strip() == app.config.name)
