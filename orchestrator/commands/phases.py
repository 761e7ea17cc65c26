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
        code = errors.exit_code_of(*results)
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
ALLOW_REPLACE_HELP = "Approve destroying and re-creating AKS clusters or node pools (--yes never does)."


@click.command()
@click.option("--phase", type=int, default=None, help="Run only this phase.")
@click.option("--yes", is_flag=True, help="Do not stop for confirmation between phases.")
@click.option("--dry-run", is_flag=True, help="Show what would change; make no writes.")
@click.option("--force", is_flag=True, help="Run --phase N even if an earlier phase is incomplete.")
@click.option("--strict-budget", is_flag=True, help="Fail when the always-on estimate exceeds the budget.")
@click.option("--allow-replace", is_flag=True, help=ALLOW_REPLACE_HELP)
@handled
def run(
    state: CliState,
    phase: int | None,
    yes: bool,
    dry_run: bool,
    force: bool,
    strict_budget: bool,
    allow_replace: bool,
) -> int:
    """Run phase N, or every pending phase in order, asking between phases."""
    from orchestrator.engine.session import SessionResult

    with make_app(state, "run") as app:
        _budget_preflight(state, app, strict_budget)
        if not dry_run:
            app.session.preflight([phase] if phase is not None else app.session.runnable())
        approval = _approval(state, allow_replace)
        if phase is not None:
            result = app.session.run_phase(phase, force=force, dry_run=dry_run, approval=approval)
            outcome = SessionResult(phases=[result])
        else:
            confirm = _confirm(state, yes, app.config)
            outcome = app.session.run_all(confirm, dry_run=dry_run, approval=approval)
        return _finish_run(state, app, "run", outcome, dry_run)


def _approval(state: CliState, allow_replace: bool) -> Any:
    """Replacing a cluster or a pool is approved by --allow-replace, or by the user at a terminal."""
    from orchestrator.engine.session import Approval

    def ask(risky: Any) -> bool:
        if not state.interactive:
            return False
        state.stderr.print("\n[bold red]This run destroys and re-creates:[/bold red]")
        for result in risky:
            forced = ", ".join(result.forces_replacement)
            state.stderr.print(
                f"  -/+ {result.step_id} ({result.title}): forced by {forced}", highlight=False
            )
        state.stderr.print("Every workload on them is lost; persistent volumes follow their reclaim policy.")
        return bool(click.confirm("Destroy and re-create them?", default=False, err=True))

    return Approval(granted=allow_replace, ask=ask)


@click.command()
@click.option("--yes", is_flag=True, help="Do not stop for confirmation between phases.")
@click.option("--allow-replace", is_flag=True, help=ALLOW_REPLACE_HELP)
@handled
def resume(state: CliState, yes: bool, allow_replace: bool) -> int:
    """Continue whatever was interrupted (run, destroy, stop, start), at any boundary."""
    from orchestrator.commands.power import power_with
    from orchestrator.engine.session import SessionResult

    with make_app(state, "resume") as app:
        operation = app.store.document.operation if app.store.exists else None
        if operation is None and not (app.store.exists and app.session.resumable()):
            return _nothing_to_resume(state, app)
        command = operation.command if operation is not None else "run"
        if command == "destroy":
            assert operation is not None
            return _destroy(state, app, operation.phases, yes=yes, dry_run=False, command="resume")
        if command in ("stop", "start"):
            return power_with(state, app, command)
        approval = _approval(state, allow_replace)
        if operation is not None and operation.phases:
            result = app.session.run_phase(operation.phases[0], force=True, approval=approval)
            return _finish_run(state, app, "resume", SessionResult(phases=[result]), False)
        outcome = app.session.run_all(_confirm(state, yes, app.config), approval=approval)
        return _finish_run(state, app, "resume", outcome, False)


def _nothing_to_resume(state: CliState, app: Any) -> int:
    from orchestrator.engine.session import SessionResult

    left = app.session.incomplete() if app.store.exists else []
    if left:
        names = ", ".join(f"{p.number} ({p.name})" for p in left)
        raise errors.UsageError(
            f"nothing was interrupted, but the deployment is incomplete: phase {names} not done;"
            f" to build it: {continue_command(state, None)}"
        )
    state.stderr.print("Nothing to resume: nothing was interrupted and no phase is half-built.")
    return _finish_run(state, app, "resume", SessionResult(), False)


def _finish_run(state: CliState, app: Any, command: str, outcome: SessionResult, dry_run: bool) -> int:
    if not dry_run and outcome.phases and not (outcome.failed or outcome.interrupted):
        app.store.set_applied_config(app.config.model_dump(mode="json"))
    code = errors.exit_code_of(outcome, stopped=outcome.stopped_at_confirmation)
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
        state.stderr.print("Interrupted. To continue: " + continue_command(state, None, verb="resume"))
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
        replaced = f", {totals['replace']} replaced" if totals["replace"] else ""
        state.stderr.print(
            f"\nPhase {done.number} ({done.name}) complete{replaced}: {totals['create']} created,"
            f" {totals['update']} updated, {totals['noop']} unchanged."
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
        return _destroy(state, app, numbers, yes=yes, dry_run=dry_run)


def _destroy(
    state: CliState, app: Any, numbers: list[int], *, yes: bool, dry_run: bool, command: str = "destroy"
) -> int:
    numbers = numbers or app.session.destroy_candidates()
    preview = app.session.destroy(numbers, dry_run=True)
    if dry_run:
        emit(state, app, command, preview, 0, plan=True)
        _report_kept(state, preview, planned=True)
        return 0
    if not yes and not _confirm_destroy(state, app, preview):
        code = errors.exit_code_of(stopped=True)
        emit(state, app, command, preview, code, plan=True)
        return code
    results = app.session.destroy(numbers, dry_run=False)
    code = errors.exit_code_of(*results)
    emit(state, app, command, results, code)
    _report_kept(state, results, planned=False)
    return code


def _report_kept(state: CliState, results: list[PhaseResult], *, planned: bool) -> None:
    """Name every resource destroy keeps because it holds someone else's, and how to clear it."""
    kept = [s for p in results for s in p.blocked_by_foreign]
    if not kept:
        return
    verb = "will keep" if planned else "kept"
    state.stderr.print(
        f"\nDestroy {verb} {len(kept)} resource(s) that hold what this deployment does not own:"
    )
    for step in kept:
        state.stderr.print(f"  {step.title}: {', '.join(step.blockers)}", highlight=False, markup=False)
    state.stderr.print(
        "  fix: move or delete those resources (they are not this deployment's), then run destroy again;"
        " what depends on a kept resource is kept with it.",
        highlight=False,
    )


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
